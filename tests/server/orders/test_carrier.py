"""The simulated carrier and the waybill client: Cainiao shapes, ≤10 per call, idempotent by object
id (a retried call after a lost response gets the same waybills), bad addresses refused alone,
transient errors retried, cancel."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from server.orders.carrier.app import create_carrier
from server.orders.carrier.client import CarrierClient
from server.orders.carrier.shapes import GET_METHOD, REQUEST_PARAM, Address, PackageRequest, Party, request_body
from shared.core.errors import DomainError

SENDER = Party("上海仓", "021-55550000", Address("上海市", "上海市", "浦东新区", "航头镇 88 号"))
BUYER = Party("张*", "138****0000", Address("浙江省", "杭州市", "西湖区", "文三路 1 号"))


def package(n: int, **changes: object) -> PackageRequest:
    p = PackageRequest(f"pkg-{n:03d}", "taobao", (f"4012{n:012d}",), (("西湖龙井 250g", 2),), 500, BUYER)
    return replace(p, **changes)  # type: ignore[arg-type]


@pytest.fixture
def carrier() -> tuple[TestClient, CarrierClient]:
    app = create_carrier(seed=7)
    http = TestClient(app)
    return http, CarrierClient(http, cp_code="YTO", sender=SENDER, sleep=lambda _s: None)


def test_get_waybills_25_packages_three_calls_each_object_one_code(carrier: tuple[TestClient, CarrierClient]) -> None:
    http, client = carrier
    result = client.get_waybills([package(i) for i in range(25)])
    assert not result.failed and len(result.issued) == 25
    assert len({w.waybill_code for w in result.issued.values()}) == 25
    sim = http.app.state.carrier  # type: ignore[attr-defined]
    assert sim.calls == 3 and all(len(json.loads(r[REQUEST_PARAM])["trade_order_info_dtos"]) <= 10 for r in sim.requests)
    assert result.issued["pkg-001"].waybill_code.startswith("YTO")
    assert json.loads(result.issued["pkg-001"].print_data)["objectId"] == "pkg-001"


def test_get_waybills_same_object_again_same_code(carrier: tuple[TestClient, CarrierClient]) -> None:
    _http, client = carrier
    first = client.get_waybills([package(1), package(2)])
    again = client.get_waybills([package(2), package(1)])
    assert {k: w.waybill_code for k, w in first.issued.items()} == {k: w.waybill_code for k, w in again.issued.items()}


def test_get_waybills_lost_response_retried_gets_the_same_waybills(carrier: tuple[TestClient, CarrierClient]) -> None:
    http, client = carrier
    sim = http.app.state.carrier  # type: ignore[attr-defined]
    sim.lose_next = 1
    sim.fail_next = [429]
    result = client.get_waybills([package(1), package(2)])
    assert not result.failed and len(sim.issued) == 2 and sim.calls == 3
    assert {w.waybill_code for w in result.issued.values()} == {w.waybill_code for w in sim.issued.values()}


def test_get_waybills_carrier_down_fails_the_batch_as_unavailable(carrier: tuple[TestClient, CarrierClient]) -> None:
    http, client = carrier
    http.app.state.carrier.fail_next = [503] * 10  # type: ignore[attr-defined]
    result = client.get_waybills([package(1)])
    assert not result.issued and result.failed["pkg-001"].code == "waybill.carrier_unavailable"
    assert client.get_waybills([package(1)]).failed["pkg-001"].code == "waybill.carrier_unavailable"  # 4 more 503s
    assert client.get_waybills([package(1)]).issued  # the carrier is back


def test_get_waybills_bad_address_fails_alone(carrier: tuple[TestClient, CarrierClient]) -> None:
    _http, client = carrier
    bad = package(2, recipient=Party("李*", "139****0000", Address("广东省", "", "天河区", "体育西路")))
    result = client.get_waybills([package(1), bad, package(3)])
    assert set(result.issued) == {"pkg-001", "pkg-003"}
    error = result.failed["pkg-002"]
    assert error.code == "waybill.bad_address" and "city" in error.message("en")


def test_carrier_refuses_bad_address_naming_the_object_and_the_client_sends_the_rest() -> None:
    app = create_carrier()
    http = TestClient(app)
    client = CarrierClient(http, cp_code="YTO", sender=SENDER, sleep=lambda _s: None)
    bad = package(2, recipient=Party("李*", "139****0000", Address("广东省", "广州市", "天河区", " ")))
    body = request_body("YTO", SENDER, [package(1), bad])
    answer = http.post("/cainiao/router/rest", data={"method": GET_METHOD, REQUEST_PARAM: json.dumps(body)}).json()
    assert answer["error_response"]["sub_code"] == "isv.address-invalid" and answer["error_response"]["object_id"] == "pkg-002"
    client._batch("YTO", [package(1), bad], result := client.get_waybills([]))  # remote refusal path, bypassing the local check
    assert set(result.issued) == {"pkg-001"} and result.failed["pkg-002"].code == "waybill.bad_address"


def test_carrier_more_than_10_in_one_call_is_refused() -> None:
    http = TestClient(create_carrier())
    body = request_body("YTO", SENDER, [package(i) for i in range(11)])
    answer = http.post("/cainiao/router/rest", data={"method": GET_METHOD, REQUEST_PARAM: json.dumps(body)}).json()
    assert answer["error_response"]["sub_code"] == "isv.too-many-orders"
    assert http.app.state.carrier.issued == {}  # type: ignore[attr-defined]


@pytest.mark.parametrize("mutate", [lambda b: b.pop("cp_code"), lambda b: b.update(trade_order_info_dtos=[]),
                                    lambda b: b["trade_order_info_dtos"][0]["package_info"].update(items=[{"name": "x", "count": 0}]),
                                    lambda b: b["trade_order_info_dtos"][0].update(object_id=""),
                                    lambda b: b["sender"]["address"].pop("province")])
def test_carrier_malformed_request_is_refused_with_top_error(mutate: object) -> None:
    http = TestClient(create_carrier())
    body = request_body("YTO", SENDER, [package(1)])
    mutate(body)  # type: ignore[operator]
    answer = http.post("/cainiao/router/rest", data={"method": GET_METHOD, REQUEST_PARAM: json.dumps(body)}).json()
    assert answer["error_response"]["sub_code"] in ("isv.parameter-invalid", "isv.address-invalid")


def test_cancel_waybill_then_again_and_unknown(carrier: tuple[TestClient, CarrierClient]) -> None:
    http, client = carrier
    code = client.get_waybills([package(1)]).issued["pkg-001"].waybill_code
    client.cancel(code)
    client.cancel(code)
    assert http.app.state.carrier.issued[("YTO", "pkg-001")].cancelled  # type: ignore[attr-defined]
    with pytest.raises(DomainError) as exc:
        client.cancel("YTO000000000000")
    assert exc.value.code == "waybill.not_found"
