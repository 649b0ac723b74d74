"""Shops (one platform store each) and their pull cursors.

A shop's cursor says: every order the platform modified before ``modified_through`` is stored. While a
window is being paged, ``page`` holds the next page's request; both are saved in the transaction that
stores the page's orders (``save_cursor``), so a crash between pages resumes at the page it lost.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from server.store.catalogue import get_warehouse
from server.store.schema_orders import shop_cursors, shops
from shared.catalogue.model import PLATFORMS
from shared.core.errors import ConflictError, NotFoundError, ValidationError
from shared.core.ids import new_id
from shared.core.time import utc_now


@dataclass(frozen=True, slots=True)
class Shop:
    id: str
    platform: str
    code: str
    name: str
    warehouse_id: str
    safety_stock: int = 0
    push_ratio_pct: int = 100
    api_base_url: str = ""
    active: bool = True


@dataclass(frozen=True, slots=True)
class Cursor:
    shop_id: str
    modified_through: datetime | None
    page: dict[str, Any] | None  # {"start", "end", "page", "page_size", "cursor"} of the next page
    pages_done: int


def new_shop(platform: str, code: str, name: str, warehouse_id: str, *, safety_stock: int = 0, push_ratio_pct: int = 100,
             api_base_url: str = "", active: bool = True) -> Shop:
    """A checked shop with a fresh id (``shop.bad_settings`` for nonsense)."""
    if platform not in PLATFORMS:
        raise ValidationError("order.unknown_platform", platform=str(platform)[:40])
    if not code.strip() or not name.strip():
        raise ValidationError("shop.bad_settings", reason="code and name are required")
    if isinstance(safety_stock, bool) or not isinstance(safety_stock, int) or safety_stock < 0:
        raise ValidationError("shop.bad_settings", reason="safety stock must be a whole number >= 0")
    if isinstance(push_ratio_pct, bool) or not isinstance(push_ratio_pct, int) or not 0 <= push_ratio_pct <= 100:
        raise ValidationError("shop.bad_settings", reason="push ratio must be 0..100 percent")
    return Shop(new_id(), platform, code.strip(), name.strip(), warehouse_id, safety_stock, push_ratio_pct,
                api_base_url.rstrip("/"), active)


def insert_shop(conn: Connection, shop: Shop) -> Shop:
    get_warehouse(conn, shop.warehouse_id)
    if conn.execute(select(shops.c.id).where(shops.c.code == shop.code)).first() is not None:
        raise ConflictError("shop.duplicate_code", code=shop.code)
    now = utc_now()
    conn.execute(shops.insert().values(
        id=shop.id, platform=shop.platform, code=shop.code, name=shop.name, warehouse_id=shop.warehouse_id,
        safety_stock=shop.safety_stock, push_ratio_pct=shop.push_ratio_pct, api_base_url=shop.api_base_url,
        active=shop.active, created_at=now, updated_at=now))
    return shop


def update_shop(conn: Connection, shop_id: str, **changes: Any) -> Shop:
    """Change settings (``safety_stock``, ``push_ratio_pct``, ``api_base_url``, ``active``, ``name``,
    ``warehouse_id``), checked as ``new_shop`` checks them."""
    current = get_shop(conn, shop_id)
    merged = replace(current, **changes)
    checked = new_shop(merged.platform, merged.code, merged.name, merged.warehouse_id, safety_stock=merged.safety_stock,
                       push_ratio_pct=merged.push_ratio_pct, api_base_url=merged.api_base_url, active=merged.active)
    checked = replace(checked, id=shop_id)
    get_warehouse(conn, checked.warehouse_id)
    conn.execute(shops.update().where(shops.c.id == shop_id).values(
        name=checked.name, warehouse_id=checked.warehouse_id, safety_stock=checked.safety_stock,
        push_ratio_pct=checked.push_ratio_pct, api_base_url=checked.api_base_url, active=checked.active,
        updated_at=utc_now()))
    return checked


def _shop(row: Any) -> Shop:
    return Shop(row.id, row.platform, row.code, row.name, row.warehouse_id, int(row.safety_stock),
                int(row.push_ratio_pct), row.api_base_url, bool(row.active))


def get_shop(conn: Connection, shop_id: str) -> Shop:
    row = conn.execute(select(shops).where(shops.c.id == shop_id)).first()
    if row is None:
        raise NotFoundError("shop.not_found", shop=shop_id)
    return _shop(row)


def list_shops(conn: Connection, *, active_only: bool = False) -> list[Shop]:
    query = select(shops).order_by(shops.c.code)
    if active_only:
        query = query.where(shops.c.active.is_(True))
    return [_shop(row) for row in conn.execute(query)]


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive UTC back."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def get_cursor(conn: Connection, shop_id: str) -> Cursor:
    row = conn.execute(select(shop_cursors).where(shop_cursors.c.shop_id == shop_id)).first()
    if row is None:
        return Cursor(shop_id, None, None, 0)
    return Cursor(shop_id, _aware(row.modified_through), dict(row.page) if row.page else None, int(row.pages_done))


def save_cursor(conn: Connection, cursor: Cursor) -> None:
    """Upsert the cursor (call it in the transaction that stores the page it stands for)."""
    through = None if cursor.modified_through is None else cursor.modified_through.astimezone(UTC)
    values = {"modified_through": through, "page": cursor.page, "pages_done": cursor.pages_done,
              "updated_at": utc_now()}
    done = conn.execute(shop_cursors.update().where(shop_cursors.c.shop_id == cursor.shop_id).values(**values)).rowcount
    if done == 0:
        conn.execute(shop_cursors.insert().values(shop_id=cursor.shop_id, **values))
