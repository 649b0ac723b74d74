from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.store.db import Store
from server.store.migrate import current_revision
from server.store.schema import metadata


def test_migrations_produce_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []


def test_store_is_at_the_head_revision(store: Store) -> None:
    from alembic.script import ScriptDirectory

    from server.store.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(store.engine) == head


def test_server_clock_resumes_after_restart_even_if_the_wall_clock_went_back(tmp_path: object) -> None:
    from pathlib import Path

    from server.store import moves
    from server.store.db import ServerClock, open_store
    from shared.catalogue.model import new_bin, new_sku, new_warehouse
    from shared.inventory.movement import Reason

    url = f"sqlite:///{Path(str(tmp_path)) / 'clock.sqlite3'}"
    first = open_store(url, clock=ServerClock(wall_ms=lambda: 2_000_000_000_000))
    with first.transaction() as conn:
        from server.store import catalogue

        wh = catalogue.insert_warehouse(conn, new_warehouse("W", "仓"))
        b = new_bin(wh.id, "B-1")
        catalogue.insert_bins(conn, [b])
        sku = catalogue.insert_sku(conn, new_sku("S", "货"))
        recorded = first.clock.now()
        moves.single(conn, sku.id, b.id, 1, Reason.RECEIPT_UNEXPECTED, hlc=recorded)
    first.dispose()
    again = open_store(url, clock=ServerClock(wall_ms=lambda: 0))  # RTC reset to 1970
    assert again.clock.now() > recorded
    again.dispose()


def test_upgrading_a_store_that_holds_data_keeps_it(tmp_path: object) -> None:
    """Batch migrations rebuild SQLite tables; with data and foreign keys that must still work."""
    from pathlib import Path

    from sqlalchemy import text

    from server.store.db import make_engine
    from server.store.migrate import upgrade

    engine = make_engine(f"sqlite:///{Path(str(tmp_path)) / 'old.sqlite3'}")
    upgrade(engine, "0002")
    with engine.begin() as conn:
        now = "2026-01-01 00:00:00"
        conn.execute(text("INSERT INTO warehouses (id, code, name_zh, name_en, kind, archived, created_at) "
                          "VALUES ('w1', 'W', '仓', '', 'warehouse', 0, :now)"), {"now": now})
        conn.execute(text("INSERT INTO skus (id, code, name_zh, name_en, spec, base_unit, weight_g, batch_tracked, unique_code_tracked,"
                          " low_stock_threshold, cost_fen, archived, created_at, updated_at, change_seq) VALUES"
                          " ('s1', 'S', '货', '', '', 'pcs', 0, 0, 0, 0, 0, 0, :now, :now, 0)"), {"now": now})
        conn.execute(text("INSERT INTO barcodes (id, sku_id, key, kind, raw, pack_qty_base, created_at, change_seq) VALUES"
                          " ('b1', 's1', '06901234567892', 'gtin', '6901234567892', 1, :now, 0)"), {"now": now})
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT code, price_fen FROM skus")).all() == [("S", 0)]
        assert conn.execute(text("SELECT sku_id FROM barcodes")).scalar_one() == "s1"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    engine.dispose()
