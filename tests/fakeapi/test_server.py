"""The fake API itself: lifecycle, recording, routes, knobs, pagination endpoints."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest

from collections.abc import Iterator

from tests.fakeapi import FakeApi, Reply


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    """One client for the module: building an httpx.Client (TLS context) costs ~50 ms."""
    with httpx.Client() as client:
        yield client


def test_starts_on_a_free_loopback_port_and_stops_cleanly(http: httpx.Client) -> None:
    before = {t.name for t in threading.enumerate()}
    api = FakeApi().start()
    host, port = api.url.removeprefix("http://").split(":")
    assert host == "127.0.0.1" and int(port) > 0
    assert http.get(api.url + "/echo").status_code == 200
    api.stop()
    assert "fake-api" not in {t.name for t in threading.enumerate()} - before
    with pytest.raises(OSError):
        socket.create_connection((host, int(port)), timeout=0.5).close()


def test_records_what_went_over_the_wire(fake_api: FakeApi, http: httpx.Client) -> None:
    response = http.post(fake_api.url + "/echo?a=1&a=2", content=b'{"x": 1}', headers={"Content-Type": "application/json", "X-T": "v"})
    echoed = response.json()
    assert echoed["query"] == [["a", "1"], ["a", "2"]] and echoed["json"] == {"x": 1}
    (req,) = fake_api.requests
    assert (req.method, req.path, req.query, req.query_list) == ("POST", "/echo", {"a": "2"}, (("a", "1"), ("a", "2")))
    assert req.headers["x-t"] == "v" and req.json() == {"x": 1} and req.raw_path == "/echo?a=1&a=2"


def test_routes_are_added_per_test_and_reset(fake_api: FakeApi, http: httpx.Client) -> None:
    fake_api.add_route("GET", "/custom", lambda req, api: Reply.json({"hello": req.query.get("name")}))
    assert http.get(fake_api.url + "/custom?name=ann").json() == {"hello": "ann"}
    fake_api.reset()
    assert http.get(fake_api.url + "/custom").status_code == 404
    assert len(fake_api.requests) == 1  # reset forgot the first request


def test_a_crashing_route_answers_599_instead_of_hanging(fake_api: FakeApi, http: httpx.Client) -> None:
    fake_api.add_route("GET", "/bug", lambda req, api: 1 / 0)  # type: ignore[arg-type,return-value]
    response = http.get(fake_api.url + "/bug")
    assert response.status_code == 599 and "ZeroDivisionError" in response.json()["message"]


def test_fail_next_and_rate_limit_knobs(fake_api: FakeApi, http: httpx.Client) -> None:
    fake_api.rate_limit(1, retry_after="3", path_prefix="/api/items")
    fake_api.fail_next(1, Reply(503, "down"), path_prefix="/echo")
    limited = http.get(fake_api.url + "/api/items/offset")
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "3")
    assert http.get(fake_api.url + "/echo").status_code == 503
    assert http.get(fake_api.url + "/echo").status_code == 200
    assert http.get(fake_api.url + "/api/items/offset").status_code == 200


def test_cursor_offset_and_link_pagination_cover_all_items(fake_api: FakeApi, http: httpx.Client) -> None:
    ids, cursor = [], None
    while True:
        page = http.get(fake_api.url + "/api/items/cursor", params={"cursor": cursor or "", "limit": 10}).json()
        ids += [i["id"] for i in page["items"]]
        if not (cursor := page["nextCursor"]):
            break
    offset_ids, offset = [], 0
    while True:
        page = http.get(fake_api.url + "/api/items/offset", params={"offset": offset, "limit": 7}).json()
        offset_ids += [i["id"] for i in page["items"]]
        offset += 7
        if offset >= page["total"]:
            break
    link_ids, url = [], fake_api.url + "/api/items/link?per_page=10"
    while url:
        response = http.get(url)
        link_ids += [i["id"] for i in response.json()]
        url = response.links.get("next", {}).get("url")
    expected = [str(i) for i in range(1, 26)]
    assert ids == offset_ids == link_ids == expected


def test_expiring_tokens_and_slow_endpoint(fake_api: FakeApi, http: httpx.Client) -> None:
    token = fake_api.issue_access_token()
    headers = {"Authorization": f"Bearer {token}"}
    assert http.get(fake_api.url + "/api/me", headers=headers).status_code == 200
    fake_api.expire_access_tokens()
    expired = http.get(fake_api.url + "/api/me", headers=headers)
    assert expired.status_code == 401 and expired.json()["error"] == "invalid_token"
    assert http.get(fake_api.url + "/slow?ms=20").json() == {"sleptMs": 20}


def test_knobs_are_readable_and_writable_through_the_api_object(fake_api: FakeApi, http: httpx.Client) -> None:
    fake_api.api_key = "rotated-key-0001"
    assert fake_api.state.api_key == "rotated-key-0001"
    assert http.get(fake_api.url + "/api/key-header", headers={"X-Api-Key": "rotated-key-0001"}).status_code == 200
    fake_api.reset()
    assert fake_api.api_key != "rotated-key-0001"
