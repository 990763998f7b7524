"""The loopback replay server and the case runner, with a plain httpx client as the "connector".

These tests drive the runner through its `invoke` seam, so they pin down replay semantics
(unexpected requests, unused exchanges, `times:`, routing of concurrent cases) independently of
the runtime; tests/suites/test_cli.py runs real connectors.
"""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime._errors import BadRequestError
from runtime._suite import (
    Case,
    Outcome,
    Replay,
    ReplayServer,
    check_outcome,
    load_case_file,
    run_case,
    run_cases,
)


def load(tmp_path: Path, text: str) -> list[Case]:
    connector = tmp_path / "acme"
    (connector / "tests").mkdir(parents=True, exist_ok=True)
    (connector / "spec.yml").write_text("key: acme\n")
    path = connector / "tests" / "case.yml"
    path.write_text(textwrap.dedent(text))
    return load_case_file(path)


LIST_CASE = """
    name: lists
    method: data/contacts/list
    connection: {credentials: {token: tok-1}}
    exchanges:
      - request:
          method: GET
          path: /v3/contacts
          query: {limit: 100}
          headers: {Authorization: "Bearer {{secret:token}}"}
        response:
          headers: {X-Total: "2"}
          body: {results: [{id: 1}, {id: 2}]}
      - request: {method: DELETE, path: /v3/contacts/9}
        response: {status: 204}
    expect:
      output: {count: 2}
    """


def client_invoke(*requests: tuple[str, str, dict[str, Any]]) -> Any:
    """An `invoke` that sends the given requests and returns the number of results seen."""

    async def invoke(case: Case, transport: httpx.AsyncBaseTransport) -> Outcome:
        count = 0
        async with httpx.AsyncClient(transport=transport, base_url="https://api.acme.example") as client:
            for method, url, kw in requests:
                response = await client.request(method, url, **kw)
                if response.status_code == 200:
                    count += len(response.json()["results"])
        return Outcome(output={"count": count})

    return invoke


GOOD_LIST = ("GET", "/v3/contacts?limit=100&extra=1", {"headers": {"Authorization": "Bearer tok-1"}})
GOOD_DELETE = ("DELETE", "/v3/contacts/9", {})


async def _run(case: Case, invoke: Any) -> Any:
    with ReplayServer() as server:
        return await run_case(case, server, invoke)


def test_a_case_whose_requests_all_match_passes(tmp_path: Path) -> None:
    [case] = load(tmp_path, LIST_CASE)
    result = asyncio.run(_run(case, client_invoke(GOOD_DELETE, GOOD_LIST)))  # any order
    assert result.passed, result.report()


def test_unexpected_request_fails_with_a_diff_against_the_closest_exchange(tmp_path: Path) -> None:
    [case] = load(tmp_path, LIST_CASE)
    bad = ("GET", "/v3/contacts?limit=50", {"headers": {"Authorization": "Bearer other"}})
    result = asyncio.run(_run(case, client_invoke(bad, GOOD_DELETE)))
    assert not result.passed
    assert result.report() == textwrap.dedent("""\
        FAILED acme::case.yml::lists
          file: acme/tests/case.yml
          unexpected request: GET /v3/contacts?limit=50 (host api.acme.example)
            closest expected: exchange #0 (GET /v3/contacts?limit=100) at acme/tests/case.yml exchanges[0]
              query limit: expected "100", got "50"
              header authorization: expected "Bearer tok-1", got "Bearer other"
          output differs (exact):
            count: expected 2, got 0
            actual output: {"count": 0}
          exchange never used: exchange #0 (GET /v3/contacts?limit=100) at acme/tests/case.yml exchanges[0] (used 0 of 1 time(s))""")


def test_the_server_answers_an_unexpected_request_with_599(tmp_path: Path) -> None:
    [case] = load(tmp_path, LIST_CASE)
    replay = Replay(case.exchanges)

    async def go() -> httpx.Response:
        with ReplayServer() as server:
            transport = server.transport(server.add(replay))
            async with httpx.AsyncClient(transport=transport) as client:
                return await client.post("https://elsewhere.example/nothing", json={"a": 1})

    response = asyncio.run(go())
    assert response.status_code == 599
    assert response.json() == {"error": "unexpected request: no recorded exchange matches it"}
    [miss] = replay.unexpected
    assert miss.request.json_body() == {"a": 1}
    assert miss.text().splitlines()[0] == "unexpected request: POST /nothing (host elsewhere.example)"


