"""The bench's human output: one row per side, a ratio row when comparing, memory underneath."""

from __future__ import annotations

from typing import Any

from runtime._bench._engine import BenchReport

__all__ = ["format_table", "progress_bar"]


def _ms(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f} ms" if value < 10 else f"{value:.1f} ms"


def _x(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}x"


def format_table(report: BenchReport) -> str:
    data = report.to_dict()
    rows = [data] if "a" not in data else [data["a"], data["b"]]
    header = ["", "calls", "p50", "p95", "p99", "mean", "calls/s", "cpu/call", "errors"]
    lines: list[list[str]] = [header]
    for i, row in enumerate(rows):
        label = row["label"] if len(rows) > 1 else row["method"]
        lat = row["latency_ms"]
        lines.append([
            label, str(row["calls"]), _ms(lat["p50"]), _ms(lat["p95"]), _ms(lat["p99"]), _ms(lat["mean"]),
            "-" if row["calls_per_s"] is None else f"{row['calls_per_s']:.1f}",
            _ms(row["cpu_ms_per_call"]), str(row["errors"]),
        ])
    if "ratio" in data:
        r = data["ratio"]
        lines.append(["B/A", "", _x(r["p50"]), _x(r["p95"]), _x(r["p99"]), _x(r["mean"]), _x(r["calls_per_s"]),
                      _x(r["cpu_ms_per_call"]), ""])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = []
    for line in lines:
        cells = [line[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(line[1:], widths[1:])]
        text.append("  ".join(cells).rstrip())
    title = " vs ".join(f"{row['label']}={row['connector']} {row['method']}" for row in rows) if len(rows) > 1 \
        else f"{rows[0]['connector']} {rows[0]['method']}"
    mem = data["memory"]
    heap = ", ".join(
        f"{row['label'] if len(rows) > 1 else 'python heap'} {row['python_heap_peak_kb']} KB"
        for row in rows if row["python_heap_peak_kb"] is not None)
    machine = data["machine"]
    foot = [
        f"concurrency {data['concurrency']}, {data['duration_s']:.2f} s measured"
        + (" (A and B interleaved)" if len(rows) > 1 else "")
        + f"; {machine['cpus']} CPUs, Python {machine['python']}",
        "load " + ", ".join(f"{row['load_ms']:.0f} ms" for row in rows)
        + "; first call " + ", ".join(f"{row['first_call_ms']:.1f} ms" for row in rows),
        f"peak RSS {mem['rss_peak_mb']} MB (+{mem['rss_growth_mb']} MB during the run)"
        + (f"; tracemalloc peak over {mem['tracemalloc_calls']} calls: {heap}" if heap else ""),
    ]
    for row in rows:
        if row.get("firstError"):
            foot.append(f"first error ({row['label']}): {row['firstError'].splitlines()[0]}")
    return "\n".join([f"bench {title}", *text, *foot])


def progress_bar(fraction: float, width: int = 30) -> str:
    fraction = max(0.0, min(1.0, fraction))
    filled = int(round(fraction * width))
    return f"[{'#' * filled}{'.' * (width - filled)}] {fraction * 100:5.1f}%"
