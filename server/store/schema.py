"""The central store's tables (SQLAlchemy Core). Alembic migrations in ``server/migrations`` create
them; a test checks that the migrations and this metadata agree.

Conventions: ids are UUIDv7 strings made where the data is born; quantities are integers in base
units; money is integer fen; ``hlc`` is a packed hybrid logical clock (shared.core.clock);
ledgers (``movements``, ``events``) are append-only.
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
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# BIGINT on PostgreSQL, INTEGER (the 64-bit rowid alias) on SQLite so autoincrement works there.
SeqInt = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id(name: str = "id") -> Column:  # type: ignore[type-arg]
    return Column(name, String(36), primary_key=True)


def _ref(name: str, target: str, *, nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(name, String(36), ForeignKey(target), nullable=nullable)


def _created() -> Column:  # type: ignore[type-arg]
    return Column("created_at", DateTime(timezone=True), nullable=False)


users = Table(
    "users",
    metadata,
    _id(),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    _created(),
    Column("pin_hash", String(200), nullable=False, default=""),
    Column("change_seq", BigInteger, nullable=False, default=0, index=True),
)

warehouses = Table(
    "warehouses",
    metadata,
    _id(),
    Column("code", String(64), nullable=False, unique=True),
    Column("name_zh", String(200), nullable=False),
    Column("name_en", String(200), nullable=False, default=""),
    Column("kind", String(16), nullable=False),
    Column("archived", Boolean, nullable=False, default=False),
    _created(),
    CheckConstraint("kind IN ('warehouse', 'store')", name="kind"),
    Column("change_seq", BigInteger, nullable=False, default=0, index=True),
)

bins = Table(
    "bins",
    metadata,
    _id(),
    _ref("warehouse_id", "warehouses.id"),
    Column("code", String(64), nullable=False),
    Column("kind", String(16), nullable=False, default="storage"),
    Column("walk_seq", Integer, nullable=False, default=0),
    Column("archived", Boolean, nullable=False, default=False),
    _created(),
    Column("change_seq", BigInteger, nullable=False, default=0),
    Index(None, "warehouse_id", "change_seq"),
    UniqueConstraint("warehouse_id", "code"),
    CheckConstraint("kind IN ('storage', 'dock', 'transit')", name="kind"),
    Index(None, "warehouse_id", "walk_seq"),
)

skus = Table(
    "skus",
    metadata,
    _id(),
    Column("code", String(64), nullable=False, unique=True),
    Column("name_zh", String(200), nullable=False),
    Column("name_en", String(200), nullable=False, default=""),
    Column("spec", String(200), nullable=False, default=""),
    Column("base_unit", String(16), nullable=False, default="pcs"),
    Column("weight_g", Integer, nullable=False, default=0),
    Column("batch_tracked", Boolean, nullable=False, default=False),
    Column("unique_code_tracked", Boolean, nullable=False, default=False),
    Column("low_stock_threshold", BigInteger, nullable=False, default=0),
    Column("cost_fen", BigInteger, nullable=False, default=0),
    Column("price_fen", BigInteger, nullable=False, default=0),
    Column("archived", Boolean, nullable=False, default=False),
    _created(),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("weight_g >= 0 AND low_stock_threshold >= 0 AND cost_fen >= 0", name="non_negative"),
    Column("change_seq", BigInteger, nullable=False, default=0, index=True),
)

sku_packs = Table(
    "sku_packs",
    metadata,
    _ref("sku_id", "skus.id"),
    Column("code", String(32), nullable=False),
    Column("name_zh", String(50), nullable=False),
    Column("name_en", String(50), nullable=False, default=""),
    Column("qty_base", BigInteger, nullable=False),
    UniqueConstraint("sku_id", "code"),
    CheckConstraint("qty_base > 1", name="qty_base"),
)

barcodes = Table(
    "barcodes",
    metadata,
    _id(),
    _ref("sku_id", "skus.id"),
    Column("key", String(128), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("raw", String(128), nullable=False),
    Column("pack_qty_base", BigInteger, nullable=False, default=1),
    _created(),
    Column("change_seq", BigInteger, nullable=False, default=0, index=True),
    Index(None, "sku_id"),
    CheckConstraint("kind IN ('gtin', 'internal')", name="kind"),
    CheckConstraint("pack_qty_base >= 1", name="pack_qty"),
)

unique_codes = Table(
    "unique_codes",
    metadata,
    Column("code", String(128), primary_key=True),
    _ref("sku_id", "skus.id"),
    Column("batch", String(64), nullable=False, default=""),
    _created(),
)

platform_skus = Table(
    "platform_skus",
    metadata,
    _id(),
    Column("platform", String(16), nullable=False),
    Column("shop_id", String(64), nullable=False),
    Column("platform_sku_id", String(128), nullable=False),
    _ref("sku_id", "skus.id"),
    Column("qty_base", BigInteger, nullable=False, default=1),
    _created(),
    UniqueConstraint("platform", "shop_id", "platform_sku_id"),
    CheckConstraint("qty_base >= 1", name="qty_base"),
)

movements = Table(
    "movements",
    metadata,
    Column("seq", SeqInt, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    _ref("sku_id", "skus.id"),
    _ref("warehouse_id", "warehouses.id"),
    _ref("bin_id", "bins.id"),
    Column("batch", String(64), nullable=False, default=""),
    Column("qty", BigInteger, nullable=False),
    Column("reason", Integer, nullable=False),
    Column("hlc", BigInteger, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("ref_type", String(32), nullable=False, default=""),
    Column("ref_id", String(64), nullable=False, default=""),
    Column("user_id", String(36), nullable=False, default=""),
    Column("device_id", String(36), nullable=False, default=""),
    CheckConstraint("qty <> 0", name="qty_non_zero"),
    Index(None, "sku_id", "bin_id", "batch", "hlc"),
    Index(None, "warehouse_id", "seq"),
    Index(None, "ref_type", "ref_id"),
)

stock_balances = Table(
    "stock_balances",
    metadata,
    _ref("sku_id", "skus.id"),
    _ref("bin_id", "bins.id"),
    Column("batch", String(64), nullable=False, default=""),
    _ref("warehouse_id", "warehouses.id"),
    Column("on_hand", BigInteger, nullable=False, default=0),
    Column("reserved", BigInteger, nullable=False, default=0),
    UniqueConstraint("sku_id", "bin_id", "batch"),
    Column("change_seq", BigInteger, nullable=False, default=0),
    Index(None, "warehouse_id", "change_seq"),
    Index(None, "bin_id"),
    Index(None, "warehouse_id", "sku_id"),
)

warehouse_stock = Table(
    "warehouse_stock",
    metadata,
    _ref("sku_id", "skus.id"),
    _ref("warehouse_id", "warehouses.id"),
    Column("on_hand", BigInteger, nullable=False, default=0),
    Column("reserved", BigInteger, nullable=False, default=0),
    Column("in_transit", BigInteger, nullable=False, default=0),
    UniqueConstraint("sku_id", "warehouse_id"),
    Index(None, "warehouse_id"),
)

reservations = Table(
    "reservations",
    metadata,
    _id(),
    _ref("sku_id", "skus.id"),
    _ref("warehouse_id", "warehouses.id"),
    _ref("bin_id", "bins.id", nullable=True),
    Column("batch", String(64), nullable=False, default=""),
    Column("qty", BigInteger, nullable=False),
    Column("consumed_qty", BigInteger, nullable=False, default=0),
    Column("released_qty", BigInteger, nullable=False, default=0),
    Column("state", String(16), nullable=False),
    Column("ref_type", String(32), nullable=False, default=""),
    Column("ref_id", String(64), nullable=False, default=""),
    _created(),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("qty > 0 AND consumed_qty >= 0 AND released_qty >= 0 AND consumed_qty + released_qty <= qty", name="qty"),
    CheckConstraint("state IN ('open', 'consumed', 'released')", name="state"),
    Index(None, "ref_type", "ref_id"),
)

low_stock_alerts = Table(
    "low_stock_alerts",
    metadata,
    _id(),
    _ref("sku_id", "skus.id"),
    _ref("warehouse_id", "warehouses.id"),
    Column("available", BigInteger, nullable=False),
    Column("threshold", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Index(None, "sku_id", "warehouse_id", "state"),
)

doc_sequences = Table(
    "doc_sequences",
    metadata,
    Column("prefix", String(16), primary_key=True),
    Column("last_value", BigInteger, nullable=False),
)

transfers = Table(
    "transfers",
    metadata,
    _id(),
    Column("number", String(32), nullable=False, unique=True),
    _ref("from_warehouse_id", "warehouses.id"),
    _ref("to_warehouse_id", "warehouses.id"),
    Column("state", String(24), nullable=False),
    Column("created_by", String(36), nullable=False, default=""),
    _created(),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("change_seq", BigInteger, nullable=False, default=0, index=True),
)

transfer_lines = Table(
    "transfer_lines",
    metadata,
    _ref("transfer_id", "transfers.id"),
    Column("line_no", Integer, nullable=False),
    _ref("sku_id", "skus.id"),
    Column("batch", String(64), nullable=False, default=""),
    Column("qty", BigInteger, nullable=False),
    Column("shipped_qty", BigInteger, nullable=False, default=0),
    Column("received_qty", BigInteger, nullable=False, default=0),
    UniqueConstraint("transfer_id", "line_no"),
    CheckConstraint("qty > 0 AND shipped_qty >= 0 AND received_qty >= 0 AND received_qty <= shipped_qty", name="qty"),
)

receipts = Table(
    "receipts",
    metadata,
    _id(),
    Column("number", String(32), nullable=False, unique=True),
    Column("reference", String(64), nullable=False, default=""),
    Column("supplier_name", String(200), nullable=False, default=""),
    _ref("warehouse_id", "warehouses.id"),
    Column("state", String(16), nullable=False),
    _created(),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("change_seq", BigInteger, nullable=False, default=0),
    Index(None, "warehouse_id", "change_seq"),
)

receipt_lines = Table(
    "receipt_lines",
    metadata,
    _ref("receipt_id", "receipts.id"),
    Column("line_no", Integer, nullable=False),
    _ref("sku_id", "skus.id"),
    Column("expected_qty", BigInteger, nullable=False),
    Column("received_qty", BigInteger, nullable=False, default=0),
    UniqueConstraint("receipt_id", "line_no"),
    CheckConstraint("expected_qty >= 0 AND received_qty >= 0", name="qty"),
)

stocktakes = Table(
    "stocktakes",
    metadata,
    _id(),
    Column("number", String(32), nullable=False, unique=True),
    _ref("warehouse_id", "warehouses.id"),
    Column("blind", Boolean, nullable=False, default=True),
    Column("state", String(16), nullable=False),
    Column("created_by", String(36), nullable=False, default=""),
    _created(),
    Column("approved_by", String(36), nullable=True),
    Column("approved_at", DateTime(timezone=True), nullable=True),
    Column("approved_hlc", BigInteger, nullable=True),
    Column("change_seq", BigInteger, nullable=False, default=0),
    Index(None, "warehouse_id", "change_seq"),
)

stocktake_bins = Table(
    "stocktake_bins",
    metadata,
    _ref("stocktake_id", "stocktakes.id"),
    _ref("bin_id", "bins.id"),
    UniqueConstraint("stocktake_id", "bin_id"),
)

stocktake_counts = Table(
    "stocktake_counts",
    metadata,
    _id(),
    _ref("stocktake_id", "stocktakes.id"),
    _ref("bin_id", "bins.id"),
    _ref("sku_id", "skus.id"),
    Column("batch", String(64), nullable=False, default=""),
    Column("counted_qty", BigInteger, nullable=False),
    Column("counted_hlc", BigInteger, nullable=False),
    Column("counted_by", String(36), nullable=False),
    Column("device_id", String(36), nullable=False, default=""),
    Column("is_recount", Boolean, nullable=False, default=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("counted_qty >= 0", name="counted_qty"),
    Index(None, "stocktake_id", "bin_id"),
)

events = Table(
    "events",
    metadata,
    Column("seq", SeqInt, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("kind", String(64), nullable=False),
    Column("aggregate_type", String(32), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("hlc", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "aggregate_type", "aggregate_id"),
)


# ---- sync: devices, applied operations, conflicts, tasks, change stamps --------------------------------

sync_counter = Table(
    "sync_counter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("value", BigInteger, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    _id(),
    Column("name", String(100), nullable=False),
    Column("hardware_id", String(200), nullable=False, default=""),
    _ref("warehouse_id", "warehouses.id"),
    Column("token_id", String(64), nullable=False),
    Column("app_version", String(32), nullable=False, default=""),
    Column("enrolled_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("last_seen_at", DateTime(timezone=True), nullable=True),
    Column("last_seq", BigInteger, nullable=False, default=0),
    Column("seq_gaps", BigInteger, nullable=False, default=0),
    Column("clock_skew_ms", BigInteger, nullable=False, default=0),
    Column("clock_flagged", Boolean, nullable=False, default=False),
    # what the device last said about itself (sync.device_status): user, outbox, scan latency
    Column("status_user", String(64), nullable=False, default=""),
    Column("status_pending", BigInteger, nullable=True),
    Column("status_scan_ms", Integer, nullable=True),
    Column("status_at", DateTime(timezone=True), nullable=True),
)

enrolment_codes = Table(
    "enrolment_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    _ref("warehouse_id", "warehouses.id"),
    Column("created_by", String(64), nullable=False, default=""),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
    Column("device_id", String(36), nullable=True),
)

applied_ops = Table(
    "applied_ops",
    metadata,
    Column("op_id", String(36), primary_key=True),
    Column("device_id", String(36), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("result", JSON, nullable=False),
    Column("error", JSON, nullable=True),
    Column("op_hlc", BigInteger, nullable=False),
    Column("effective_hlc", BigInteger, nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Index(None, "device_id", "seq"),
    CheckConstraint("status IN ('applied', 'rejected')", name="status"),
)

conflicts = Table(
    "conflicts",
    metadata,
    _id(),
    Column("op_id", String(36), nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("code", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("message_en", Text, nullable=False),
    Column("state", String(16), nullable=False, default="open"),
    _created(),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("resolved_by", String(64), nullable=True),
    Column("resolution", Text, nullable=True),
    Index(None, "device_id", "state"),
)

tasks = Table(
    "tasks",
    metadata,
    _id(),
    Column("kind", String(16), nullable=False),
    _ref("warehouse_id", "warehouses.id"),
    Column("state", String(16), nullable=False),
    Column("claimed_by_device", String(36), nullable=False, default=""),
    Column("claimed_by_user", String(64), nullable=False, default=""),
    Column("claim_hlc", BigInteger, nullable=True),
    Column("data", JSON, nullable=False),
    _created(),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("change_seq", BigInteger, nullable=False, default=0),
    Index(None, "warehouse_id", "change_seq"),
    CheckConstraint("kind IN ('pick', 'count', 'recount', 'exception', 'pack', 'return')", name="kind"),
    CheckConstraint("state IN ('open', 'claimed', 'done', 'cancelled')", name="state"),
)

field_versions = Table(
    "field_versions",
    metadata,
    Column("entity", String(16), nullable=False),
    Column("entity_id", String(36), nullable=False),
    Column("field", String(32), nullable=False),
    Column("hlc", BigInteger, nullable=False),
    Column("device_id", String(36), nullable=False),
    UniqueConstraint("entity", "entity_id", "field"),
)


# ---- back office: passwords, roles and permissions, web sessions, login throttling ---------------------
# Passwords live apart from ``users`` (which is replicated to handhelds) so no password hash ever leaves
# the server. ``user_roles.warehouse_id`` NULL means "in every warehouse".

user_passwords = Table(
    "user_passwords",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id"), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

roles = Table(
    "roles",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name_zh", String(100), nullable=False),
    Column("name_en", String(100), nullable=False, default=""),
    _created(),
)

role_permissions = Table(
    "role_permissions",
    metadata,
    Column("role_id", String(32), ForeignKey("roles.id"), nullable=False),
    Column("permission", String(64), nullable=False),
    UniqueConstraint("role_id", "permission"),
)

user_roles = Table(
    "user_roles",
    metadata,
    _ref("user_id", "users.id"),
    Column("role_id", String(32), ForeignKey("roles.id"), nullable=False),
    _ref("warehouse_id", "warehouses.id", nullable=True),
    UniqueConstraint("user_id", "role_id", "warehouse_id"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    _id(),
    Column("token_hash", String(64), nullable=False, unique=True),
    _ref("user_id", "users.id"),
    Column("csrf_token", String(64), nullable=False),
    _created(),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("ip", String(64), nullable=False, default=""),
    Column("user_agent", String(300), nullable=False, default=""),
    Index(None, "user_id"),
)

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("window_started_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True), nullable=True),
)


# ---- audit log: every change (who, what, before/after, where from), chained by SHA-256 ----------------

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", SeqInt, primary_key=True, autoincrement=False),  # 1, 2, 3 … without gaps (server.store.audit)
    Column("id", String(36), nullable=False, unique=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("source", String(100), nullable=False),
    Column("action", String(64), nullable=False),
    Column("entity_type", String(32), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index(None, "entity_type", "entity_id"),
)

audit_head = Table(  # one row: the last entry's seq and hash, locked by each appending transaction until commit
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

# Areas kept in their own modules, declared on the same metadata (imported last: they import ``metadata``).
from server.store import schema_orders, schema_search  # noqa: E402,F401
from server.store import schema_fulfilment  # noqa: E402,F401  (after schema_orders: its tables refer to orders)
