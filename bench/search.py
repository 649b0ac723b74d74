"""Ctrl+K search: index build and query latency versus a plain ``LIKE`` on the SKU table.

Builds a store (SQLite file with WAL and synchronous=FULL, or PostgreSQL with ``--postgres URL``)
holding N SKUs (default 100,000) with generated Chinese names (brand + adjective + noun + spec, e.g.
``美的静音电饭煲 500ml``) and one EAN-13 each (building it is not timed). Then, timed:

1. the full index build from nothing: ``search_index.catch_up`` (pinyin of every name, one entry and
   ~6 keys per SKU), and the staleness check every later search pays when nothing changed;
2. 1,000 searches (``search_index.search``, kind ``sku``, limit 10, one read transaction each), a
   quarter each of: SKU codes (as typed, lower case), barcodes, pinyin initials of a name's first
   two words, and two- or three-character Chinese substrings of a name;
3. the floor, in the same run, interleaved query by query: the same queries as one plain
   ``LIKE '%q%'`` over ``skus.code``, ``skus.name_zh`` and the barcodes (``LIMIT 10``).

Prints p50/p99/max per method and per query kind, the ratio of p50s, and recall: how often the SKU
the query was made from is among the results (``LIKE`` cannot find pinyin initials; that is the
point of the index).

    .venv/bin/python bench/search.py                 # 100,000 SKUs, 1,000 queries (seed 0)
    .venv/bin/python bench/search.py --quick         # 5,000 SKUs, 200 queries
    .venv/bin/python bench/search.py --postgres postgresql+psycopg://…/db   # in a new schema, dropped after
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Connection, or_, select, text  # noqa: E402

from server.store import catalogue, search_index  # noqa: E402
from server.store.catalogue import BarcodeRow  # noqa: E402
from server.store.db import Store, make_engine, open_store  # noqa: E402
from server.store.schema import barcodes, skus  # noqa: E402
from shared.catalogue.barcode import canonical_gtin, gtin_check_digit  # noqa: E402
from shared.catalogue.model import new_sku  # noqa: E402
from shared.catalogue.pinyin import pinyin_keys  # noqa: E402

BRANDS = ["小米", "华为", "美的", "格力", "海尔", "联想", "安踏", "李宁", "伊利", "蒙牛", "三只松鼠", "百草味",
          "良品铺子", "苏泊尔", "九阳", "得力", "晨光", "罗技", "公牛", "农夫山泉", "重庆", "长城", "银鹭", "乐事"]
ADJECTIVES = ["无线", "蓝牙", "智能", "便携", "加厚", "超薄", "防水", "大容量", "迷你", "高清", "静音", "快充",
              "纯棉", "保温", "有机", "原味", "低糖", "家用", "儿童", "男士", "女士", "复古", "经典", "轻薄"]
NOUNS = ["耳机", "充电器", "数据线", "保温杯", "电饭煲", "榨汁机", "台灯", "键盘", "鼠标", "牛奶", "坚果", "茶叶",
         "饼干", "背包", "运动鞋", "衬衫", "袜子", "毛巾", "洗发水", "牙膏", "雨伞", "笔记本", "中性笔", "插座",
         "收纳盒", "行李箱", "电风扇", "瑜伽垫", "咖啡豆", "巧克力"]
SPECS = ["250g", "500ml", "1L", "2米", "黑色", "白色", "蓝色", "XL", "M", "10只装", "3件套", "礼盒装", "64GB",
         "20000mAh", "升级版", "家庭装"]
KINDS = ("code", "barcode", "initials", "chinese")
LIMIT = 10


def make_catalogue(store: Store, n: int, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """N SKUs with one EAN-13 each: (id, code, name, barcode)."""
    out: list[tuple[str, str, str, str]] = []
    for start in range(0, n, 5000):
        batch = []
        for i in range(start, min(n, start + 5000)):
            words = (rng.choice(BRANDS), rng.choice(ADJECTIVES), rng.choice(NOUNS))
            name = f"{''.join(words)} {rng.choice(SPECS)}"
            body = f"69{i:010d}"
            batch.append((new_sku(f"SKU-{i:06d}", name), body + str(gtin_check_digit(body)), words))
        with store.transaction() as conn:
            catalogue.insert_skus(conn, [s for s, _, _ in batch])
            catalogue.insert_barcode_rows(conn, [BarcodeRow(canonical_gtin(b), "gtin", b, s.id, 1) for s, b, _ in batch])
        out.extend((s.id, s.code, s.name_zh, b) for s, b, _ in batch)
    return out


def make_queries(items: list[tuple[str, str, str, str]], count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, query, id of the SKU it was made from)."""
    queries = []
    for n in range(count):
        sku_id, code, name, barcode = rng.choice(items)
        kind = KINDS[n % len(KINDS)]
        han = name.split(" ")[0]
        if kind == "code":
            q = code.lower()
        elif kind == "barcode":
            q = barcode
        elif kind == "initials":
            q = pinyin_keys(han[:4]).initials  # e.g. 美的静音 → mdjy
        else:
            size = rng.choice((2, 3))
            start = rng.randrange(0, max(1, len(han) - size + 1))
            q = han[start:start + size]
        queries.append((kind, q, sku_id))
    return queries


