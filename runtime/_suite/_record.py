"""Record mode: run a case against the live API and write what went over the wire into its file.

Recording happens at the transport (`RecordingTransport`), so HTTPS APIs work as they are and
nothing has to be proxied. Every request and response is kept, then turned into exchanges with
secrets replaced by `{{secret:<name>}}` placeholders (see `_secrets.py`): the values of the live
connection, tokens found in bodies (a token response's `access_token`, ...), and Authorization
headers. Noisy headers (Date, Server, User-Agent, ...) are left out so the case stays readable
and matches on what matters.

Live secrets can come from a separate file (`--secrets`, the `connection:` shape), so the case
file keeps only fake values: the connection keys the live run used and the case lacks are added
to the case with the stand-in value `secret-<name>`, which is also what their placeholders
resolve to on replay.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import yaml

from runtime._suite._load import JsonLikeLoader
from runtime._suite._match import ReceivedRequest
from runtime._suite._model import ABSENT, Case, ConnectionSpec, Exchange, RequestMatcher, ResponseSpec
from runtime._suite._run import Invoke, Outcome
from runtime._suite._secrets import Redactor, is_secret_key, leaves
from runtime._suite._write import exchange_to_dict

__all__ = ["RecordedExchange", "RecordingTransport", "live_connection", "record_case", "write_recording"]

_DROP_REQUEST_HEADERS = frozenset({
    "host", "connection", "accept", "accept-encoding", "user-agent", "content-length", "transfer-encoding",
    "x-replay-case", "x-replay-host", "cookie",
})
_DROP_RESPONSE_HEADERS = frozenset({
    "date", "server", "content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive",
    "set-cookie", "vary", "strict-transport-security", "alt-svc", "cf-ray", "cf-cache-status", "x-request-id",
    "via", "age", "expires", "cache-control", "pragma", "report-to", "nel", "x-content-type-options",
    "x-frame-options", "x-xss-protection", "content-security-policy", "etag", "last-modified",
})


@dataclass
class RecordedExchange:
    """One request/response pair as it went over the wire (before redaction)."""

    method: str
    url: httpx.URL
    headers: list[tuple[str, str]]
    body: bytes
    status: int
    response_headers: list[tuple[str, str]]
    response_body: bytes


class RecordingTransport(httpx.AsyncBaseTransport):
    """Forwards every request to the real API (or to `upstream`) and keeps a copy of both sides.

    `upstream` (a base URL such as `http://127.0.0.1:8080`) replaces scheme, host and port of
    every request: a staging server, or the stand-in "live API" of an offline test.
    """

    def __init__(self, upstream: str | None = None) -> None:
        self._upstream = httpx.URL(upstream) if upstream else None
        self._inner = httpx.AsyncHTTPTransport()
        self.recorded: list[RecordedExchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        url = request.url
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        if self._upstream is not None:
            url = url.copy_with(scheme=self._upstream.scheme, host=self._upstream.host, port=self._upstream.port)
            headers = [(k, v) for k, v in headers if k.lower() != "host"]
        forwarded = httpx.Request(request.method, url, headers=headers, content=body, extensions=request.extensions)
        response = await self._inner.handle_async_request(forwarded)
        try:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        decoded = httpx.Response(response.status_code, headers=response.headers, content=raw)
        decoded.read()
        self.recorded.append(RecordedExchange(
            method=request.method, url=request.url,
            headers=[(k.lower(), v) for k, v in headers],
            body=body, status=response.status_code,
            response_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw],
            response_body=decoded.content,
        ))
        return httpx.Response(response.status_code, headers=response.headers, content=raw,
                              extensions={k: v for k, v in response.extensions.items() if k != "network_stream"})

    async def aclose(self) -> None:
        await self._inner.aclose()


def _json_or_absent(body: bytes) -> Any:
    if not body:
        return ABSENT
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ABSENT


def _params(pairs: list[tuple[str, str]], redactor: Redactor) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        v = redactor.text(v)
        if k in out:
            out[k] = (out[k] if isinstance(out[k], list) else [out[k]]) + [v]
        else:
            out[k] = v
    return out


def to_exchanges(recorded: list[RecordedExchange], redactor: Redactor, where: str = "") -> list[Exchange]:
    """Redacted exchanges from what was recorded (secrets learnt from every body first)."""
    for rec in recorded:
        redactor.learn_json(_json_or_absent(rec.body) or None)
        redactor.learn_json(_json_or_absent(rec.response_body) or None)
        # values under secret-looking names: query parameters (`?token=`), form fields, headers
        named: list[tuple[str, str]] = list(parse_qsl(rec.url.query.decode("ascii", "replace")))
        named += [(k, v) for k, v in rec.headers if k not in ("authorization", "cookie")]
        named += [(k.lower(), v) for k, v in rec.response_headers]
        content_type = dict(rec.headers).get("content-type", "")
        if "x-www-form-urlencoded" in content_type:
            named += parse_qsl(rec.body.decode("utf-8", "replace"))
        for k, v in named:
            if is_secret_key(k) or k.lower() in ("code", "code_verifier"):
                redactor.learn(k, v)
    out: list[Exchange] = []
    for i, rec in enumerate(recorded):
        wire = ReceivedRequest.from_target(rec.method, rec.url.raw_path.decode("ascii"), rec.headers, rec.body)
        headers: dict[str, str] = {}
        for k, v in rec.headers:
            if k in _DROP_REQUEST_HEADERS:
                continue
            if k == "authorization":
                value = redactor.authorization(v)
                if value is not None:
                    headers[k] = value
            else:
                headers[k] = redactor.text(v)
        content_type = headers.get("content-type", "")
        body: Any = ABSENT
        body_text: str | None = None
        form: dict[str, Any] | None = None
        parsed = _json_or_absent(rec.body)
        if parsed is not ABSENT:
            body = redactor.json(parsed)
        elif "x-www-form-urlencoded" in content_type:
            form = _params(parse_qsl(rec.body.decode("utf-8", "replace"), keep_blank_values=True), redactor)
        elif rec.body:
            body_text = redactor.text(rec.body.decode("utf-8", "replace"))
        request = RequestMatcher(
            method=rec.method.upper(),
            path=redactor.text(wire.path),
            query=_params(wire.query, redactor) or None,
            headers=headers or None,
            body=body,
            body_text=body_text,
            form=form,
        )
        response_headers = {k: redactor.text(v) for k, v in rec.response_headers if k.lower() not in _DROP_RESPONSE_HEADERS}
        resp_json = _json_or_absent(rec.response_body)
        if resp_json is not ABSENT:
            response_body: Any = redactor.json(resp_json)
            content_type = next((v for k, v in response_headers.items() if k.lower() == "content-type"), "")
            if content_type.lower().startswith("application/json"):  # the replay server's default
                response_headers = {k: v for k, v in response_headers.items() if k.lower() != "content-type"}
        elif rec.response_body:
            response_body = redactor.text(rec.response_body.decode("utf-8", "replace"))
        else:
            response_body = ABSENT
        out.append(Exchange(index=i, request=request,
                            response=ResponseSpec(status=rec.status, headers=response_headers, body=response_body),
                            where=f"{where} exchanges[{i}]"))
    return _merge_repeats(out)


def _merge_repeats(exchanges: list[Exchange]) -> list[Exchange]:
    """Identical request/response pairs (anywhere in the run) become one exchange with `times:`."""
    merged: list[Exchange] = []
    keys: list[str] = []
    for ex in exchanges:
        key = json.dumps(exchange_to_dict(ex), sort_keys=True, default=str)
        if key in keys:
            pos = keys.index(key)
            merged[pos] = replace(merged[pos], times=merged[pos].times + 1)
        else:
            keys.append(key)
            merged.append(replace(ex, index=len(merged)))
    return merged


def live_connection(case: Case, secrets: dict[str, Any] | None) -> ConnectionSpec:
    """The case's connection with the live values of a secrets file laid over it."""
    if not secrets:
        return case.connection
    c = case.connection

    def merged(base: dict[str, Any] | None, key: str, *alias: str) -> dict[str, Any] | None:
        extra: dict[str, Any] = {}
        for name in (key, *alias):
            if isinstance(secrets.get(name), dict):
                extra.update(secrets[name])
        if not extra:
            return base
        return {**(base or {}), **extra}

    return ConnectionSpec(
        connector_parameters=merged(c.connector_parameters, "connectorParameters") or {},
        connection_parameters=merged(c.connection_parameters, "connectionParameters", "connectionInput") or {},
        credentials=merged(c.credentials, "credentials"),
        auth_option_key=secrets.get("authOptionKey", c.auth_option_key),
    )


