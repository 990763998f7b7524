"""`connector-runtime bench` on the fixture connectors: JSON shape, comparison, errors, table."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from runtime._bench import percentile

Cli = Callable[..., tuple[int, str, str]]
FAST = ("--warmup", "1", "--tracemalloc-calls", "3")


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50.0, 95.0, 99.0)
    assert percentile([3.0], 99) == 3.0 and percentile([], 50) == 0.0


def _check_side(side: dict, calls: int) -> None:
    lat = side["latency_ms"]
    assert side["calls"] == calls and side["errors"] == 0, side
    assert 0 < lat["min"] <= lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"], side
    assert side["calls_per_s"] > 0 and side["cpu_ms_per_call"] > 0, side
    assert side["python_heap_peak_kb"] > 0 and side["load_ms"] > 0, side


def test_json_report_with_exchanges_from_the_connectors_own_case(connectors: Path, cli: Cli) -> None:
    code, out, err = cli("bench", str(connectors / "plain"), "data/contacts/list", "--calls", "30", "--json", *FAST)
    assert code == 0, out + err
    data = json.loads(out)
    assert set(data) >= {"label", "connector", "method", "calls", "errors", "latency_ms", "calls_per_s",
                         "cpu_ms_per_call", "load_ms", "first_call_ms", "python_heap_peak_kb", "concurrency",
                         "duration_s", "memory", "machine"}
    assert set(data["latency_ms"]) == {"p50", "p95", "p99", "mean", "min", "max"}
    _check_side(data, 30)
    assert data["memory"]["rss_peak_mb"] > 10 and data["memory"]["rss_growth_mb"] >= 0
    assert data["machine"]["cpus"] >= 1 and data["concurrency"] == 1


def test_comparison_interleaves_two_connectors_and_reports_the_ratio(connectors: Path, cli: Cli) -> None:
    code, out, err = cli("bench", str(connectors / "echo"), "data/contacts/find-by-id", "--input", '{"id": "7"}',
                         "--against", str(connectors / "plain"), "--calls", "20", "--concurrency", "2", "--json", *FAST)
    assert code == 0, out + err
    data = json.loads(out)
    assert data["interleaved"] is True and data["concurrency"] == 2
    assert (data["a"]["label"], data["b"]["label"]) == ("A", "B")
    assert data["a"]["connector"].endswith("echo") and data["b"]["connector"].endswith("plain")
    _check_side(data["a"], 20)
    _check_side(data["b"], 20)
    for key in ("p50", "p95", "p99", "mean"):
        expected = data["b"]["latency_ms"][key] / data["a"]["latency_ms"][key]
        assert abs(data["ratio"][key] - expected) < 0.01 * expected + 0.001, (key, data)
    expected = data["b"]["calls_per_s"] / data["a"]["calls_per_s"]
    assert abs(data["ratio"]["calls_per_s"] - expected) < 0.01 * expected + 0.001, data


def test_explicit_exchanges_input_and_connection(connectors: Path, tmp_path: Path, cli: Cli) -> None:
    exchanges = tmp_path / "exchanges.yml"
    exchanges.write_text(
        "- request: {method: GET, path: /v1/contacts/5, headers: {Authorization: 'Bearer {{secret:apiKey}}'}}\n"
        "  response: {body: {id: 5, name: Five}}\n")
    args = ("bench", str(connectors / "plain"), "data/contacts/find-by-id", "--exchanges", str(exchanges),
            "--input", '{"id": 5}', "--calls", "10", "--json", *FAST)
    code, out, err = cli(*args, "--connection", '{"credentials": {"apiKey": "k-1"}}')
    assert code == 0, out + err
    assert json.loads(out)["errors"] == 0
    # an exchange that never matches: every call fails, the bench says why and exits 1
    exchanges.write_text(exchanges.read_text().replace("{{secret:apiKey}}", "other"))
    code, out, err = cli(*args, "--connection", '{"credentials": {"apiKey": "k-1"}}')
    assert code == 1
    assert json.loads(out)["errors"] == 10
    assert json.loads(out)["latency_ms"] == dict.fromkeys(("p50", "p95", "p99", "mean", "min", "max"))  # none measured
    assert "10 call(s) failed; first error: connection/http_error" in err and "599" in err


def test_table_output_and_duration(connectors: Path, cli: Cli) -> None:
    code, out, err = cli("bench", str(connectors / "plain"), "data/contacts/list", "--duration", "0.3", *FAST)
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0] == f"bench {connectors / 'plain'} data/contacts/list"
    assert lines[1].split() == ["calls", "p50", "p95", "p99", "mean", "calls/s", "cpu/call", "errors"]
    assert lines[2].startswith("data/contacts/list")
    assert " ms " in lines[2] and lines[2].split()[-1] == "0"
    assert any(line.startswith("peak RSS ") for line in lines)
    assert "s measured" in out


def test_usage_errors(connectors: Path, cli: Cli) -> None:
    code, _, err = cli("bench", str(connectors / "plain"), "data/contacts/list", "--input", "{nope")
    assert code == 2 and "--input: not valid JSON" in err
    code, _, err = cli("bench", str(connectors / "plain"), "m", "--against", "a", "b", "c")
    assert code == 2 and "--against takes DIR_B" in err


def test_a_method_no_case_calls_is_benched_with_no_exchanges(connectors: Path, cli: Cli) -> None:
    """Not a crash of the server process: every request gets the 599, and the bench says so."""
    code, out, err = cli("bench", str(connectors / "plain"), "data/contacts/find-by-id", "--input", '{"id": 5}',
                         "--connection", '{"credentials": {"apiKey": "k"}}', "--calls", "3", *FAST)
    assert code == 1
    assert "no test case of" in err and "calls data/contacts/find-by-id: serving no exchanges" in err
    assert "3 call(s) failed; first error: connection/http_error" in err
    row = out.splitlines()[2].split()
    assert row[:3] == ["data/contacts/find-by-id", "3", "-"] and row[-1] == "3"


def test_comparing_two_methods_serves_the_exchanges_of_both_cases(connectors: Path, cli: Cli) -> None:
    """B (another method, other requests) is answered from its own test case, not failed by A's."""
    code, out, err = cli("bench", str(connectors / "echo"), "data/contacts/find-by-id", "--input", '{"id": "7"}',
                         "--against", str(connectors / "echo"), "data/contacts/list", "--calls", "5", "--json", *FAST)
    assert code == 0, out + err
    data = json.loads(out)
    assert (data["a"]["method"], data["b"]["method"]) == ("data/contacts/find-by-id", "data/contacts/list")
    _check_side(data["a"], 5)
    _check_side(data["b"], 5)
