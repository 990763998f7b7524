"""Change events through method paths: `Connection.call("data/<c>/changes-*")` and the CLI."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from runtime._cli import main
from runtime._elements import InvalidStateError
from runtime._errors import InvalidInputError, NotSupportedError
from tests.elements._crm import API_KEY, Crm
from tests.elements.conftest import CONNECTOR_DIR


def call(connect: Any, path: str, input: dict[str, Any]) -> Any:
    async def go() -> Any:
        async with connect() as conn:  # a new connection per call: a restart each time
            return (await conn.call(path, input)).output

    return json.loads(json.dumps(asyncio.run(go())))


def kinds(out: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((e["type"], e["record"]["id"]) for e in out["events"])


def test_every_change_method_through_connection_call(crm: Crm, connect: Any) -> None:
    first = crm.add("contacts", first_name="A", email="a@x")
    hook = f"{crm.url}/host/hooks/contacts"
    state = call(connect, "data/contacts/changes-subscribe", {"webhookUri": hook, "types": ["created", "deleted"]})["state"]
    assert set(state) >= {"webhooks", "fullScan"} and len(crm.webhooks) == 1

    ada = crm.add("contacts", first_name="Ada", email="ada@x")
    crm.send_webhook("contacts", [{"type": "created", "record": ada}])
    req = crm.requests_to("/host/hooks/contacts")[-1]
    request = {"method": req.method, "url": crm.url + req.raw_path, "headers": dict(req.headers), "body": req.body.decode()}
    got = call(connect, "data/contacts/changesHandle", {"state": state, "request": request})
    assert kinds(got) == [("created", str(ada["id"]))] and got["response"]["data"] == {"received": 1}
    state = got["state"]

    tampered = dict(request, body=request["body"].replace("ada@x", "eve@x"))
    bad = call(connect, "data/contacts/changes-handle", {"state": state, "request": tampered})
    assert bad["events"] == [] and bad["response"]["status"] == 401

    crm.remove("contacts", first["id"])
    pulled = call(connect, "data/contacts/changes-pull", {"state": state})
    assert kinds(pulled) == [("deleted", str(first["id"]))]  # full-scan (ada came by webhook only)
    assert call(connect, "data/contacts/changes-pull", {"state": pulled["state"]})["events"] == []

    due = pulled["state"]["nextRefreshTimestamp"] / 1000
    refreshed = call(connect, "data/contacts/changes-refresh", {"state": pulled["state"], "now": due})["state"]
    assert refreshed["nextRefreshTimestamp"] > pulled["state"]["nextRefreshTimestamp"]
    assert call(connect, "data/contacts/changes-unsubscribe", {"state": refreshed}) == {}
    assert crm.webhooks == {}


@pytest.mark.parametrize(
    ("path", "input", "error"),
    [
        ("data/contacts/changes-pull", {}, InvalidInputError),
        ("data/contacts/changes-pull", {"state": "garbage"}, InvalidStateError),
        ("data/contacts/changes-subscribe", {"types": 5}, InvalidInputError),
        ("data/contacts/changes-subscribe", {"types": ["created", 5]}, InvalidInputError),
        ("data/contacts/changes-handle", {"state": {}, "request": "GET /"}, InvalidInputError),
        ("data/contacts/changes-refresh", {"state": {}, "now": "soon"}, InvalidInputError),
        ("data/contacts/changes-rewind", {"state": {}}, NotSupportedError),
    ],
)
def test_bad_change_inputs_are_typed_errors(crm: Crm, connect: Any, path: str, input: Any, error: type) -> None:
    with pytest.raises(error):
        call(connect, path, input)
    assert crm.requests == []  # nothing reached the API


def cli(capsys: Any, tmp_path: Path, crm: Crm, method: str, input: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    conn = tmp_path / "connection.json"
    conn.write_text(json.dumps({"connectorParameters": {"baseUri": crm.url}, "credentials": {"apiKey": API_KEY},
                                "connectionParameters": {"apiKey": API_KEY}}))
    code = main(["run", str(CONNECTOR_DIR), method, "--input", json.dumps(input), "--connection", f"@{conn}"])
    return code, json.loads(capsys.readouterr().out)


def test_cli_pulls_changes_with_the_stored_state(capsys: Any, tmp_path: Path, crm: Crm) -> None:
    crm.add("companies", name="A")
    code, out = cli(capsys, tmp_path, crm, "data/companies/changes-subscribe", {"types": ["deleted", "created"]})
    assert code == 0, out
    state = out["output"]["state"]
    b = crm.add("companies", name="B")
    code, out = cli(capsys, tmp_path, crm, "data/companies/changes-pull", {"state": state})
    assert code == 0 and kinds(out["output"]) == [("created", str(b["id"]))]
    code, out = cli(capsys, tmp_path, crm, "data/companies/changes-pull", {"state": out["output"]["state"]})
    assert code == 0 and out["output"]["events"] == []
    code, out = cli(capsys, tmp_path, crm, "data/companies/changes-pull", {"state": {"version": 1}})
    assert code == 1 and out["error"]["type"] == "configuration" and out["error"]["key"] == "invalid_state"