@dataclass
class Recording:
    """What a live run produced, redacted and ready to be written."""

    exchanges: list[Exchange]
    outcome: Outcome
    expect: dict[str, Any] | None = None
    missing_connection: dict[str, dict[str, Any]] = field(default_factory=dict)


async def record_case(case: Case, invoke: Invoke, *, upstream: str | None = None,
                      secrets: dict[str, Any] | None = None) -> Recording:
    """Run `case` against the live API and return its redacted exchanges and output."""
    live = live_connection(case, secrets)
    transport = RecordingTransport(upstream)
    try:
        outcome = await invoke(replace(case, connection=live), transport)
    finally:
        await transport.aclose()
    redactor = Redactor(live)
    exchanges = to_exchanges(transport.recorded, redactor, where=f"{case.connector}/tests/{case.rel_file}")
    expect: dict[str, Any] | None = None
    if outcome.error is not None:
        err = outcome.error
        expect = {"error": {k: v for k, v in (("type", getattr(err, "type", None)), ("key", getattr(err, "key", None))) if v}}
    else:
        expect = {"output": redactor.json(outcome.output)}
    missing: dict[str, dict[str, Any]] = {}
    if secrets:
        have = {path for path, _, _ in leaves(case.connection.as_dict(), "")}
        for path, key, value in leaves(live.as_dict(), ""):
            if path not in have and isinstance(value, str):
                section, _, rest = path.partition(".")
                if "." not in rest and "[" not in rest:
                    missing.setdefault(section, {})[rest] = f"secret-{key}"
    return Recording(exchanges=exchanges, outcome=outcome, expect=expect, missing_connection=missing)


