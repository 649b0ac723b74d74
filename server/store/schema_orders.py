"""Tables for orders (shops, pull cursors, orders, lines, timeline, rules, stock push queue), on the one
``schema.metadata`` (imported at the end of ``schema``; a test checks the migrations agree).

    shops              a platform shop: its warehouse, safety stock and push ratio, API base URL
    shop_cursors       per shop: modified-time through which every order is stored, and the page in progress
    orders             one row per (shop, platform order id, part no); ``state`` is the pipeline state
                       (shared.orders.pipeline), ``platform_status`` the canonical platform status; an
                       order split across warehouses keeps its row (part 0, state ``split``) and has one
                       child row per part (``parent_order_id``, ``part_no`` 1..n)
    order_lines        the order's lines, ``sku_id`` once mapped (NULL = unmapped)
    order_events       the order timeline: every state change (append-only)
    order_rules        review/merge/... rules as data (written by the back office, run by shared.orders.rules)
    stock_push_queue   dirty (shop, SKU) pairs whose platform stock must be pushed; ``generation`` grows on
                       every re-enqueue so a pusher deletes only what it pushed
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from server.store.schema import SeqInt, metadata

shops = Table(
    "shops",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("warehouse_id", String(36), ForeignKey("warehouses.id"), nullable=False),
    Column("safety_stock", BigInteger, nullable=False, default=0),
    Column("push_ratio_pct", Integer, nullable=False, default=100),
    Column("api_base_url", String(300), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("safety_stock >= 0 AND push_ratio_pct >= 0 AND push_ratio_pct <= 100", name="push"),
)

shop_cursors = Table(
    "shop_cursors",
    metadata,
    Column("shop_id", String(36), ForeignKey("shops.id"), primary_key=True),
    Column("modified_through", DateTime(timezone=True), nullable=True),  # every order modified before it is stored
    Column("page", JSON, nullable=True),  # the next page of the window in progress, or NULL between windows
    Column("pages_done", BigInteger, nullable=False, default=0),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("shop_id", String(36), ForeignKey("shops.id"), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("platform_order_id", String(64), nullable=False),
    Column("warehouse_id", String(36), ForeignKey("warehouses.id"), nullable=False),
    Column("state", String(24), nullable=False),
    Column("held_from", String(24), nullable=True),  # the state a manual hold returns to
    Column("reasons", JSON, nullable=False),  # exception reasons: [{"code": ..., "details": {...}}]
    Column("platform_status", String(24), nullable=False),  # shared.orders.model.OrderStatus
    Column("platform_status_raw", String(64), nullable=False, default=""),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("paid_at", DateTime(timezone=True), nullable=True),
    Column("modified_at", DateTime(timezone=True), nullable=False),  # the platform's; newer wins
    Column("ship_by", DateTime(timezone=True), nullable=True),
    Column("buyer_open_id", String(128), nullable=True),
    Column("currency", String(3), nullable=False, default="CNY"),
    Column("goods_fen", BigInteger, nullable=False),
    Column("freight_fen", BigInteger, nullable=False),
    Column("discount_fen", BigInteger, nullable=False),
    Column("paid_fen", BigInteger, nullable=False),
    Column("receiver", JSON, nullable=False),  # masked receiver + region (never plaintext)
    Column("buyer_remark", Text, nullable=False, default=""),
    Column("seller_remark", Text, nullable=False, default=""),
    Column("seller_flag", Integer, nullable=True),
    Column("flags", JSON, nullable=False),
    Column("raw", Text, nullable=False),  # the payload as received (JSON text)
    Column("version", Integer, nullable=False, default=1),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # 拆单: a part (child order) names its parent and its number; 0 = an order as the platform sent it
    Column("parent_order_id", String(36), ForeignKey("orders.id"), nullable=True, index=True),
    Column("part_no", Integer, nullable=False, server_default="0"),
    UniqueConstraint("shop_id", "platform_order_id", "part_no"),
    Index(None, "state", "shop_id"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("order_id", String(36), ForeignKey("orders.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("platform_line_id", String(64), nullable=False),
    Column("platform_item_id", String(64), nullable=False),
    Column("platform_sku_id", String(128), nullable=False),
    Column("seller_sku_code", String(64), nullable=False),
    Column("title", String(300), nullable=False),
    Column("spec", String(300), nullable=False, default=""),
    Column("qty", BigInteger, nullable=False),
    Column("sku_id", String(36), ForeignKey("skus.id"), nullable=True),
    Column("qty_base", BigInteger, nullable=False, default=0),  # units of sku_id (qty x pack size); 0 unmapped
    Column("unit_price_fen", BigInteger, nullable=False),
    Column("discount_fen", BigInteger, nullable=False, default=0),
    Column("paid_fen", BigInteger, nullable=True),
    Column("refund", String(16), nullable=False, default="none"),
    Column("is_gift", Boolean, nullable=False, default=False),
    UniqueConstraint("order_id", "line_no"),
    Index(None, "sku_id"),
    CheckConstraint("qty > 0 AND qty_base >= 0", name="qty"),
)

order_events = Table(
    "order_events",
    metadata,
    Column("seq", SeqInt, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("order_id", String(36), ForeignKey("orders.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("source", String(100), nullable=False),
    Column("from_state", String(24), nullable=True),
    Column("to_state", String(24), nullable=False),
    Column("code", String(64), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("details", JSON, nullable=False),
    Index(None, "order_id", "seq"),
)

order_rules = Table(
    "order_rules",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("position", Integer, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("definition", JSON, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("updated_by", String(64), nullable=False, default=""),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index(None, "kind", "position"),
)

stock_push_queue = Table(
    "stock_push_queue",
    metadata,
    Column("shop_id", String(36), ForeignKey("shops.id"), primary_key=True),
    Column("sku_id", String(36), ForeignKey("skus.id"), primary_key=True),
    Column("generation", BigInteger, nullable=False, default=1),
    Column("enqueued_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", String(300), nullable=False, default=""),
)
