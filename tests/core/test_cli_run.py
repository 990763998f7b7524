"""`connector-runtime run` (the CLI contract of issue 4), in process and as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runtime._cli import main
from tests.connectors import path as connector_path

REPO = Path(__file__).resolve().parents[2]


def cli(capsys: Any, *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["run", *argv])
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert len(lines) == 1, out  # exactly one JSON object
    return code, json.loads(lines[0])


def connection_file(tmp_path: Path, **data: Any) -> str:
    f = tmp_path / "connection.json"
    f.write_text(json.dumps(data))
    return f"@{f}"


def test_run_success_prints_output_and_logs(capsys: Any, tmp_path: Path, fake_api: Any) -> None:
    conn = connection_file(tmp_path, connectorParameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key})
    code, out = cli(capsys, str(connector_path("apikey")), "operations/logs/run", "--input", '{"input": {"n": 4}}', "--connection", conn)
    assert code == 0
    assert out["output"] == 8
    assert [e["level"] for e in out["logs"]] == ["log", "warn"]
    assert "credentials" not in out
    assert fake_api.api_key not in json.dumps(out)


def test_run_input_from_file_and_kebab_or_camel_method(capsys: Any, tmp_path: Path, fake_api: Any) -> None:
    conn = connection_file(tmp_path, connectorParameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key})
    (tmp_path / "input.json").write_text('{"id": "5"}')
    code, out = cli(capsys, str(connector_path("apikey")), "data/items/findById", "--input", f"@{tmp_path / 'input.json'}", "--connection", conn)
    assert code == 0 and out["output"]["record"]["id"] == "5"


@pytest.mark.parametrize(("key", "expected"), [("good", True), ("bad", False)])
def test_run_auth_test_prints_true_or_false(capsys: Any, tmp_path: Path, fake_api: Any, key: str, expected: bool) -> None:
    api_key = fake_api.api_key if key == "good" else "not-the-key"
    conn = connection_file(tmp_path, connectorParameters={"baseUri": fake_api.url}, credentials={"apiKey": api_key})
    code, out = cli(capsys, str(connector_path("apikey")), "auth/test", "--connection", conn)
    assert code == 0
    assert out["output"] is expected


def test_run_reports_changed_credentials(capsys: Any, tmp_path: Path, fake_api: Any) -> None:
    refresh = fake_api.state.issue_refresh_token()
    conn = connection_file(
        tmp_path,
        connectorParameters={"baseUri": fake_api.url, "clientId": fake_api.client_id, "clientSecret": fake_api.client_secret},
        credentials={"access_token": "at-expired", "refresh_token": refresh},
    )
    code, out = cli(capsys, str(connector_path("oauth2")), "operations/me/run", "--connection", conn)
    assert code == 0, out
    assert out["output"]["id"] == "user-1"
    assert out["credentials"]["refresh_token"] != refresh
    assert out["credentials"]["access_token"].startswith("at-")


def test_run_errors_are_one_json_object(capsys: Any, tmp_path: Path, fake_api: Any) -> None:
    conn = connection_file(tmp_path, connectorParameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key})
    d = str(connector_path("apikey"))
    code, out = cli(capsys, d, "operations/throws/run", "--connection", conn)
    assert code == 1
    err = out["error"]
    assert err["type"] == "custom_code" and "cannot use key" in err["message"]
    assert "operations/throws/run.js" in err["stack"]
    assert fake_api.api_key not in json.dumps(out)

    code, out = cli(capsys, d, "operations/uncaught-api-error/run", "--input", '{"input": {"code": 404}}', "--connection", conn)
    assert code == 1 and out["error"]["type"] == "bad_request" and out["error"]["key"] == "not_found"

    code, out = cli(capsys, d, "operations/unsupported/run", "--connection", conn)
    assert code == 1 and out["error"]["key"] == "not_supported"


@pytest.mark.parametrize(
    ("argv", "key"),
    [
        (["auth/test", "--input", "{not json"], "invalid_input"),
        (["auth/test", "--input", "[1]"], "invalid_input"),
        (["auth/test", "--input", "@/nonexistent/input.json"], "invalid_input"),
        (["auth/test", "--connection", '{"credential": {}}'], "invalid_input"),
        (["nonsense"], "invalid_input"),
        (["data/nope/list"], "invalid_spec"),
    ],
)
def test_run_bad_arguments_never_print_a_traceback(capsys: Any, argv: list[str], key: str) -> None:
    code, out = cli(capsys, str(connector_path("apikey")), *argv)
    assert code == 1
    assert out["error"]["key"] == key


def test_run_bad_connector_dir(capsys: Any, tmp_path: Path) -> None:
    code, out = cli(capsys, str(tmp_path), "auth/test")
    assert code == 1 and out["error"]["type"] == "configuration"
    (tmp_path / "spec.yml").write_text("key: broken\nauth: {type: client-credentials}\n")
    code, out = cli(capsys, str(tmp_path), "auth/test")
    assert code == 1 and out["error"]["type"] == "configuration"
    assert "makeApiClient" in out["error"]["message"]


def test_run_time_limit(capsys: Any, tmp_path: Path, fake_api: Any) -> None:
    conn = connection_file(tmp_path, connectorParameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key})
    code, out = cli(
        capsys, str(connector_path("apikey")), "operations/slow-all/run",
        "--input", '{"input": {"count": 1, "ms": 3000}}', "--connection", conn, "--time-limit", "0.3",
    )
    assert code == 1
    assert out["error"]["key"] in ("wall_time_limit", "timeout")


def test_run_as_a_subprocess(tmp_path: Path, fake_api: Any) -> None:
    conn = connection_file(tmp_path, connectorParameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key})
    proc = subprocess.run(
        [sys.executable, "-m", "runtime._cli", "run", str(connector_path("apikey")), "operations/map/run",
         "--input", '{"input": {"name": "CLI"}}', "--connection", conn, "--memory-limit", "32"],
        capture_output=True, text=True, cwd=REPO, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"output": {"greeting": "Hello, CLI", "hasCredentials": True}, "logs": []}
    assert proc.stderr == ""
