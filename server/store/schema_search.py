"""Tables for the back office's search index (names with pinyin initials), on the one
``schema.metadata`` (imported at the end of ``schema``; a test checks the migrations agree).

The index is derived data, rebuilt from the catalogue by ``server.store.search_index``:

- ``search_entries``: one row per findable thing (kind ``sku`` / ``bin`` / ``order``), with what a
  result shows (label, label_en, detail) and ``haystack``, every key joined by newlines, scanned
  for substring matches;
- ``search_keys``: one row per key, for exact and prefix matches through its primary key
  ``(kind, key, entity_id)`` (keys in byte order: ``COLLATE "C"`` on PostgreSQL, SQLite's default ``BINARY``), so
  a prefix is a key range; ``exact`` marks identifying keys (codes, barcodes) whose exact match
  ranks first;
- ``search_index_state``: per source table (``sku``, ``barcode``, ``bin``), the last ``change_seq``
  indexed, so catching up reads only newer rows.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, PrimaryKeyConstraint, String, Table, Text

from server.store.schema import metadata

_Key = String(200).with_variant(String(200, collation="C"), "postgresql")

search_entries = Table(
    "search_entries",
    metadata,
    Column("kind", String(16), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("warehouse_id", String(36), nullable=True),  # set for warehouse-owned things (bins)
    Column("label", String(300), nullable=False),
    Column("label_en", String(300), nullable=False, default=""),
    Column("detail", String(200), nullable=False, default=""),
    Column("haystack", Text, nullable=False),
    PrimaryKeyConstraint("kind", "entity_id"),
    Index(None, "kind", "warehouse_id"),
)

search_keys = Table(
    "search_keys",
    metadata,
    Column("kind", String(16), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("key", _Key, nullable=False),
    Column("exact", Boolean, nullable=False, default=False),
    Column("warehouse_id", String(36), nullable=True),
    PrimaryKeyConstraint("kind", "key", "entity_id"),  # exact and prefix lookups of one kind read only this index
    Index(None, "kind", "entity_id"),
)

search_index_state = Table(
    "search_index_state",
    metadata,
    Column("source", String(16), primary_key=True),
    Column("last_seq", BigInteger, nullable=False, default=0),
)
