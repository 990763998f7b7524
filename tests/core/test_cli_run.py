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
        (["auth/test", "--connection", '{"authOptionKey": 5}'], "invalid_input"),
        (["auth/test", "--input", "@BINARY"], "invalid_input"),
        (["auth/test", "--input", "@DEEP"], "invalid_input"),
        (["auth/test", "--time-limit", "abc"], "invalid_input"),
        (["auth/test", "--time-limit", "nan"], "invalid_input"),
        (["auth/test", "--time-limit", "inf"], "invalid_input"),
        (["auth/test", "--time-limit", "-1"], "invalid_input"),
        (["auth/test", "--memory-limit", "0.001"], "invalid_input"),
    ],
)
def test_run_bad_arguments_never_print_a_traceback(capsys: Any, tmp_path: Path, argv: list[str], key: str) -> None:
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe{}")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    files = {"@BINARY": f"@{tmp_path / 'binary.json'}", "@DEEP": f"@{tmp_path / 'deep.json'}"}
    code, out = cli(capsys, str(connector_path("apikey")), *[files.get(a, a) for a in argv])
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


@pytest.mark.parametrize("strict", [False, True])
def test_run_strict_flag(capsys: Any, tmp_path: Path, fake_api: Any, strict: bool) -> None:
    conn = connection_file(tmp_path, connectorParameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key})
    flags = ["--strict"] if strict else []
    code, out = cli(capsys, str(connector_path("apikey")), "operations/sloppy/run", "--connection", conn, *flags)
    if strict:
        assert code == 1 and out["error"]["key"] == "output_schema_mismatch"
    else:
        assert code == 0 and out["output"] == {"total": 3}
        assert any("output.count" in e["message"] for e in out["logs"])


def test_run_internal_error_hides_connection_values(capsys: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from runtime._cli import run as run_cmd

    def boom(args: Any) -> Any:
        raise RuntimeError("bug while handling apiKey=very-secret-key-42")

    monkeypatch.setattr(run_cmd, "_execute", boom)
    conn = connection_file(tmp_path, credentials={"apiKey": "very-secret-key-42"})
    code, out = cli(capsys, str(connector_path("apikey")), "auth/test", "--connection", conn)
    assert code == 1 and out["error"]["type"] == "internal"
    assert "very-secret-key-42" not in json.dumps(out) and "RuntimeError" in out["error"]["message"]


@pytest.mark.parametrize("command", ["run", "validate", "inspect", "test", "js"])
def test_a_closed_stdout_is_no_traceback(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Closed:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            raise OSError("no file descriptor")

    monkeypatch.setattr(sys, "stdout", Closed())
    # each prints something on stdout: an error, the problems of an empty folder, the connector
    target = {"validate": tmp_path, "js": REPO / "examples" / "hello.js"}.get(command, connector_path("apikey"))
    argv = [command, str(target)] + (["nonsense"] if command == "run" else [])
    assert main(argv) == 1


def test_run_output_is_always_valid_json(capsys: Any, tmp_path: Path) -> None:
    (tmp_path / "auth").mkdir()
    (tmp_path / "spec.yml").write_text("auth: {type: client-credentials, makeApiClient: {implementationType: mapping}}\n")
    (tmp_path / "auth" / "make-api-client.map.yml").write_text("a: .nan\nb: [.inf, -.inf, 1.5]\n")
    code = main(["run", str(tmp_path), "auth/make-api-client"])

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    out = json.loads(capsys.readouterr().out, parse_constant=refuse)  # json.loads alone accepts NaN
    assert code == 0 and out["output"] == {"a": None, "b": [None, None, 1.5]}
