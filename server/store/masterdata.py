"""Master-data edits from devices: last-writer-wins per field by HLC (device id breaks a tie); the
losing value is returned so the caller can keep it as a conflict record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, select

from server.store import events
from server.store.changes import stamp
from server.store.schema import field_versions, skus
from shared.core.errors import NotFoundError
from shared.core.time import utc_now

_TABLES = {"sku": skus}


def set_field(conn: Connection, entity: str, entity_id: str, field: str, value: Any, *, hlc: int, device_id: str) -> tuple[bool, Any]:
    """Apply the edit if it is the latest for that field. Returns (won, losing value)."""
    table = _TABLES[entity]
    row = conn.execute(select(table.c[field]).where(table.c.id == entity_id)).first()
    if row is None:
        raise NotFoundError("master.not_found", entity=entity, entity_id=entity_id)
    key = and_(field_versions.c.entity == entity, field_versions.c.entity_id == entity_id, field_versions.c.field == field)
    version = conn.execute(select(field_versions.c.hlc, field_versions.c.device_id).where(key)).first()
    if version is not None and (version.hlc, version.device_id) >= (hlc, device_id):
        return False, value  # an edit with a later HLC already won; this value loses
    conn.execute(table.update().where(table.c.id == entity_id).values({field: value, "updated_at": utc_now(), "change_seq": stamp(conn)}))
    if version is None:
        conn.execute(field_versions.insert().values(entity=entity, entity_id=entity_id, field=field, hlc=hlc, device_id=device_id))
    else:
        conn.execute(field_versions.update().where(key).values(hlc=hlc, device_id=device_id))
    events.record(conn, "master.field_set", entity, entity_id, {"field": field, "value": value, "device_id": device_id}, hlc=hlc)
    return True, row[0]
