"""Order store modules: shops and cursors, rules as rows, the exception queue, the timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from server.store import order_rules
from server.store import shops as shop_store
from shared.core.errors import ConflictError, NotFoundError, ValidationError
from tests.server.world import World, world  # noqa: F401


def test_shop_settings_are_checked_and_stored(world: World) -> None:
    with world.store.transaction() as conn:
        shop = shop_store.insert_shop(conn, shop_store.new_shop("douyin", " dy-1 ", "抖店 旗舰店", world.wh_a,
                                                                safety_stock=3, push_ratio_pct=80,
                                                                api_base_url="http://sim/"))
        assert shop_store.get_shop(conn, shop.id) == shop and shop.code == "dy-1" and shop.api_base_url == "http://sim"
        with pytest.raises(ConflictError):
            shop_store.insert_shop(conn, shop_store.new_shop("jd", "dy-1", "重复", world.wh_a))
        changed = shop_store.update_shop(conn, shop.id, push_ratio_pct=50, active=False)
        assert shop_store.get_shop(conn, shop.id) == changed and shop_store.list_shops(conn, active_only=True) == []


@pytest.mark.parametrize("settings", [{"push_ratio_pct": 101}, {"push_ratio_pct": -1}, {"safety_stock": -1},
                                      {"safety_stock": 1.5}, {"push_ratio_pct": True}])
def test_shop_with_nonsense_settings_is_refused(world: World, settings: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as caught:
        shop_store.new_shop("jd", "jd-1", "京东", world.wh_a, **settings)  # type: ignore[arg-type]
    assert caught.value.code == "shop.bad_settings"


def test_shop_of_unknown_platform_or_warehouse_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        shop_store.new_shop("amazon", "a-1", "A", world.wh_a)
    with world.store.transaction() as conn, pytest.raises(NotFoundError):
        shop_store.insert_shop(conn, shop_store.new_shop("jd", "jd-1", "京东", "no-such-warehouse"))


def test_cursor_round_trips_in_utc(world: World) -> None:
    with world.store.transaction() as conn:
        shop = shop_store.insert_shop(conn, shop_store.new_shop("jd", "jd-1", "京东", world.wh_a))
        assert shop_store.get_cursor(conn, shop.id).modified_through is None
        china = datetime(2024, 11, 12, 8, 0, tzinfo=timezone(timedelta(hours=8)))
        page = {"start": "x", "end": "y", "page": 3, "page_size": 50, "cursor": None}
        shop_store.save_cursor(conn, shop_store.Cursor(shop.id, china, page, 2))
        shop_store.save_cursor(conn, shop_store.Cursor(shop.id, china, page, 3))
        cursor = shop_store.get_cursor(conn, shop.id)
    assert cursor.modified_through == datetime(2024, 11, 12, tzinfo=UTC) and cursor.page == page and cursor.pages_done == 3


def test_rules_are_rows_by_position_with_versions(world: World) -> None:
    with world.store.transaction() as conn:
        second = order_rules.save_rule(conn, kind="review", name="B", position=2, definition={"risk": True})
        first = order_rules.save_rule(conn, kind="review", name="A", position=1, definition={"refund": True})
        order_rules.save_rule(conn, kind="review", name="C", position=0, definition={"risk": True}, enabled=False)
        order_rules.save_rule(conn, kind="review", name="B2", position=2, definition={"presale": True}, rule_id=second)
        rows = order_rules.rows(conn)
    assert [(r["id"], r["name"], r["version"]) for r in rows] == [(first, "A", 1), (second, "B2", 2)]
    assert rows[1]["definition"] == {"presale": True}