def test_an_exchange_is_used_once_unless_times_says_more(tmp_path: Path) -> None:
    [case] = load(tmp_path, LIST_CASE)
    result = asyncio.run(_run(case, client_invoke(GOOD_LIST, GOOD_LIST, GOOD_DELETE)))
    assert [f.splitlines()[:3] for f in result.failures[:1]] == [[
        "unexpected request: GET /v3/contacts?limit=100&extra=1 (host api.acme.example)",
        "  closest expected: exchange #0 (GET /v3/contacts?limit=100) at acme/tests/case.yml exchanges[0]",
        "  it matches, but was already used 1 time(s) (add `times:` to the exchange to allow more)",
    ]]
    [case] = load(tmp_path, LIST_CASE.replace("- request: {method: DELETE", "- times: 2\n        request: {method: DELETE"))
    result = asyncio.run(_run(case, client_invoke(GOOD_LIST, GOOD_DELETE)))
    assert result.failures == [
        "exchange never used: exchange #1 (DELETE /v3/contacts/9) at acme/tests/case.yml exchanges[1] (used 1 of 2 time(s))"]
    result = asyncio.run(_run(case, client_invoke(GOOD_LIST, GOOD_DELETE, GOOD_DELETE)))
    assert result.passed, result.report()


def test_responses_carry_status_headers_and_bodies(tmp_path: Path) -> None:
    [case] = load(tmp_path, """
        method: x
        exchanges:
          - request: {method: GET, path: /text}
            response: {status: 503, headers: {Retry-After: "1", Content-Type: text/html}, body: "<h1>down</h1>"}
          - request: {method: POST, path: /form, form: {a: "1"}}
            response: {status: 204}
          - request: {method: PUT, path: /chunked, bodyText: "abcdef"}
        expect: {}
        """)
    replay = Replay(case.exchanges)

    async def go() -> list[httpx.Response]:
        async def chunks() -> Any:
            yield b"abc"
            yield b"def"

        with ReplayServer() as server:
            async with httpx.AsyncClient(transport=server.transport(server.add(replay))) as client:
                return [
                    await client.get("http://api.test/text"),
                    await client.post("http://api.test/form", data={"a": "1", "b": "2"}),
                    await client.put("http://api.test/chunked", content=chunks()),
                ]

    text, form, chunked = asyncio.run(go())
    assert (text.status_code, text.headers["retry-after"], text.headers["content-type"], text.text) == (
        503, "1", "text/html", "<h1>down</h1>")
    assert (form.status_code, form.content) == (204, b"")
    assert chunked.status_code == 200, chunked.text
    assert replay.unexpected == [] and replay.unused() == []


def test_many_cases_share_one_server_concurrently(tmp_path: Path) -> None:
    [case] = load(tmp_path, LIST_CASE)
    in_flight = [0, 0]  # now, most at once

    async def slow_invoke(c: Case, transport: httpx.AsyncBaseTransport) -> Outcome:
        in_flight[0] += 1
        in_flight[1] = max(in_flight)
        try:
            await asyncio.sleep(0.02)
            return await client_invoke(GOOD_LIST, GOOD_DELETE)(c, transport)
        finally:
            in_flight[0] -= 1

    results = asyncio.run(run_cases([case] * 12, invoke=slow_invoke, concurrency=5))
    assert all(r.passed for r in results), results[0].report()
    assert in_flight[1] == 5  # bounded by concurrency, and really concurrent


def test_a_call_that_never_finishes_fails_the_case(tmp_path: Path) -> None:
    [case] = load(tmp_path, "method: x\nexpect: {}\n")

    async def hang(c: Case, transport: httpx.AsyncBaseTransport) -> Outcome:
        await asyncio.sleep(10)
        raise AssertionError("not reached")

    async def go() -> Any:
        with ReplayServer() as server:
            return await run_case(case, server, hang, timeout=0.1)

    assert asyncio.run(go()).failures == ["the call did not finish within 0.1 s"]


# ---------------------------------------------------------------------- expectations


