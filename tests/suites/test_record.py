"""Record mode, offline: the "live API" is a second loopback server started by the test."""

from __future__ import annotations

import asyncio
import base64
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from runtime._suite import (
    Case,
    Outcome,
    Replay,
    ReplayServer,
    load_case_file,
    load_exchanges,
    record_case,
    run_cases,
    write_recording,
)
from runtime._suite._record import Recording

LIVE_REFRESH = "LIVE-REFRESH-abcdef123"
LIVE_ACCESS = "LIVE-ACCESS-987654321"
LIVE_KEY = "LIVE-KEY-1234567890"
LIVE_PASSWORD = "LIVE-PASSWORD-xyz"

LIVE_API = f"""
exchanges:
  - request:
      method: POST
      path: /oauth/token
      form: {{grant_type: refresh_token, refresh_token: {LIVE_REFRESH}}}
    response:
      body: {{access_token: {LIVE_ACCESS}, expires_in: 3600, token_type: bearer}}
  - request:
      method: GET
      path: /v1/contacts
      query: {{api_key: {LIVE_KEY}}}
      headers: {{Authorization: Bearer {LIVE_ACCESS}}}
    response:
      headers: {{Link: '<https://api.acme.example/v1/contacts?page=2>; rel="next"', Date: 'Sun, 29 Nov 2026 05:00:00 GMT'}}
      body: {{results: [{{id: 1, name: Ada}}]}}
  - request:
      method: GET
      path: /v1/me
    response:
      body: {{user: admin}}
"""


@pytest.fixture
def live_api(tmp_path: Path) -> Iterator[tuple[str, Replay]]:
    file = tmp_path / "live.yml"
    file.write_text(LIVE_API)
    exchanges, _ = load_exchanges(file)
    replay = Replay(exchanges)
    with ReplayServer() as server:
        server.add(replay)
        yield server.url, replay


async def acme_client(case: Case, transport: httpx.AsyncBaseTransport) -> Outcome:
    """Stands for a connector: refresh a token, list contacts with it and an API key, Basic auth."""
    creds = case.connection.credentials or {}
    params = case.connection.connection_parameters
    async with httpx.AsyncClient(transport=transport, base_url="https://api.acme.example") as client:
        token = (await client.post("/oauth/token", data={"grant_type": "refresh_token",
                                                          "refresh_token": creds["refresh_token"]})).json()
        access = token["access_token"]
        listed = await client.get("/v1/contacts", params={"api_key": params["apiKey"]},
                                  headers={"Authorization": f"Bearer {access}"})
        me = await client.get("/v1/me", auth=("admin", params["password"]))
    return Outcome(output={"records": listed.json()["results"], "user": me.json()["user"], "token": access},
                   logs=["listed"])


def write_case(root: Path) -> Path:
    connector = root / "acme"
    (connector / "tests").mkdir(parents=True)
    (connector / "spec.yml").write_text("key: acme\n")
    path = connector / "tests" / "contacts.yml"
    path.write_text(textwrap.dedent("""\
        cases:
          - name: other case, left alone
            method: data/other/list
            exchanges: []
            expect: {output: null}
          - name: lists contacts
            method: data/contacts/list
            connection:
              credentials: {refresh_token: fake-refresh}
              connectionParameters: {apiKey: fake-key-0001}
        """))
    return path


