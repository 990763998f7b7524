"""Does a request match an expected exchange, and if not, what differs, in words.

The same difference walker serves request bodies and expected outputs, so a connector author
reads one style of message everywhere: one line per difference, with the JSON path of the value
(`records[0].id: expected "1", got 1`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from runtime._suite._model import ABSENT, Exchange, RequestMatcher

__all__ = [
    "ReceivedRequest",
    "closest_exchange",
    "differences",
    "format_value",
    "request_mismatches",
]

_MAX_VALUE = 160


@dataclass
class ReceivedRequest:
    """A request as the replay server received it (host is the original one, before rerouting)."""

    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)  # names lower-case
    body: bytes = b""
    host: str = ""

    @classmethod
    def from_target(cls, method: str, target: str, headers: list[tuple[str, str]], body: bytes,
                    host: str = "") -> ReceivedRequest:
        raw_path, _, raw_query = target.partition("?")
        return cls(method=method.upper(), path=unquote(raw_path),
                   query=parse_qsl(raw_query, keep_blank_values=True), headers=headers, body=body, host=host)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def describe(self) -> str:
        from urllib.parse import urlencode

        q = f"?{urlencode(self.query)}" if self.query else ""
        return f"{self.method} {self.path}{q}"

    def json_body(self) -> Any:
        """The body parsed as JSON, or ABSENT when it is not JSON."""
        if not self.body:
            return ABSENT
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return ABSENT

    def text_body(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def format_value(value: Any) -> str:
    """A short JSON rendering for messages."""
    if value is ABSENT:
        return "(nothing)"
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > _MAX_VALUE:
        text = text[: _MAX_VALUE - 3] + "..."
    return text


def _path(base: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{base}[{key}]"
    if key.isidentifier():
        return f"{base}.{key}" if base else key
    return f"{base}[{json.dumps(key)}]"


def differences(expected: Any, actual: Any, *, subset: bool, path: str = "", limit: int = 20) -> list[str]:
    """Human lines for every place `actual` differs from `expected`.

    subset=True: dicts of `expected` need only be contained in `actual` (extra keys are fine),
    lists must have the same length with each element matched as a subset. subset=False: exact
    JSON equality (1 and 1.0 are equal, 1 and "1" are not, True and 1 are not).
    """
    out: list[str] = []
    _diff(expected, actual, subset, path, out, limit)
    return out


def _same_scalar(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _diff(expected: Any, actual: Any, subset: bool, path: str, out: list[str], limit: int) -> None:
    if len(out) >= limit:
        return
    where = path or "(top)"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            out.append(f"{where}: expected a mapping {format_value(expected)}, got {format_value(actual)}")
            return
        for key, value in expected.items():
            sub = _path(path, str(key))
            if key not in actual:
                out.append(f"{sub}: missing (expected {format_value(value)})")
            else:
                _diff(value, actual[key], subset, sub, out, limit)
            if len(out) >= limit:
                return
        if not subset:
            for key in actual:
                if key not in expected:
                    out.append(f"{_path(path, str(key))}: not expected (got {format_value(actual[key])})")
                    if len(out) >= limit:
                        return
        return
    if isinstance(expected, list):
        if not isinstance(actual, list):
            out.append(f"{where}: expected a list {format_value(expected)}, got {format_value(actual)}")
            return
        if len(expected) != len(actual):
            out.append(f"{where}: expected {len(expected)} item(s), got {len(actual)}")
        for i, (e, a) in enumerate(zip(expected, actual)):
            _diff(e, a, subset, _path(path, i), out, limit)
            if len(out) >= limit:
                return
        return
    if not _same_scalar(expected, actual):
        out.append(f"{where}: expected {format_value(expected)}, got {format_value(actual)}")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _param_mismatches(label: str, expected: dict[str, Any], actual: list[tuple[str, str]], exact: bool) -> list[str]:
    """query / form: values compared as strings; a list expects every value of a repeated name."""
    have: dict[str, list[str]] = {}
    for k, v in actual:
        have.setdefault(k, []).append(v)
    out: list[str] = []
    for name, value in expected.items():
        want = [_text(v) for v in value] if isinstance(value, list) else [_text(value)]
        got = have.get(name)
        if got is None:
            out.append(f"{label} {name}: missing (expected {format_value(want if isinstance(value, list) else want[0])})")
        elif got != want:
            shown_got = got if len(got) > 1 or isinstance(value, list) else got[0]
            shown_want = want if isinstance(value, list) else want[0]
            out.append(f"{label} {name}: expected {format_value(shown_want)}, got {format_value(shown_got)}")
    if exact:
        for name in have:
            if name not in expected:
                out.append(f"{label} {name}: not expected (got {format_value(have[name][0] if len(have[name]) == 1 else have[name])})")
    return out


def request_mismatches(m: RequestMatcher, r: ReceivedRequest) -> list[str]:
    """Every way `r` differs from the matcher (empty list: it matches)."""
    out: list[str] = []
    if m.method != r.method:
        out.append(f"method: expected {m.method}, got {r.method}")
    if unquote(m.path) != r.path:
        out.append(f"path: expected {m.path}, got {r.path}")
    if m.query_exact is not None:
        out.extend(_param_mismatches("query", m.query_exact, r.query, exact=True))
    elif m.query:
        out.extend(_param_mismatches("query", m.query, r.query, exact=False))
    if m.headers:
        for name, want in m.headers.items():
            got = r.header(name)
            if got is None:
                out.append(f"header {name}: missing (expected {format_value(want)})")
            elif got != want:
                out.append(f"header {name}: expected {format_value(want)}, got {format_value(got)}")
    if m.body is not ABSENT:
        actual = r.json_body()
        if actual is ABSENT:
            shown = r.text_body() if r.body else "(empty body)"
            out.append(f"body: expected JSON {format_value(m.body)}, got {format_value(shown)}")
        else:
            out.extend(f"body {line}" for line in differences(m.body, actual, subset=True))
    elif m.body_text is not None:
        if r.text_body() != m.body_text:
            out.append(f"bodyText: expected {format_value(m.body_text)}, got {format_value(r.text_body())}")
    elif m.form is not None:
        pairs = parse_qsl(r.text_body(), keep_blank_values=True)
        out.extend(_param_mismatches("form", m.form, pairs, exact=False))
    return out


def _score(m: RequestMatcher, mismatches: list[str]) -> int:
    """Lower is closer: a wrong path or method weighs more than a wrong query value."""
    score = 0
    for line in mismatches:
        if line.startswith("path:"):
            score += 8
        elif line.startswith("method:"):
            score += 4
        else:
            score += 1
    return score


def closest_exchange(exchanges: list[Exchange] | tuple[Exchange, ...], request: ReceivedRequest,
                     prefer: set[int] | None = None) -> tuple[Exchange, list[str]] | None:
    """The expected exchange that differs least from `request`, with the differences.

    `prefer`: exchange indexes still available; on a tie they win over used-up ones.
    """
    best: tuple[tuple[int, int], Exchange, list[str]] | None = None
    for ex in exchanges:
        lines = request_mismatches(ex.request, request)
        rank = (_score(ex.request, lines), 0 if prefer is None or ex.index in prefer else 1)
        if best is None or rank < best[0]:
            best = (rank, ex, lines)
    if best is None:
        return None
    return best[1], best[2]