def like_search(conn: Connection, q: str) -> list[str]:
    """The floor: one plain substring query (``LIKE`` is case-insensitive for ASCII on SQLite; the same
    on PostgreSQL is ``ILIKE``)."""
    pattern = f"%{q}%"

    def like(column: Any) -> Any:
        return column.ilike(pattern) if conn.dialect.name == "postgresql" else column.like(pattern)

    coded = select(barcodes.c.sku_id).where(or_(like(barcodes.c.raw), like(barcodes.c.key)))
    rows = conn.execute(select(skus.c.id).where(or_(like(skus.c.code), like(skus.c.name_zh), skus.c.id.in_(coded)))
                        .limit(LIMIT))
    return [r.id for r in rows]


def index_search(conn: Connection, q: str) -> list[str]:
    return [h.entity_id for h in search_index.search(conn, q, ["sku"], None, LIMIT)]


def timed(store: Store, fn: Callable[[Connection, str], list[str]], q: str) -> tuple[float, list[str]]:
    start = time.perf_counter()
    with store.read() as conn:
        found = fn(conn, q)
    return (time.perf_counter() - start) * 1000, found


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(name: str, samples: dict[str, list[float]], hits: dict[str, list[bool]]) -> None:
    every = [v for vs in samples.values() for v in vs]
    recall = sum(h for hs in hits.values() for h in hs) / max(1, sum(len(hs) for hs in hits.values()))
    print(f"  {name:<28} p50 {statistics.median(every):7.2f} ms   p99 {pct(every, 99):7.2f} ms   "
          f"max {max(every):7.2f} ms   recall {recall:6.1%}")
    for kind in KINDS:
        vs = samples[kind]
        print(f"    {kind:<26} p50 {statistics.median(vs):7.2f} ms   p99 {pct(vs, 99):7.2f} ms   "
              f"recall {sum(hits[kind]) / len(hits[kind]):6.1%}")


def run(store: Store, n_skus: int, n_queries: int, seed: int) -> None:
    rng = random.Random(seed)
    t0 = time.perf_counter()
    items = make_catalogue(store, n_skus, rng)
    print(f"catalogue: {n_skus:,} SKUs with one EAN-13 each on {store.dialect} "
          f"(built in {time.perf_counter() - t0:.1f} s, not timed)")

    t0 = time.perf_counter()
    indexed = search_index.catch_up(store)
    build_s = time.perf_counter() - t0
    with store.read() as conn:
        keys = conn.execute(text("SELECT count(*) FROM search_keys")).scalar_one()
    print(f"full index build: {build_s:.2f} s for {indexed:,} entities ({indexed / build_s:,.0f}/s), {keys:,} keys")
    checks = []
    for _ in range(50):
        t0 = time.perf_counter()
        search_index.catch_up(store)
        checks.append((time.perf_counter() - t0) * 1000)
    print(f"catch-up when nothing changed: p50 {statistics.median(checks):.2f} ms")

    queries = make_queries(items, n_queries, rng)
    samples: dict[str, dict[str, list[float]]] = {m: {k: [] for k in KINDS} for m in ("index", "like")}
    hits: dict[str, dict[str, list[bool]]] = {m: {k: [] for k in KINDS} for m in ("index", "like")}
    for kind, q, sku_id in queries:  # interleaved, so both see the same machine load
        for method, fn in (("index", index_search), ("like", like_search)):
            ms, found = timed(store, fn, q)
            samples[method][kind].append(ms)
            hits[method][kind].append(sku_id in found or kind in ("initials", "chinese") and bool(found))
    print(f"{n_queries:,} searches, limit {LIMIT} (recall: the source SKU found; for initials and Chinese "
          "substrings, which many SKUs share, any result):")
    report("search index", samples["index"], hits["index"])
    report("plain LIKE (floor)", samples["like"], hits["like"])
    p50 = {m: statistics.median([v for vs in samples[m].values() for v in vs]) for m in samples}
    p99 = {m: pct([v for vs in samples[m].values() for v in vs], 99) for m in samples}
    print(f"ratio index/LIKE: p50 {p50['index'] / p50['like']:.2f}, p99 {p99['index'] / p99['like']:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="5,000 SKUs and 200 queries")
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL (the run uses a new schema, dropped after)")
    args = parser.parse_args(argv)
    if args.quick:
        args.skus, args.queries = 5_000, 200
    if args.postgres:
        _on_postgres(args.postgres, args.skus, args.queries, args.seed)
        return
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        run(store, args.skus, args.queries, args.seed)
        store.dispose()


def _on_postgres(url: str, n_skus: int, n_queries: int, seed: int) -> None:
    """Run in a new schema of that database, dropped afterwards (nothing else in it is touched)."""
    schema = f"bench_search_{os.getpid()}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in url else "?"
        store = open_store(f"{url}{sep}options=-csearch_path%3D{schema}")
        run(store, n_skus, n_queries, seed)
        store.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
