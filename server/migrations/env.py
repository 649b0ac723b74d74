"""Alembic environment: runs migrations on the engine handed in by ``server.store.migrate``."""

from __future__ import annotations

from alembic import context

from server.store.schema import metadata

engine = context.config.attributes.get("engine")
if engine is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise RuntimeError("run migrations through server.store.migrate (erp migrate), not the alembic CLI")

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch migrations rebuild SQLite tables (copy, drop, rename); with foreign keys on, dropping a
        # referenced table fails. Turn them off for the migration (outside any transaction, where
        # SQLite honours it), and check every reference afterwards.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left broken references: {broken[:5]}")
    connection.commit()
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
