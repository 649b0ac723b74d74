"""The search index behind the back office's Ctrl+K search (tables in ``schema_search``).

Writing:

- ``upsert(conn, kind, entity_id, label, keys, warehouse_id=None, names=…)`` puts one thing in the
  index (the orders pipeline calls it with kind ``order``, keys = platform order id, names = buyer
  nick); ``remove`` takes it out.
- SKUs (code, barcodes, names with pinyin) and bins (code) are indexed from the catalogue without
  touching its writers: every catalogue write stamps ``change_seq`` in commit order
  (``server.store.changes``), and ``search_index_state`` keeps, per source table, the last stamp
  indexed. ``refresh(conn)`` indexes what is newer (a changed barcode re-indexes its SKU; an archived
  bin leaves the index); ``catch_up(store)`` runs it only when a cheap read (``max(change_seq)`` of
  the three tables: two index lookups and a pass over the bins) shows something new, so a search
  with nothing changed costs no write. The first catch-up after an upgrade indexes everything (about
  12 s for 100,000 SKUs on SQLite, 36 s on PostgreSQL, on a 2-core machine: ``bench/search.py``).

Reading: ``search(conn, q, kinds, warehouse_ids, limit)`` ranks exact code/barcode matches first
(rank 0), then keys starting with the query (rank 1: names, pinyin, initials, codes), then things
whose keys contain it anywhere (rank 2; this tier scans ``search_entries`` and is skipped when the
query is a whole code or barcode, i.e. when there is a rank-0 hit). Things owned by a warehouse are
only found in ``warehouse_ids`` (``None`` = all). Queries are folded like keys
(``shared.catalogue.search_text``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server.store import bulk
from server.store.db import Store
from server.store.schema import barcodes, bins, skus, warehouses
from server.store.schema_search import search_entries, search_index_state, search_keys
from shared.catalogue.barcode import canonical_gtin, is_valid_gtin
from shared.catalogue.search_text import clean_query, identifying_keys, name_keys

SOURCES = ("sku", "barcode", "bin")
_CHUNK = 500
_LAST_CHAR = "\U0010ffff"  # a key starting with q sorts in [q, q + _LAST_CHAR) in byte order


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str
    entity_id: str
    label: str
    exact_keys: tuple[str, ...]
    name_keys: tuple[str, ...] = ()
    warehouse_id: str | None = None
    label_en: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str
    entity_id: str
    warehouse_id: str | None
    label: str
    label_en: str
    detail: str
    rank: int  # 0 exact code/barcode, 1 prefix, 2 contains


# ---- writing ------------------------------------------------------------------------------------


def entry(kind: str, entity_id: str, label: str, keys: Iterable[str], warehouse_id: str | None = None, *,
          names: Iterable[str] = (), label_en: str = "", detail: str = "") -> Entry:
    """An index entry: ``keys`` identify the thing (exact match ranks first), ``names`` are expanded
    to their folded text, full pinyin and initials."""
    exact = tuple(identifying_keys(keys))
    return Entry(kind, entity_id, label[:300], exact, tuple(k for k in name_keys(names) if k not in exact),
                 warehouse_id, label_en[:300], detail[:200])


def upsert(conn: Connection, kind: str, entity_id: str, label: str, keys: Iterable[str],
           warehouse_id: str | None = None, *, names: Iterable[str] = (), label_en: str = "", detail: str = "") -> None:
    """Index one thing, replacing what was indexed for it. Safe when two transactions index the same
    thing at once: the entry row is upserted first, which serialises them."""
    e = entry(kind, entity_id, label, keys, warehouse_id, names=names, label_en=label_en, detail=detail)
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    values = _entry_row(e)
    stmt = insert(search_entries).values(values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["kind", "entity_id"],
                                            set_={k: v for k, v in values.items() if k not in ("kind", "entity_id")}))
    conn.execute(search_keys.delete().where(and_(search_keys.c.kind == kind, search_keys.c.entity_id == entity_id)))
    if rows := _key_rows(e):
        conn.execute(search_keys.insert(), rows)


def remove(conn: Connection, kind: str, entity_ids: Collection[str]) -> None:
    for chunk in _chunks(list(entity_ids)):
        conn.execute(search_keys.delete().where(and_(search_keys.c.kind == kind, search_keys.c.entity_id.in_(chunk))))
        conn.execute(search_entries.delete().where(and_(search_entries.c.kind == kind, search_entries.c.entity_id.in_(chunk))))


_INSERT_ENTRY = ("INSERT INTO search_entries (kind, entity_id, warehouse_id, label, label_en, detail, haystack)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?)")
_INSERT_KEY = "INSERT INTO search_keys (kind, entity_id, key, exact, warehouse_id) VALUES (?, ?, ?, ?, ?)"


def replace_all(conn: Connection, entries: Sequence[Entry], *, all_new: bool = False) -> None:
    """Write many entries at once (callers hold the index state lock, see ``refresh``): ``COPY`` on
    PostgreSQL, the driver's ``executemany`` (``bulk``) on SQLite; SQLAlchemy's per-row work would
    cost more than the inserts. ``all_new``: none of them is indexed yet, so nothing is deleted first
    (a first build: PostgreSQL's planner has no statistics for rows this transaction wrote, and
    would scan the growing tables on every delete)."""
    for start in range(0, len(entries), _CHUNK):
        chunk = entries[start:start + _CHUNK]
        for kind in () if all_new else {e.kind for e in chunk}:
            remove(conn, kind, [e.entity_id for e in chunk if e.kind == kind])
        entry_rows = [tuple(_entry_row(e).values()) for e in chunk]
        key_rows = [tuple(row.values()) for e in chunk for row in _key_rows(e)]
        if conn.dialect.name == "postgresql":  # COPY: several times faster than pipelined INSERTs
            _copy(conn, "search_entries (kind, entity_id, warehouse_id, label, label_en, detail, haystack)", entry_rows)
            _copy(conn, "search_keys (kind, entity_id, key, exact, warehouse_id)", key_rows)
        else:
            bulk.executemany(conn, _INSERT_ENTRY, entry_rows)
            bulk.executemany(conn, _INSERT_KEY, key_rows)


def _copy(conn: Connection, target: str, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    cursor = conn.connection.cursor()
    try:
        with cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def _entry_row(e: Entry) -> dict[str, Any]:
    return {"kind": e.kind, "entity_id": e.entity_id, "warehouse_id": e.warehouse_id, "label": e.label,
            "label_en": e.label_en, "detail": e.detail, "haystack": "\n".join((*e.exact_keys, *e.name_keys))}


def _key_rows(e: Entry) -> list[dict[str, Any]]:
    return ([{"kind": e.kind, "entity_id": e.entity_id, "key": k, "exact": True, "warehouse_id": e.warehouse_id}
             for k in e.exact_keys]
            + [{"kind": e.kind, "entity_id": e.entity_id, "key": k, "exact": False, "warehouse_id": e.warehouse_id}
               for k in e.name_keys])


# ---- keeping up with the catalogue ----------------------------------------------------------------


def is_stale(conn: Connection) -> bool:
    """Whether a SKU, barcode or bin changed since it was last indexed."""
    done = dict(conn.execute(select(search_index_state.c.source, search_index_state.c.last_seq)).all())
    newest = {"sku": skus.c.change_seq, "barcode": barcodes.c.change_seq, "bin": bins.c.change_seq}
    return any(int(conn.execute(select(func.coalesce(func.max(col), 0))).scalar_one()) > int(done.get(source, 0))
               for source, col in newest.items())


def catch_up(store: Store) -> int:
    """Bring the index up to date when it is behind; the number of things re-indexed."""
    with store.read() as conn:
        if not is_stale(conn):
            return 0
    with store.transaction() as conn:
        return refresh(conn)


def refresh(conn: Connection) -> int:
    """Index every SKU and bin changed since the last refresh, in this transaction."""
    done = _lock_state(conn)
    changed_skus = conn.execute(select(skus.c.id, skus.c.change_seq).where(skus.c.change_seq > done["sku"])).all()
    changed_codes = conn.execute(select(barcodes.c.sku_id, barcodes.c.change_seq)
                                 .where(barcodes.c.change_seq > done["barcode"])).all()
    changed_bins = conn.execute(_bin_query().where(bins.c.change_seq > done["bin"])).all()
    sku_ids = {r.id for r in changed_skus} | {r.sku_id for r in changed_codes}
    replace_all(conn, list(_sku_entries(conn, sku_ids)), all_new=not _any_indexed(conn, "sku"))
    gone = [r.id for r in changed_bins if r.archived]
    remove(conn, "bin", gone)
    replace_all(conn, [_bin_entry(r) for r in changed_bins if not r.archived], all_new=not _any_indexed(conn, "bin"))
    seen = {"sku": [r.change_seq for r in changed_skus], "barcode": [r.change_seq for r in changed_codes],
            "bin": [r.change_seq for r in changed_bins]}
    for source, seqs in seen.items():
        if seqs and max(seqs) > done[source]:
            conn.execute(search_index_state.update().where(search_index_state.c.source == source)
                         .values(last_seq=max(seqs)))
    return len(sku_ids) + len(changed_bins)


def _any_indexed(conn: Connection, kind: str) -> bool:
    return conn.execute(select(search_entries.c.entity_id).where(search_entries.c.kind == kind).limit(1)).first() is not None


def _lock_state(conn: Connection) -> dict[str, int]:
    """The per-source cursors, their rows locked until commit (one refresher at a time)."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(insert(search_index_state).values([{"source": s, "last_seq": 0} for s in SOURCES])
                 .on_conflict_do_nothing(index_elements=["source"]))
    rows = conn.execute(select(search_index_state).order_by(search_index_state.c.source).with_for_update()).all()
    return {r.source: int(r.last_seq) for r in rows}