EXPECT_CASES = """
    cases:
      - name: exact
        method: x
        expect: {output: {records: [{id: "1"}], cursor: "2"}}
      - name: subset
        method: x
        expect: {outputContains: {records: [{id: "1"}]}, assertions: {"length(records)": 1, "records[0].id": "1"}}
      - name: error
        method: x
        expect: {error: {type: bad_request, key: not_found, message: "Contact \\\\d+ not found"}}
      - name: logs and credentials
        method: x
        connection: {credentials: {access_token: old, refresh_token: r}}
        expect: {logs: ["fetched \\\\d+"], credentials: {access_token: new-token}}
    """


def test_output_expectations(tmp_path: Path) -> None:
    exact, subset, _, _ = load(tmp_path, EXPECT_CASES)
    good = Outcome(output={"records": [{"id": "1", "name": "A"}], "cursor": "2"})
    assert check_outcome(exact, good) == ["output differs (exact):\n  records[0].name: not expected (got \"A\")\n"
                                          "  actual output: " + '{"records": [{"id": "1", "name": "A"}], "cursor": "2"}']
    assert check_outcome(subset, good) == []
    bad = Outcome(output={"records": [{"id": 1}, {"id": "2"}]})
    assert check_outcome(subset, bad) == [
        "output does not contain what is expected:\n  records: expected 1 item(s), got 2\n"
        '  records[0].id: expected "1", got 1\n  actual output: {"records": [{"id": 1}, {"id": "2"}]}',
        "assertion length(records): expected 1, got 2",
        'assertion records[0].id: expected "1", got 1',
    ]
    failed = check_outcome(exact, Outcome(error=BadRequestError("Contact 7 not found", key="not_found")))
    assert failed == ["the call failed: bad_request/not_found: Contact 7 not found"]


def test_error_expectations(tmp_path: Path) -> None:
    _, _, case, _ = load(tmp_path, EXPECT_CASES)
    assert check_outcome(case, Outcome(error=BadRequestError("Contact 7 not found", key="not_found"))) == []
    [wrong] = check_outcome(case, Outcome(error=BadRequestError("Deal 7 gone", key="gone")))
    assert wrong.splitlines() == [
        "error differs:",
        "  key: expected 'not_found', got 'gone'",
        "  message: expected a match for /Contact \\d+ not found/, got 'Deal 7 gone'",
        "  the error was: bad_request/gone: Deal 7 gone",
    ]
    assert check_outcome(case, Outcome(output={"ok": True})) == [
        'expected an error (type bad_request, key not_found, message matching Contact \\d+ not found), '
        'but the call returned:\n  {"ok": true}']
    [bug] = check_outcome(case, Outcome(error=KeyError("boom")))
    assert "error differs" in bug and "KeyError: 'boom' (not a runtime error: a bug?)" in bug


def test_logs_and_credentials_expectations(tmp_path: Path) -> None:
    *_, case = load(tmp_path, EXPECT_CASES)
    ok = Outcome(output=None, logs=["start", "fetched 12 records"], credentials={"access_token": "new-token", "refresh_token": "r"})
    assert check_outcome(case, ok) == []
    bad = Outcome(output=None, logs=["start"], credentials={"access_token": "old"})
    assert check_outcome(case, bad) == [
        "no log message matches /fetched \\d+/; logs were:\n    start",
        'credentials after the call differ:\n  access_token: expected "new-token", got "old"',
    ]


@pytest.mark.parametrize("concurrency", [1, 4])
def test_results_come_back_in_the_order_given(tmp_path: Path, concurrency: int) -> None:
    cases = load(tmp_path, EXPECT_CASES)

    async def invoke(c: Case, transport: httpx.AsyncBaseTransport) -> Outcome:
        await asyncio.sleep(0.01 * (4 - c.index))  # later cases finish first
        return Outcome(output=None)

    seen: list[str] = []
    results = asyncio.run(run_cases(cases, invoke=invoke, concurrency=concurrency, on_result=lambda r: seen.append(r.id)))
    assert [r.id.rsplit("::", 1)[1] for r in results] == ["exact", "subset", "error", "logs and credentials"]
    assert sorted(seen) == sorted(r.id for r in results)
    assert [r.passed for r in results] == [False, False, False, False]
