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