def _sku_entries(conn: Connection, sku_ids: set[str]) -> Iterator[Entry]:
    ids = sorted(sku_ids)
    for chunk in _chunks(ids, 900):
        codes: dict[str, list[str]] = {}
        for b in conn.execute(select(barcodes.c.sku_id, barcodes.c.raw, barcodes.c.key).where(barcodes.c.sku_id.in_(chunk))):
            codes.setdefault(b.sku_id, []).extend((b.raw, b.key))
        for s in conn.execute(select(skus.c.id, skus.c.code, skus.c.name_zh, skus.c.name_en).where(skus.c.id.in_(chunk))):
            yield entry("sku", s.id, s.name_zh, [s.code, *codes.get(s.id, [])], names=[s.name_zh, s.name_en],
                        label_en=s.name_en or s.name_zh, detail=s.code)


def _bin_query() -> Any:
    return (select(bins.c.id, bins.c.code, bins.c.warehouse_id, bins.c.archived, bins.c.change_seq,
                   warehouses.c.code.label("warehouse_code"))
            .join(warehouses, warehouses.c.id == bins.c.warehouse_id))


def _bin_entry(row: Any) -> Entry:
    return entry("bin", row.id, row.code, [row.code], row.warehouse_id, detail=row.warehouse_code)


# ---- searching ----------------------------------------------------------------------------------


