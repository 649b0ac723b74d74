"""The order rule pages: the rules by kind and position in words, creating and editing one with its
definition as JSON validated by ``parse_rule`` (a bad one names the field and saves nothing)."""

from __future__ import annotations

import json
import re

from server.store import order_rules
from tests.server.web.conftest import Browser
from tests.server.web.helpers import cell, user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}


def _lang(browser: Browser, lang: str) -> None:
    browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")


def _rules(world: World) -> list[dict[str, object]]:
    with world.store.read() as conn:
        return order_rules.rows(conn, enabled_only=False)


def _save(browser: Browser, path: str, **fields: str):  # type: ignore[no-untyped-def]
    data = {"kind": "review", "name": "大额订单", "position": "10", "enabled": "1",
            "definition": json.dumps({"paid_over_fen": 500000}), **fields}
    return browser.post(path, {"csrf_token": browser.csrf_from("/app/rules/new"), **data})


def test_rules_list_describes_each_rule_in_the_viewers_language(world: World, browser: Browser) -> None:
    with world.store.transaction() as conn:
        rid = order_rules.save_rule(conn, kind="review", name="<script>alert(1)</script>{{7*7}}", position=5,
                                    definition={"paid_over_fen": 500000})
    assert browser.login().status_code == 303
    for lang, words in (("zh-CN", "实付超过 5000.00 元时拦截"), ("en", "hold when paid is over 5000.00")):
        _lang(browser, lang)
        r = browser.get("/app/rules", headers=HTML)
        assert r.status_code == 200
        row = re.search(rf'<tr data-rule="{rid}">(.*?)</tr>', r.text, re.S).group(1)
        assert words in cell(row, "words") and cell(row, "position") == "5"
        assert "<script>alert(1)</script>" not in r.text and "{{7*7}}" in r.text
        form = browser.get("/app/rules/new", headers=HTML)
        assert form.status_code == 200 and form.text.count('<pre class="example"') == 6


def test_create_rule_saves_the_parsed_row_and_shows_it(world: World, browser: Browser) -> None:
    assert browser.login().status_code == 303
    r = _save(browser, "/app/rules/new")
    assert r.status_code == 303
    (rule,) = _rules(world)
    assert (rule["kind"], rule["name"], rule["position"], rule["enabled"]) == ("review", "大额订单", 10, True)
    assert rule["definition"]["paid_over_fen"] == 500000  # type: ignore[index]
    assert r.headers["location"] == f"/app/rules/{rule['id']}"
    assert "500000" in browser.get(r.headers["location"], headers=HTML).text


def test_edit_rule_replaces_it_and_can_disable_it(world: World, browser: Browser) -> None:
    with world.store.transaction() as conn:
        rid = order_rules.save_rule(conn, kind="review", name="old", position=1, definition={"risk": True})
    assert browser.login().status_code == 303
    r = browser.post(f"/app/rules/{rid}", {"csrf_token": browser.csrf_from(f"/app/rules/{rid}"), "kind": "review",
                                           "name": "new", "position": "2", "definition": '{"cod": true}'})
    assert r.status_code == 303
    (rule,) = _rules(world)
    assert (rule["id"], rule["name"], rule["position"], rule["enabled"], rule["version"]) == (rid, "new", 2, False, 2)
    assert browser.get("/app/rules/nope", headers=HTML).status_code == 404


def test_bad_definition_names_the_field_and_saves_nothing(world: World, browser: Browser) -> None:
    assert browser.login().status_code == 303
    for lang in ("zh-CN", "en"):
        _lang(browser, lang)
        r = _save(browser, "/app/rules/new", definition='{"paid_over_fen": "lots"}')
        assert r.status_code == 422 and "definition.paid_over_fen" in r.text
        assert "&#34;lots&#34;" in r.text or "&quot;lots&quot;" in r.text  # the typed text is kept
        r = _save(browser, "/app/rules/new", definition="{not json")
        assert r.status_code == 422 and "JSON" in r.text
        r = _save(browser, "/app/rules/new", position="first")
        assert r.status_code == 422 and "position" in r.text
        r = _save(browser, "/app/rules/new", kind="bogus")
        assert r.status_code == 422
    assert _rules(world) == []


def test_rule_pages_need_rules_manage(world: World, browser: Browser) -> None:
    with world.store.transaction() as conn:
        rid = order_rules.save_rule(conn, kind="review", name="r", position=1, definition={"risk": True})
    user_with(world, browser, "viewer", {"orders.view"})
    for path in ("/app/rules", "/app/rules/new", f"/app/rules/{rid}"):
        assert browser.get(path, headers=HTML).status_code == 403