def test_record_writes_redacted_exchanges_that_replay(tmp_path: Path, live_api: tuple[str, Replay]) -> None:
    url, live = live_api
    path = write_case(tmp_path)
    case = load_case_file(path, allow_missing_expect=True)[1]
    secrets = {"credentials": {"refresh_token": LIVE_REFRESH},
               "connectionParameters": {"apiKey": LIVE_KEY, "password": LIVE_PASSWORD}}

    recording = asyncio.run(record_case(case, acme_client, upstream=url, secrets=secrets))
    assert recording.outcome.error is None
    assert live.unexpected == [] and live.unused() == []  # the live API saw exactly the real requests
    write_recording(case, recording, scrub=[LIVE_REFRESH, LIVE_KEY, LIVE_PASSWORD])

    text = path.read_text()
    basic = base64.b64encode(f"admin:{LIVE_PASSWORD}".encode()).decode()
    for secret in (LIVE_REFRESH, LIVE_ACCESS, LIVE_KEY, LIVE_PASSWORD, basic):
        assert secret not in text
    data = yaml.safe_load(text)
    assert data["cases"][0] == {"name": "other case, left alone", "method": "data/other/list", "exchanges": [],
                                "expect": {"output": None}}
    recorded = data["cases"][1]
    token, listed, me = recorded["exchanges"]
    assert token["request"] == {
        "method": "POST", "path": "/oauth/token",
        "headers": {"content-type": "application/x-www-form-urlencoded"},
        "form": {"grant_type": "refresh_token", "refresh_token": "{{secret:refresh_token}}"},
    }
    assert token["response"]["body"] == {"access_token": "{{secret:access_token}}", "expires_in": 3600,
                                         "token_type": "bearer"}
    assert listed["request"] == {"method": "GET", "path": "/v1/contacts", "query": {"api_key": "{{secret:apiKey}}"},
                                 "headers": {"authorization": "Bearer {{secret:access_token}}"}}
    # noisy headers (Date) are dropped, meaningful ones (Link) kept; JSON content type is implied
    assert listed["response"] == {"status": 200, "headers": {"Link": '<https://api.acme.example/v1/contacts?page=2>; rel="next"'},
                                  "body": {"results": [{"id": 1, "name": "Ada"}]}}
    assert me["request"] == {"method": "GET", "path": "/v1/me"}  # a Basic header cannot be written safely
    assert recorded["expect"] == {"output": {"records": [{"id": 1, "name": "Ada"}], "user": "admin",
                                             "token": "{{secret:access_token}}"}}
    # keys the live run used and the case lacked get stand-in values, so the file replays as is
    assert recorded["connection"]["connectionParameters"] == {"apiKey": "fake-key-0001", "password": "secret-password"}

    cases = load_case_file(path)
    results = asyncio.run(run_cases(cases[1:], invoke=acme_client))
    assert results[0].passed, results[0].report()


def test_record_refuses_to_write_a_live_secret(tmp_path: Path) -> None:
    path = write_case(tmp_path)
    case = load_case_file(path, allow_missing_expect=True)[1]

    async def leaky(c: Case, transport: httpx.AsyncBaseTransport) -> Outcome:
        return Outcome(output={"note": "the key is LIVE"})

    recording = asyncio.run(record_case(case, leaky))
    before = path.read_text()
    with pytest.raises(RuntimeError, match="a live secret would be written in clear"):
        write_recording(case, recording, scrub=["the key is LIVE"])
    assert path.read_text() == before


def test_cli_record_on_a_real_connector(connectors: Path, tmp_path: Path,
                                        cli: Callable[..., tuple[int, str, str]]) -> None:
    live_key = "LIVE-api-key-0987654321"
    (tmp_path / "live.yml").write_text(textwrap.dedent(f"""\
        exchanges:
          - request: {{method: GET, path: /v1/contacts, headers: {{Authorization: Bearer {live_key}}}}}
            response: {{body: {{results: [{{id: "9", name: Live}}], next: p2}}}}
        """))
    (tmp_path / "secrets.yml").write_text(f"credentials: {{apiKey: {live_key}}}\n")
    case_file = connectors / "plain" / "tests" / "record-me.yml"
    case_file.write_text("name: records a page\nmethod: data/contacts/list\nconnection: {credentials: {apiKey: fake}}\n")
    exchanges, _ = load_exchanges(tmp_path / "live.yml")
    live = Replay(exchanges)
    with ReplayServer() as server:
        server.add(live)
        code, out, err = cli("test", str(connectors / "plain"), "--record", "-k", "records a page",
                             "--upstream", server.url, "--secrets", str(tmp_path / "secrets.yml"))
    assert live.unexpected == [], live.unexpected[0].text()
    assert code == 0, out + err
    assert out.splitlines()[0] == "recorded 1 exchange(s) for plain::record-me.yml::records a page into plain/tests/record-me.yml"
    assert out.splitlines()[-1] == "1 passed, 0 failed"
    text = case_file.read_text()
    assert live_key not in text
    data = yaml.safe_load(text)
    assert data["exchanges"][0]["request"]["headers"] == {"authorization": "Bearer {{secret:apiKey}}"}
    assert data["expect"] == {"output": {"records": [{"id": "9", "name": "Live"}], "cursor": "p2"}}


