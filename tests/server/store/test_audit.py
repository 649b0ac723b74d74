from __future__ import annotations

import threading

import pytest
from sqlalchemy import Connection, select, text

from server.store import audit, events
from server.store.db import Store
from server.store.schema import audit_head, audit_log


def _entries(store: Store) -> list[dict[str, object]]:
    with store.read() as conn:
        return [dict(r._mapping) for r in conn.execute(select(audit_log).order_by(audit_log.c.seq))]


def _verify(store: Store) -> int | None:
    with store.read() as conn:
        return audit.verify(conn)


def _five(store: Store) -> None:
    with store.transaction() as conn:
        events.record(conn, "sku.created", "sku", "s1", {"code": "A-1", "name_zh": "苹果"}, hlc=1)
        events.record(conn, "sku.updated", "sku", "s1", {"before": {"price_fen": 100}, "after": {"price_fen": 120}}, hlc=2)
    with store.transaction() as conn:
        events.record_many(conn, [("bin.created", "bin", f"b{i}", {"code": f"B-{i}"}) for i in range(3)], hlc=3)


def test_every_event_appends_a_chained_entry(store: Store) -> None:
    _five(store)
    rows = _entries(store)
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["prev_hash"] == "" and all(b["prev_hash"] == a["hash"] for a, b in zip(rows, rows[1:], strict=False))
    assert all(r["hash"] == audit.entry_hash(r) for r in rows)
    assert rows[0]["before"] is None and rows[0]["after"] == {"code": "A-1", "name_zh": "苹果"}
    assert rows[1]["before"] == {"price_fen": 100} and rows[1]["after"] == {"price_fen": 120}
    assert {(r["actor"], r["source"]) for r in rows} == {("system", "system")}
    assert rows[2]["action"] == "bin.created" and rows[2]["entity_type"] == "bin" and rows[2]["entity_id"] == "b0"
    assert _verify(store) is None
    with store.read() as conn:
        assert conn.execute(select(audit_head.c.seq, audit_head.c.hash)).one() == (5, rows[-1]["hash"])


def test_who_and_where_come_from_the_acting_context(store: Store) -> None:
    with audit.acting("user-1", "ip:10.0.0.7"), store.transaction() as conn:
        events.record(conn, "sku.created", "sku", "s1", {}, hlc=1)
    assert [(r["actor"], r["source"]) for r in _entries(store)] == [("user-1", "ip:10.0.0.7")]
    assert audit.current_actor() == ("system", "system")


def _set_after(conn: Connection, seq: int, value: str) -> None:
    cast = "CAST(:v AS JSON)" if conn.dialect.name == "postgresql" else ":v"
    conn.execute(text(f'UPDATE audit_log SET "after" = {cast} WHERE seq = :s'), {"v": value, "s": seq})


@pytest.mark.parametrize("seq", [1, 3, 5])
def test_an_edited_entry_is_found_at_its_seq(store: Store, seq: int) -> None:
    _five(store)
    with store.transaction() as conn:
        _set_after(conn, seq, '{"code": "FORGED"}')
    assert _verify(store) == seq


def test_an_entry_rehashed_after_editing_breaks_the_next_link(store: Store) -> None:
    _five(store)
    row = _entries(store)[1]
    row["actor"] = "someone-else"
    with store.transaction() as conn:
        conn.execute(text("UPDATE audit_log SET actor = :a, hash = :h WHERE seq = 2"), {"a": "someone-else", "h": audit.entry_hash(row)})
    assert _verify(store) == 3


@pytest.mark.parametrize("seq", [1, 3, 5])
def test_a_deleted_entry_is_found_at_its_seq(store: Store, seq: int) -> None:
    _five(store)
    with store.transaction() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": seq})
    assert _verify(store) == seq


def test_a_rolled_back_change_leaves_no_entry(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as conn:
        events.record(conn, "sku.created", "sku", "s1", {}, hlc=1)
        raise RuntimeError("abort")
    assert _entries(store) == [] and _verify(store) is None
    with store.transaction() as conn:
        events.record(conn, "sku.created", "sku", "s2", {}, hlc=2)
    assert [r["seq"] for r in _entries(store)] == [1] and _verify(store) is None


def test_a_rolled_back_savepoint_leaves_no_entry(store: Store) -> None:
    with store.transaction() as conn:
        events.record(conn, "sku.created", "sku", "s1", {}, hlc=1)
        with pytest.raises(RuntimeError), conn.begin_nested():
            events.record(conn, "sku.created", "sku", "s2", {}, hlc=2)
            raise RuntimeError("abort")
        events.record(conn, "sku.created", "sku", "s3", {}, hlc=3)
    assert [(r["seq"], r["entity_id"]) for r in _entries(store)] == [(1, "s1"), (2, "s3")]
    assert _verify(store) is None


def test_concurrent_writers_keep_one_chain(store: Store) -> None:
    per_thread, threads = 40, 4
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with audit.acting(f"writer-{n}", "cli"), store.transaction() as conn:
                    events.record(conn, "sku.updated", "sku", f"s{n}-{i}", {"i": i}, hlc=i + 1)
                    events.record_many(conn, [("bin.created", "bin", f"b{n}-{i}", {"i": i})], hlc=i + 1)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    rows = _entries(store)
    assert [r["seq"] for r in rows] == list(range(1, 2 * per_thread * threads + 1))
    assert _verify(store) is None
