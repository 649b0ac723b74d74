"""The device session against a real server: enrolment, sign-in with PINs and lock-out, language,
home counts and sync status, offline as a normal state."""

from __future__ import annotations

import pytest

from client.services.errors import NotSignedIn
from client.services.pick import PickFlow
from server import demo
from server.store.changes import stamp
from server.store.schema import users
from shared.core.errors import ValidationError
from tests.client.services.world import World


def test_enrol_with_a_code_bootstraps_the_warehouse(world: World) -> None:
    s = world.session()
    assert not s.enrolled
    fb = s.enrol(world.code("WH-SH"))
    assert fb.ok and fb.tone == "done" and fb.detail["warehouse"] == "WH-SH"
    assert s.enrolled and s.warehouse is not None and s.warehouse.code == "WH-SH"
    assert not s.store_mode
    home = s.home()
    assert home.work.pick_tasks == 3 and home.work.receipts_open == 3 and home.work.transfers_to_receive == 1
    assert home.work.transfers_to_ship == 0 and home.work.stocktakes_open == 0
    assert home.sync.pending_ops == 0 and home.sync.last_ok_ms == world.clock.now() and not home.sync.offline


def test_enrol_with_a_bad_code_is_refused(world: World) -> None:
    s = world.session()
    fb = s.enrol("AAAA-BBBB-CCCC")
    assert not fb.ok and fb.code == "device.bad_enrolment_code" and not s.enrolled


def test_enrol_while_the_server_is_down_is_refused_and_can_be_retried(world: World) -> None:
    s = world.session()
    code = world.code()
    world.transport.down = True
    fb = s.enrol(code)
    assert not fb.ok and fb.code == "sync.network" and not s.enrolled
    world.transport.down = False
    assert s.enrol(code).ok


def test_enrol_twice_is_refused(world: World) -> None:
    s = world.device()
    assert s.enrol(world.code()).code == "handheld.already_enrolled"


def test_users_lists_active_users_only(world: World) -> None:
    world.write(lambda c: c.execute(users.update().where(users.c.username == "wangwu").values(active=False, change_seq=stamp(c))))
    s = world.session()
    s.enrol(world.code())
    names = [u.username for u in s.users()]
    assert "zhangsan" in names and "wangwu" not in names
    assert s.sign_in("wangwu", demo.DEMO_PIN).code == "handheld.wrong_pin"


def test_sign_in_with_the_right_pin_signs_in_and_sign_out_ends_it(world: World) -> None:
    s = world.session()
    s.enrol(world.code())
    fb = s.sign_in("zhangsan", demo.DEMO_PIN)
    assert fb.ok and s.user is not None and s.user.display_name in fb.message_zh
    assert s.context().user_id == "zhangsan"
    s.sign_out()
    with pytest.raises(NotSignedIn):
        s.context()


def test_five_wrong_pins_lock_sign_in_for_60_seconds_even_across_a_restart(world: World) -> None:
    s = world.session()
    s.enrol(world.code())
    answers = [s.sign_in("zhangsan", "9999") for _ in range(5)]
    assert [a.code for a in answers] == ["handheld.wrong_pin"] * 4 + ["handheld.pin_locked"]
    assert answers[0].detail["left"] == 4
    s.close()
    world.sessions.remove(s)
    s = world.session()
    world.clock.advance(30_000)
    locked = s.sign_in("zhangsan", demo.DEMO_PIN)
    assert locked.code == "handheld.pin_locked" and locked.detail["seconds"] == 30 and s.user is None
    world.clock.advance(30_000)
    assert s.sign_in("zhangsan", demo.DEMO_PIN).ok


def test_language_defaults_to_chinese_and_the_switch_persists(world: World) -> None:
    s = world.device()
    assert s.language == "zh-CN"
    s.set_language("en")
    s = world.reopen(s)
    assert s.language == "en" and s.home().language == "en"
    with pytest.raises(ValidationError):
        s.set_language("fr")


def test_sync_now_while_the_server_is_down_reports_offline_and_keeps_the_ops(world: World) -> None:
    s = world.device()
    flow = PickFlow(s.context())
    task = flow.tasks()[0]
    world.transport.down = True
    assert flow.start(task.id).ok  # the claim is recorded offline
    outcome = s.sync_now()
    assert not outcome.ok and outcome.offline and outcome.feedback.code == "handheld.offline"
    status = s.sync_status()
    assert status.offline and status.pending_ops == 1 and status.last_error == "sync.network"
    world.transport.down = False
    world.clock.advance(1_000)
    outcome = s.sync_now()
    assert outcome.ok and outcome.acked == 1 and not s.sync_status().offline
    assert s.sync_status().last_ok_ms == world.clock.now() and s.sync_status().pending_ops == 0
    assert world.task(task.id).state == "claimed"


def test_home_shows_ops_the_server_rejected_for_this_device(world: World) -> None:
    first, second = world.device("pda1"), world.device("pda2", user="lisi")
    task_id = PickFlow(first.context()).tasks()[0].id
    assert PickFlow(first.context()).start(task_id).ok
    assert PickFlow(second.context()).start(task_id).ok  # both offline-claim; the server keeps the first
    assert first.sync_now().ok
    outcome = second.sync_now()
    assert outcome.ok and outcome.rejected == 1 and outcome.feedback.tone == "warn"
    rejected = second.home().sync.rejected
    assert [r.code for r in rejected] == ["task.claimed_by_other"] and rejected[0].message("en")


def test_a_device_of_a_store_is_in_store_mode(world: World) -> None:
    s = world.device(warehouse="ST-NJL")
    assert s.store_mode and s.context().store_mode and s.home().store_mode