def write_recording(case: Case, recording: Recording, *, scrub: list[str] | None = None) -> None:
    """Write the exchanges (and `expect`, when the case has none) into the case's file.

    Only the case's `exchanges:` (and a missing `expect:`) are rewritten, in place, so comments
    and layout elsewhere in the file stay as the author wrote them. When that cannot be done
    safely (a case written in flow style `{...}`, connection keys to add), the file is re-dumped
    (key order kept, comments lost). `scrub` lists values that must not reach the file (the live
    secrets), checked as a last line of defence.
    """
    original = case.file.read_text(encoding="utf-8")
    data = yaml.load(original, Loader=JsonLikeLoader)  # noqa: S506 - safe subclass
    target = data if case.index is None else data["cases"][case.index]
    exchanges = [exchange_to_dict(ex) for ex in recording.exchanges]
    add_expect = "expect" not in target and recording.expect is not None
    rebuilt: dict[str, Any] = {}
    for key, value in target.items():
        if key == "expect" and "exchanges" not in rebuilt:
            rebuilt["exchanges"] = exchanges
        rebuilt[key] = exchanges if key == "exchanges" else value
    if "exchanges" not in rebuilt:
        rebuilt["exchanges"] = exchanges
    if add_expect:
        rebuilt["expect"] = recording.expect
    if recording.missing_connection:
        conn = dict(rebuilt.get("connection") or {})
        for section, values in recording.missing_connection.items():
            conn[section] = {**(conn.get(section) or {}), **values}
        rebuilt["connection"] = conn
    if case.index is None:
        data = rebuilt
    else:
        data["cases"][case.index] = rebuilt
    text = None
    if not recording.missing_connection:
        text = _splice(original, case.index, exchanges, recording.expect if add_expect else None)
        if text is not None and yaml.load(text, Loader=JsonLikeLoader) != data:  # noqa: S506 - safe subclass
            text = None  # an unusual layout: re-dump rather than write something else
    if text is None:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120)
    for secret in scrub or []:
        if secret and secret in text:
            raise RuntimeError(f"refusing to write {case.file.name}: a live secret would be written in clear")
    Path(case.file).write_text(text, encoding="utf-8")


