"""The device status header: round trip, and anything malformed or unbounded is ignored (None)."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.device_status import HEADER, MAX_HEADER, DeviceStatus
from sync.transport import HttpxTransport

statuses = st.builds(DeviceStatus, user=st.text(st.characters(min_codepoint=32, max_codepoint=0x9FFF), max_size=20).filter(str.isprintable),
                     pending=st.integers(0, 10**6), scan_ms_p50=st.none() | st.integers(0, 10**5), app_version=st.sampled_from(["", "0.1.0"]))


@given(statuses)
def test_a_status_survives_its_header(status: DeviceStatus) -> None:
    header = status.to_header()
    assert header.isascii() and DeviceStatus.from_header(header) == status


@pytest.mark.parametrize("value", [None, "", "not json", "[]", '{"pending": -1}', '{"pending": true}', '{"pending": 1.5}',
                                   '{"user": "a\\u0000b"}', json.dumps({"user": "x" * 65}), '{"scan_ms_p50": "fast"}',
                                   "{" + " " * MAX_HEADER + "}"])
def test_a_malformed_status_is_ignored(value: str | None) -> None:
    assert DeviceStatus.from_header(value) is None


def test_the_transport_sends_the_status_with_every_authenticated_request() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get(HEADER))
        return httpx.Response(200, json={})

    transport = HttpxTransport(httpx.Client(transport=httpx.MockTransport(handler)), "http://127.0.0.1:9")
    transport.status = lambda: DeviceStatus("zhangsan", 3, 6, "0.1.0")
    transport.get_json("/sync/v1/pull", {"cursor": 0}, "token")
    transport.post_json("/sync/v1/enrol", {}, None)  # no token (enrolment): nothing to report yet
    assert seen[0] is not None and json.loads(seen[0])["user"] == "zhangsan" and seen[1] is None
