"""Human document numbers (TR-000001, RC-000001, ST-000001), gap-free per prefix within committed
transactions, made with one atomic upsert."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server.store.schema import doc_sequences


def next_number(conn: Connection, prefix: str) -> str:
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(doc_sequences).values(prefix=prefix, last_value=1)
    stmt = stmt.on_conflict_do_update(index_elements=["prefix"], set_={"last_value": doc_sequences.c.last_value + 1})
    value = conn.execute(stmt.returning(doc_sequences.c.last_value)).scalar_one()
    return f"{prefix}-{value:06d}"
