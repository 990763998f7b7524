"""`connector-runtime test` end to end on the fixture connectors (real runtime, real sandbox)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., tuple[int, str, str]]

ALL_IDS = [
    "echo::contacts.yml::a missing contact is an error",
    "echo::contacts.yml::finds one contact and logs",
    "echo::contacts.yml::lists the first page",
    "echo::notes.yml::creates a note with a JSON body",
    "echo::pages.yml::two pages in parallel",
    "echo::refresh.yml::an expired key is refreshed and the request retried",
    "plain::list.yml::lists the first page",
]


def test_every_case_passes_and_the_summary_line_ends_the_output(connectors: Path, cli: Cli) -> None:
    code, out, err = cli("test", str(connectors))
    lines = out.splitlines()
    assert code == 0, out + err
    assert lines[-1] == "7 passed, 0 failed"
    # not a terminal: one line per case, in completion order
    assert sorted(line.split(" (")[0] for line in lines[:-1]) == sorted(f"PASS {i}" for i in ALL_IDS)


def test_failures_print_diffs_and_exit_1(connectors: Path, cli: Cli) -> None:
    contacts = connectors / "echo" / "tests" / "contacts.yml"
    contacts.write_text(contacts.read_text().replace("query: {limit: 2}", "query: {limit: 3}")
                        .replace("assertions: {record.name: Linus}", "assertions: {record.name: Linux}"))
    (connectors / "plain" / "tests" / "broken.yml").write_text("method: data/contacts/list\nexpect: {outptu: 1}\n")
    contacts.write_text(contacts.read_text().replace('logs: ["fetching contact 404"]', 'logs: ["fetching contact 405"]'))
    refresh = connectors / "echo" / "tests" / "refresh.yml"
    refresh.write_text(refresh.read_text().replace("credentials: {apiKey: old-key-refreshed}", "credentials: {apiKey: new}"))
    code, out, _ = cli("test", str(connectors))
    assert code == 1
    assert out.splitlines()[-1] == "3 passed, 5 failed"
    # an error case's logs come from the failed call (the runtime attaches them to the error)
    assert ("FAILED echo::contacts.yml::a missing contact is an error\n  file: echo/tests/contacts.yml\n"
            "  no log message matches /fetching contact 405/; logs were:\n      fetching contact 404\n") in out
    assert ("FAILED echo::refresh.yml::an expired key is refreshed and the request retried\n"
            "  file: echo/tests/refresh.yml\n  credentials after the call differ:\n"
            '    apiKey: expected "new", got "old-key-refreshed"') in out
    report = out[out.index("FAILED echo::contacts.yml::lists the first page"):]
    assert report.splitlines()[:6] == [
        "FAILED echo::contacts.yml::lists the first page",
        "  file: echo/tests/contacts.yml",
        "  unexpected request: GET /v1/contacts?limit=2 (host api.echo.test)",
        "    closest expected: exchange #0 (GET /v1/contacts?limit=3) at echo/tests/contacts.yml cases[0].exchanges[0]",
        '      query limit: expected "3", got "2"',
        "  the call failed: it hit the unexpected request above (the replay server answered 599; connection/http_error)",
    ]
    assert "exchange never used: exchange #0 (GET /v1/contacts?limit=3)" in report
    assert "assertion record.name: expected \"Linux\", got \"Linus\"" in out
    assert ("FAILED plain::broken.yml\n  file: plain/tests/broken.yml\n  invalid case file:\n"
            "    plain/tests/broken.yml: expect.outptu: unknown key (did you mean 'output'?)") in out


def test_k_selects_cases_by_id_substring(connectors: Path, cli: Cli) -> None:
    code, out, _ = cli("test", str(connectors), "-k", "contacts.yml::finds")
    assert code == 0
    assert out.splitlines()[0].startswith("PASS echo::contacts.yml::finds one contact and logs (")
    assert out.splitlines()[-1] == "1 passed, 0 failed"
    code, out, err = cli("test", str(connectors), "-k", "no such case")
    assert code == 1 and "no test cases found matching -k 'no such case'" in err
    assert out.splitlines()[-1] == "0 passed, 0 failed"


def test_accepts_one_connector_or_one_case_file(connectors: Path, cli: Cli) -> None:
    code, out, _ = cli("test", str(connectors / "plain"))
    assert (code, out.splitlines()[-1]) == (0, "1 passed, 0 failed")
    code, out, _ = cli("test", str(connectors / "echo" / "tests" / "notes.yml"), str(connectors / "plain"))
    assert (code, out.splitlines()[-1]) == (0, "2 passed, 0 failed")


def test_a_path_without_connectors_is_a_usage_error(tmp_path: Path, connectors: Path, cli: Cli) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = cli("test", str(empty))
    assert code == 2
    assert f"no connector found at {empty}" in err
    # even next to a path that holds passing cases: nothing runs
    code, out, err = cli("test", str(connectors / "plain"), str(tmp_path / "typo"))
    assert (code, out) == (2, "")
    assert f"no connector found at {tmp_path / 'typo'}" in err


def test_json_output(connectors: Path, cli: Cli) -> None:
    notes = connectors / "echo" / "tests" / "notes.yml"
    notes.write_text(notes.read_text().replace('output: {id: "42"}', 'output: {id: 42}'))
    code, out, _ = cli("test", str(connectors / "echo"), "--json", "-k", "notes")
    assert code == 1
    data = json.loads(out)
    assert (data["passed"], data["failed"]) == (0, 1)
    [result] = data["results"]
    assert result["id"] == "echo::notes.yml::creates a note with a JSON body"
    assert result["failures"] == ['output differs (exact):\n  id: expected 42, got "42"\n  actual output: {"id": "42"}']


def test_a_connector_that_fails_to_load_fails_each_case(connectors: Path, cli: Cli) -> None:
    (connectors / "plain" / "data" / "contacts" / "list.rest.yml").unlink()
    code, out, _ = cli("test", str(connectors / "plain"))
    assert code == 1
    assert "could not run the case: configuration/" in out
    assert "exchange never used" not in out  # noise when the call never started
    assert out.splitlines()[-1] == "0 passed, 1 failed"


def test_live_progress_line_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    from runtime._cli.test import _Progress
    from runtime._suite import CaseResult

    progress = _Progress(2, live=True, quiet=False)
    progress.result(CaseResult(id="a::b::c", passed=True))
    progress.result(CaseResult(id="a::b::d", passed=False))
    progress.close()
    out, err = capsys.readouterr()
    assert out == ""
    assert "\r\x1b[K[1/2] 1 passed, 0 failed" in err and "\r\x1b[K[2/2] 1 passed, 1 failed" in err
    assert err.endswith("\r\x1b[K")


@pytest.mark.parametrize("option", [("-j", "0"), ("--timeout", "0")])
def test_a_concurrency_below_one_or_no_timeout_is_a_usage_error(connectors: Path, cli: Cli, option: tuple[str, str]) -> None:
    code, out, err = cli("test", str(connectors), *option)
    assert (code, out) == (2, "")
    assert "-j/--concurrency must be at least 1 and --timeout above 0" in err
