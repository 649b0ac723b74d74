"""Tables for order fulfilment (waves, packages, e-waybills), on the one ``schema.metadata`` (imported
at the end of ``schema``; a test checks the migrations agree). Migrations 0009 and 0011 (package lines name their order, packages their carrier).

    waves           a batch of orders picked together: single-SKU bulk or multi-item with slots;
                    ``pick_task_id`` is the handheld pick task made for it
    wave_orders     the wave's orders, each with its slot (0 in a bulk wave)
    packages        what leaves the warehouse in one box: an order has one, a split shipment several,
                    and a merged package (合单) carries several orders of one buyer to one address
                    (``order_id`` is then the first of them, the lines name each unit's order);
                    ``pack_task_id`` the handheld pack-verify task; ``ship_error`` the last failed
                    waybill or ship-confirm attempt (retried by ``server.orders.fulfilment.ship_packed``)
    package_lines   expected units per SKU and order, and how many the pack verification counted
    waybills        e-waybills from the carrier, one per package; ``object_id`` is the idempotency key
                    sent to the carrier (the package id), so a retry can never buy a second waybill
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from server.store.schema import metadata

waves = Table(
    "waves",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("warehouse_id", String(36), ForeignKey("warehouses.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("group_key", String(64), nullable=False, default=""),
    Column("sku_id", String(36), nullable=False, default=""),  # the one SKU of a bulk wave
    Column("slots", Integer, nullable=False, default=0),
    Column("state", String(16), nullable=False),
    Column("pick_task_id", String(36), nullable=True),
    Column("created_by", String(64), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("kind IN ('single_sku', 'multi')", name="kind"),
    CheckConstraint("state IN ('picking', 'picked', 'cancelled')", name="state"),
    Index(None, "pick_task_id"),
)

wave_orders = Table(
    "wave_orders",
    metadata,
    Column("wave_id", String(36), ForeignKey("waves.id"), primary_key=True),
    Column("order_id", String(36), ForeignKey("orders.id"), primary_key=True),
    Column("slot", Integer, nullable=False, default=0),
    Index(None, "order_id"),
)

packages = Table(
    "packages",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("order_id", String(36), ForeignKey("orders.id"), nullable=False),
    Column("wave_id", String(36), ForeignKey("waves.id"), nullable=True),
    Column("warehouse_id", String(36), ForeignKey("warehouses.id"), nullable=False),
    Column("seq", Integer, nullable=False),  # 1, 2 … within the order
    Column("state", String(16), nullable=False),
    Column("weight_g", BigInteger, nullable=False, default=0),
    Column("carrier_code", String(20), nullable=False, server_default=""),  # the carrier rules' choice; "" = the default
    Column("pack_task_id", String(36), nullable=True),
    Column("packed_by_user", String(64), nullable=False, default=""),
    Column("packed_by_device", String(36), nullable=False, default=""),
    Column("packed_at", DateTime(timezone=True), nullable=True),
    Column("shipped_at", DateTime(timezone=True), nullable=True),
    Column("ship_error", String(300), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("order_id", "seq"),
    CheckConstraint("state IN ('open', 'packing', 'packed', 'shipped', 'cancelled')", name="state"),
    Index(None, "state"),
    Index(None, "pack_task_id"),
)

package_lines = Table(
    "package_lines",
    metadata,
    Column("package_id", String(36), ForeignKey("packages.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("sku_id", String(36), ForeignKey("skus.id"), nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("verified_qty", BigInteger, nullable=False, default=0),
    Column("order_id", String(36), ForeignKey("orders.id"), nullable=True),  # NULL only in rows older than 0011
    Index(None, "order_id"),
    CheckConstraint("qty > 0 AND verified_qty >= 0 AND verified_qty <= qty", name="qty"),
)

waybills = Table(
    "waybills",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("package_id", String(36), ForeignKey("packages.id"), nullable=False),
    Column("object_id", String(64), nullable=False, unique=True),
    Column("carrier_code", String(20), nullable=False),
    Column("waybill_code", String(64), nullable=False),
    Column("print_data", Text, nullable=False, default=""),
    Column("state", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("state IN ('issued', 'cancelled')", name="state"),
    Index(None, "package_id"),
    Index(None, "waybill_code"),
)
