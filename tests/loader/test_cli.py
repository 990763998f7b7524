"""`connector-runtime validate` and `inspect`, through `runtime._cli.main`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import runtime._cli as cli
from tests.loader.conftest import FIXTURES


@pytest.fixture(autouse=True)
def _only_loader_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    # other helpers' commands are built in parallel; these tests exercise only ours
    monkeypatch.setattr(cli, "COMMANDS", ("validate", "inspect"))


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_good_connector_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _main(capsys, "validate", str(FIXTURES / "options"))
    assert code == 0
    assert out == ""
    assert "0 errors, 0 warnings" in err


def test_validate_warnings_alone_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "auth").mkdir()
    (tmp_path / "auth" / "make-api-client.map.yml").write_text("baseUri: https://x\nheaders: {$concta: [a, b]}\n")
    (tmp_path / "spec.yml").write_text("auth: {type: client-credentials}\n")
    code, out, err = _main(capsys, "validate", str(tmp_path))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("auth/make-api-client.map.yml: headers")
    assert ": warning: " in lines[0] and "$concat" in lines[0]
    assert "0 errors, 1 warning" in err


def test_validate_broken_connector_prints_every_problem(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "validate", str(FIXTURES / "broken"))
    assert code == 1
    lines = out.splitlines()
    assert len(lines) >= 20
    assert any(
        line.startswith("data/deals/spec.yml: methods.list.implementationType: unknown type 'rest'") for line in lines
    )
    assert any(line.startswith("data/deals/update.ts:4: TypeScript syntax error") for line in lines)
    assert any(line.startswith("spec.yml: auth.makeApiClient: required method is missing") for line in lines)
    assert "Traceback" not in out


def test_validate_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "validate", "--json", str(FIXTURES / "broken"))
    assert code == 1
    payload = json.loads(out)
    assert payload["ok"] is False
    assert {"file": "data/deals/update.ts", "field": None, "line": 4, "severity": "error"}.items() <= next(
        p for p in payload["problems"] if p["file"] == "data/deals/update.ts"
    ).items()


def test_validate_never_shows_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import runtime._loader as loader

    def boom(path: object) -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(loader, "validate_connector", boom)
    code, out, err = _main(capsys, "validate", str(tmp_path))
    assert code == 1
    assert out.startswith("internal error while validating") and "RuntimeError: unexpected" in out
    assert "Traceback" not in out + err


def test_validate_binary_and_odd_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "spec.yml").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "data" / "x").mkdir(parents=True)
    (tmp_path / "data" / "x" / "spec.yml").write_text("- just\n- a list\n")
    code, out, _ = _main(capsys, "validate", str(tmp_path))
    assert code == 1
    assert "spec.yml: file is not UTF-8 text" in out
    assert "data/x/spec.yml: spec must be an object" in out


def test_inspect_human(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "inspect", str(FIXTURES / "basic"))
    assert code == 0
    assert "connector basic: Basic Test Connector" in out
    assert "auth: client-credentials - API key" in out
    assert "connection input: apiKey*" in out
    assert "  test: rest-api-mapping (auth/test.map.yml) GET /me" in out
    assert "  tasks (Tasks) extends data/_object, data/_base" in out
    assert "    create: javascript (data/contacts/create.ts, typescript)" in out
    assert "    event created: webhook" in out
    assert "operations: 2" in out and "list: operation-mapping (spec.yml, inline) -> operation list-deals" in out
    assert "  global-thing (Global thing) [global-webhook]" in out
    assert "global webhooks: 1" in out


def test_inspect_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "inspect", "--json", str(FIXTURES / "options"))
    assert code == 0
    info = json.loads(out)
    assert info["key"] == "options"
    assert set(info["auth"]["options"]) == {"api-key", "oauth"}
    assert info["auth"]["options"]["oauth"]["type"] == "oauth2"
    assert info["auth"]["options"]["api-key"]["connectionInputSchema"]["properties"] == {"apiKey": {"type": "string"}}
    assert info["collections"]["users"]["methods"]["list"] == {
        "implementationType": "javascript",
        "file": "data/users/list.js",
    }
    assert info["operations"] == {} and info["globalWebhooks"] == {}


def test_inspect_broken_lists_problems(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "inspect", str(FIXTURES / "broken"))
    assert code == 1
    assert "cannot load the connector" in out
    assert "  data/deals/spec.yml: methods.list.implementationType: unknown type 'rest'" in out
    code, out, _ = _main(capsys, "inspect", "--json", str(FIXTURES / "broken"))
    assert code == 1
    error = json.loads(out)["error"]
    assert error["type"] == "configuration" and len(error["data"]["problems"]) >= 20


def test_inspect_never_shows_a_traceback(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import runtime._loader as loader

    def boom(path: object) -> None:
        raise KeyError("bug")

    monkeypatch.setattr(loader, "load_connector", boom)
    code, out, err = _main(capsys, "inspect", "--json", str(FIXTURES / "basic"))
    assert code == 1
    error = json.loads(out)["error"]
    assert error["type"] == "internal" and "KeyError" in error["message"]
    assert "Traceback" not in out + err