def _dump_key(key: str, value: Any, column: int) -> list[str]:
    """`key: value` as block YAML lines indented to `column`."""
    dumped = yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120)
    return [(" " * column + line) if line.strip() else line for line in dumped.splitlines(keepends=True)]


def _splice(text: str, index: int | None, exchanges: list[Any], expect: Any) -> str | None:
    """`text` with the case's `exchanges:` replaced (and `expect:` added), or None if not safely possible.

    Works on lines, with positions from `yaml.compose`: the old `exchanges:` block (up to the
    next key of the case, comment lines just above that key staying with it) is replaced by the
    new one at the same indentation; a missing `exchanges:` goes just above `expect:` (and its
    comments), a missing `expect:` at the end of the case.
    """
    if not text.endswith("\n"):
        text += "\n"
    root = yaml.compose(text, Loader=JsonLikeLoader)  # noqa: S506 - safe subclass
    if not isinstance(root, yaml.MappingNode):
        return None
    target: yaml.Node | None = root
    if index is not None:
        seq = next((v for k, v in root.value if k.value == "cases"), None)
        target = seq.value[index] if isinstance(seq, yaml.SequenceNode) and index < len(seq.value) else None
    if not isinstance(target, yaml.MappingNode) or target.flow_style or not target.value:
        return None
    lines = text.splitlines(keepends=True)
    column = target.value[0][0].start_mark.column
    starts = [k.start_mark.line for k, _ in target.value]
    names = [k.value for k, _ in target.value]
    if any(k.start_mark.column != column for k, _ in target.value):
        return None
    mark = target.end_mark
    end = mark.line if mark.line >= len(lines) or not lines[mark.line][: mark.column].strip() else mark.line + 1

    def is_note(i: int) -> bool:  # a blank or comment-only line
        return not lines[i].strip() or lines[i].lstrip().startswith("#")

    def back_off(stop: int, floor: int) -> int:  # exclude trailing blank/comment lines before `stop`
        while stop > floor and is_note(stop - 1):
            stop -= 1
        return stop

    edits: list[tuple[int, int, list[str]]] = []  # (first line, end line, new lines), non-overlapping
    if "exchanges" in names:
        pos = names.index("exchanges")
        first = starts[pos]
        if lines[first][:column].strip():  # `- exchanges:` opens the list item: leave it to the re-dump
            return None
        stop = starts[pos + 1] if pos + 1 < len(starts) else end
        edits.append((first, back_off(stop, first + 1), _dump_key("exchanges", exchanges, column)))
    elif "expect" in names:
        at = back_off(starts[names.index("expect")], starts[0] + 1)
        edits.append((at, at, _dump_key("exchanges", exchanges, column)))
    else:
        at = back_off(end, starts[0] + 1)
        edits.append((at, at, _dump_key("exchanges", exchanges, column)))
    if expect is not None:
        at = back_off(end, starts[0] + 1)
        edits.append((max(at, edits[-1][1]), max(at, edits[-1][1]), _dump_key("expect", expect, column)))
    for first, stop, new in reversed(edits):  # edits are in file order: apply from the bottom up
        lines[first:stop] = new
    return "".join(lines)