def test_cli_record_writes_nothing_when_the_api_is_unreachable(connectors: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    case_file = connectors / "plain" / "tests" / "record-me.yml"
    text = "name: records a page\nmethod: data/contacts/list\nconnection: {credentials: {apiKey: fake}}\n"
    case_file.write_text(text)
    code, out, _ = cli("test", str(case_file), "--record", "--upstream", "http://127.0.0.1:1")
    assert code == 1
    assert out.splitlines()[-1] == "0 passed, 1 failed"
    assert ("  nothing recorded, plain/tests/record-me.yml left as it was: connection/" in out
            and "(upstream http://127.0.0.1:1)" in out)
    assert case_file.read_text() == text


def test_cli_record_needs_an_explicit_selection(connectors: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = cli("test", str(connectors), "--record")
    assert code == 2 and "--record needs -k CASE" in err
    code, _, err = cli("test", str(connectors), "--upstream", "http://127.0.0.1:9")
    assert code == 2 and "only apply with --record" in err




SESSION = "SESS-abcdef-987654"
HOOK_TOKEN = "HOOK-5550001"


def test_record_redacts_tokens_under_any_secret_name_in_bodies_urls_and_headers(tmp_path: Path) -> None:
    """`session_token` / `X-Auth-Token` / `?token=` are not in the well-known list, yet secrets."""
    (tmp_path / "live.yml").write_text(textwrap.dedent(f"""\
        exchanges:
          - request: {{method: POST, path: /v1/sessions}}
            response: {{headers: {{X-Auth-Token: {HOOK_TOKEN}}},
                        body: {{session_token: {SESSION}, nextPageToken: page-2, token_type: bearer}}}}
          - request: {{method: POST, path: /hook, query: {{token: {SESSION}}}}}
            response: {{body: "got {HOOK_TOKEN}"}}
        """))
    path = write_case(tmp_path)
    case = load_case_file(path, allow_missing_expect=True)[1]

    async def sessions(c: Case, transport: httpx.AsyncBaseTransport) -> Outcome:
        async with httpx.AsyncClient(transport=transport, base_url="https://api.acme.example") as client:
            login = await client.post("/v1/sessions", json={"user": "ada"})
            token, hook = login.json()["session_token"], login.headers["x-auth-token"]
            got = await client.post("/hook", params={"token": token}, headers={"X-Session": token, "X-Hook": hook},
                                    content=f"token={token}")
        return Outcome(output={"session": token, "echo": got.text, "page": login.json()["nextPageToken"]})

    exchanges, _ = load_exchanges(tmp_path / "live.yml")
    with ReplayServer() as server:
        server.add(Replay(exchanges))
        recording = asyncio.run(record_case(case, sessions, upstream=server.url))
    write_recording(case, recording)
    text = path.read_text()
    assert SESSION not in text and HOOK_TOKEN not in text
    recorded = yaml.safe_load(text)["cases"][1]
    login, hook = recorded["exchanges"]
    assert login["response"]["body"] == {"session_token": "{{secret:session_token}}", "nextPageToken": "page-2",
                                         "token_type": "bearer"}  # a page token or a type is no secret
    assert login["response"]["headers"] == {"X-Auth-Token": "{{secret:x-auth-token}}"}
    assert hook["request"]["query"] == {"token": "{{secret:session_token}}"}
    assert hook["request"]["headers"]["x-session"] == "{{secret:session_token}}"
    assert hook["request"]["bodyText"] == "token={{secret:session_token}}"
    assert recorded["expect"]["output"]["session"] == "{{secret:session_token}}"
    results = asyncio.run(run_cases(load_case_file(path)[1:], invoke=sessions))
    assert results[0].passed, results[0].report()


def _recording(tmp_path: Path, expect: dict | None = None) -> Recording:
    (tmp_path / "rec.yml").write_text("exchanges:\n  - request: {method: GET, path: /v1/x}\n    response: {body: {a: 1}}\n")
    exchanges, _ = load_exchanges(tmp_path / "rec.yml")
    return Recording(exchanges=exchanges, outcome=Outcome(output={"a": 1}), expect=expect)


COMMENTED = """\
# acme contacts: recorded against the sandbox account
connection:
  credentials: {apiKey: fake}   # fake values only
cases:
  - name: first   # inline
    method: data/x/list
    exchanges: []   # old
    # what the docs promise
    expect: {outputContains: {a: 1}}
  - name: second
    method: data/x/list
    # written by --record
# the end
"""


@pytest.mark.parametrize(("index", "expect"), [(0, None), (1, {"output": {"a": 1}})])
def test_record_rewrites_only_the_case_and_keeps_comments(tmp_path: Path, index: int, expect: dict | None) -> None:
    path = tmp_path / "acme" / "tests" / "x.yml"
    path.parent.mkdir(parents=True)
    (tmp_path / "acme" / "spec.yml").write_text("key: acme\n")
    path.write_text(COMMENTED)
    case = load_case_file(path, allow_missing_expect=True)[index]
    write_recording(case, _recording(tmp_path, expect))
    text = path.read_text()
    for line in COMMENTED.splitlines():
        if "#" in line and "# old" not in line:
            assert line in text  # every comment but the one on the replaced line survives
    recorded = yaml.safe_load(text)["cases"][index]
    assert recorded["exchanges"] == [{"request": {"method": "GET", "path": "/v1/x"},
                                      "response": {"status": 200, "body": {"a": 1}}}]
    assert recorded["expect"] == ({"outputContains": {"a": 1}} if index == 0 else {"output": {"a": 1}})
    assert list(recorded) == ["name", "method", "exchanges", "expect"]
    other = yaml.safe_load(text)["cases"][1 - index]
    assert other == yaml.safe_load(COMMENTED)["cases"][1 - index]
    if index == 1:  # now both cases have an expect: the file loads and the recording replays as written
        assert [c.name for c in load_case_file(path)] == ["first", "second"]


def test_record_re_dumps_a_flow_style_case(tmp_path: Path) -> None:
    path = tmp_path / "acme" / "tests" / "x.yml"
    path.parent.mkdir(parents=True)
    (tmp_path / "acme" / "spec.yml").write_text("key: acme\n")
    path.write_text("# lost\ncases:\n  - {name: one, method: data/x/list}\n")
    case = load_case_file(path, allow_missing_expect=True)[0]
    write_recording(case, _recording(tmp_path, {"output": {"a": 1}}))
    assert yaml.safe_load(path.read_text()) == {"cases": [{
        "name": "one", "method": "data/x/list", "expect": {"output": {"a": 1}},
        "exchanges": [{"request": {"method": "GET", "path": "/v1/x"}, "response": {"status": 200, "body": {"a": 1}}}]}]}
    assert "# lost" not in path.read_text()


def test_short_connection_values_are_secrets_by_name_but_not_token_type() -> None:
    from runtime._suite import ConnectionSpec, Redactor

    redactor = Redactor(ConnectionSpec(credentials={"token_type": "Bearer", "pin": "1234", "api_key": "k-12",
                                                    "tenantId": "70784a63-d24b"}))
    assert redactor.text("Bearer k-12 1234 70784a63-d24b") == "Bearer {{secret:api_key}} 1234 {{secret:tenantId}}"