def search(conn: Connection, q: str, kinds: Collection[str], warehouse_ids: Collection[str] | None,
           limit: int) -> list[Hit]:
    """The best ``limit`` hits for ``q`` among ``kinds`` (see the module docstring for the ranking).
    One indexed range read in the usual case; a second for a GTIN typed in another form (UPC-A for
    EAN-13); the substring scan only when those found fewer than ``limit`` and no whole code."""
    query = clean_query(q)
    if not query or not kinds or limit <= 0:
        return []
    found: dict[tuple[str, str], Hit] = {}
    scope = _scope(search_keys.c.kind, search_keys.c.warehouse_id, kinds, warehouse_ids)
    keyed = select(*_SHOWN, search_keys.c.key, search_keys.c.exact).select_from(_KEYED)
    gtin = canonical_gtin(query) if query.isdigit() and is_valid_gtin(query) else query
    if gtin != query:
        _take(found, conn.execute(keyed.where(search_keys.c.key == gtin, scope)), lambda r: 0 if r.exact else 1)
    in_range = and_(search_keys.c.key >= query, search_keys.c.key < query + _LAST_CHAR)
    _take(found, conn.execute(keyed.where(in_range, scope).order_by(search_keys.c.key).limit(limit * 4)),
          lambda r: 0 if r.exact and r.key == query else 1)
    if len(found) < limit and all(h.rank for h in found.values()):  # a whole code or barcode: no scan
        entries_scope = _scope(search_entries.c.kind, search_entries.c.warehouse_id, kinds, warehouse_ids)
        _take(found, conn.execute(select(*_SHOWN).where(_contains(conn, query), entries_scope).limit(limit * 2)),
              lambda r: 2)
    order = {key: n for n, key in enumerate(found)}  # within a rank: the order matches were found in
    return sorted(found.values(), key=lambda h: (h.rank, order[(h.kind, h.entity_id)]))[:limit]


_SHOWN = (search_entries.c.kind, search_entries.c.entity_id, search_entries.c.warehouse_id, search_entries.c.label,
          search_entries.c.label_en, search_entries.c.detail)
_KEYED = search_keys.join(search_entries, and_(search_entries.c.kind == search_keys.c.kind,
                                               search_entries.c.entity_id == search_keys.c.entity_id))


def _take(found: dict[tuple[str, str], Hit], rows: Iterable[Any], rank_of: Callable[[Any], int]) -> None:
    for r in rows:
        rank, key = rank_of(r), (r.kind, r.entity_id)
        if key not in found or rank < found[key].rank:
            found[key] = Hit(r.kind, r.entity_id, r.warehouse_id, r.label, r.label_en, r.detail, rank)


def _scope(kind_col: Any, warehouse_col: Any, kinds: Collection[str], warehouse_ids: Collection[str] | None) -> ColumnElement[bool]:
    in_kinds = kind_col.in_(sorted(kinds))
    if warehouse_ids is None:
        return and_(in_kinds, true())
    return and_(in_kinds, or_(warehouse_col.is_(None), warehouse_col.in_(sorted(warehouse_ids))))


def _contains(conn: Connection, query: str) -> ColumnElement[bool]:
    haystack = search_entries.c.haystack
    if conn.dialect.name == "postgresql":
        return func.strpos(haystack, query) > 0
    return func.instr(haystack, query) > 0


def _chunks(items: list[str], size: int = _CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
