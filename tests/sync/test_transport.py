"""HttpxTransport over httpx.MockTransport: no clear text to anything but loopback, bearer tokens,
network failures as the one retryable TransportError, and the server's error shape read back."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from sync.transport import (
    HttpxTransport,
    InsecureTransportError,
    ServerRefused,
    Transport,
    TransportError,
    check_base_url,
    is_loopback_host,
)


def echo(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content) if request.content else None
    return httpx.Response(200, json={"method": request.method, "url": str(request.url), "body": body,
                                     "auth": request.headers.get("authorization")})


Handler = Callable[[httpx.Request], httpx.Response]


def transport(handler: Handler = echo, base_url: str = "https://erp.example.com/", **kw: bool) -> HttpxTransport:
    return HttpxTransport(httpx.Client(transport=httpx.MockTransport(handler)), base_url, **kw)


@pytest.mark.parametrize("url", ["http://erp.example.com", "http://10.0.0.5:8000", "http://[::2]:8000",
                                 "http://0.0.0.0:8000", "http://localhost.evil.com", "ftp://erp.example.com", "erp.example.com"])
def test_insecure_http_to_a_host_that_is_not_loopback_is_refused(url: str) -> None:
    with pytest.raises(InsecureTransportError) as caught:
        transport(base_url=url)
    assert caught.value.code == "sync.insecure_transport" and not caught.value.retryable


@pytest.mark.parametrize("url", ["https://erp.example.com", "http://127.0.0.1:8000", "http://127.8.9.10",
                                 "http://localhost:8000", "http://LOCALHOST", "http://[::1]:8000", "http://[::ffff:127.0.0.1]"])
def test_https_and_loopback_http_are_allowed(url: str) -> None:
    assert check_base_url(url) == url.rstrip("/")


def test_allow_insecure_http_lets_plain_http_through() -> None:
    status, body = transport(base_url="http://192.168.1.20:8000", allow_insecure_http=True).get_json("/sync/v1/pull", {}, "t")
    assert status == 200 and body["url"].startswith("http://192.168.1.20:8000/")


def test_is_loopback_host_reads_names_and_addresses() -> None:
    assert [is_loopback_host(h) for h in ("localhost", "127.0.0.1", "::1", "10.0.0.1", "example.com")] == [
        True, True, True, False, False]


def test_post_json_sends_the_body_and_a_bearer_token() -> None:
    status, body = transport().post_json("/sync/v1/push", {"ops": [{"n": "茶"}]}, "tok-123")
    assert status == 200
    assert body == {"method": "POST", "url": "https://erp.example.com/sync/v1/push", "body": {"ops": [{"n": "茶"}]},
                    "auth": "Bearer tok-123"}


def test_get_json_sends_params_and_no_token_when_none() -> None:
    _status, body = transport().get_json("/sync/v1/pull", {"cursor": 5, "limit": 10}, None)
    assert body["url"] == "https://erp.example.com/sync/v1/pull?cursor=5&limit=10" and body["auth"] is None


def test_get_bytes_returns_status_lower_case_headers_and_content() -> None:
    def snapshot(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"X-ERP-Cursor": "42"}, content=b"SQLite format 3\x00")

    status, headers, content = transport(snapshot).get_bytes("/sync/v1/snapshot", "t")
    assert (status, headers["x-erp-cursor"], content) == (200, "42", b"SQLite format 3\x00")


@pytest.mark.parametrize("failure", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"),
                                     httpx.RemoteProtocolError("cut off"), ConnectionResetError("reset")])
def test_network_failures_become_a_retryable_transport_error(failure: Exception) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    with pytest.raises(TransportError) as caught:
        transport(fail).post_json("/sync/v1/push", {"ops": []}, "t")
    assert caught.value.code == "sync.network" and caught.value.retryable


def test_a_body_that_is_not_a_json_object_reads_as_empty() -> None:
    def portal(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>Bad gateway</html>")

    assert transport(portal).get_json("/sync/v1/pull", {}, "t") == (502, {})


def test_server_refused_takes_the_servers_code_and_texts() -> None:
    refused = ServerRefused(401, {"error": {"code": "device.revoked", "message": "设备已被停用", "message_en": "revoked",
                                            "details": {}}})
    assert (refused.code, refused.status, refused.server_message) == ("device.revoked", 401, "设备已被停用")
    unknown = ServerRefused(418, {"error": {"code": "teapot.full"}})
    assert (unknown.code, unknown.server_code, unknown.details["status"]) == ("sync.refused", "teapot.full", 418)


def test_a_path_without_a_leading_slash_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        transport().get_json("sync/v1/pull", {}, "t")


def test_httpx_transport_is_a_transport() -> None:
    chosen: Transport = transport()
    assert chosen.get_json("/x", {}, None)[0] == 200
