"""Alembic environment: runs migrations on the engine handed in by ``server.store.migrate``."""

from __future__ import annotations

from alembic import context

from server.store.schema import metadata

engine = context.config.attributes.get("engine")
if engine is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise RuntimeError("run migrations through server.store.migrate (erp migrate), not the alembic CLI")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
