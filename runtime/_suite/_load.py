"""Finding connectors and their case files, and turning a case file into checked `Case` objects.

Every problem is reported with the file and the field path inside it
(`tests/list.yml: cases[1].exchanges[0].request.path: required`), all problems of a file at
once, so an author fixes a file in one go. Regexes and JMESPath expressions are compiled here,
at load, so a bad pattern is a load error and not a confusing failure mid-run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from runtime._errors import SpecError
from runtime._suite._model import (
    ABSENT,
    Case,
    ConnectionSpec,
    ErrorExpectation,
    Exchange,
    Expectation,
    RequestMatcher,
    ResponseSpec,
)
from runtime._suite._secrets import secret_table, substitute

__all__ = [
    "CaseFileError",
    "JsonLikeLoader",
    "connector_of",
    "find_case_files",
    "find_connectors",
    "is_case_file",
    "is_connector_dir",
    "load_case_file",
    "load_exchanges",
    "read_yaml",
]

SPEC_NAMES = ("spec.yml", "spec.yaml")
CASE_SUFFIXES = (".yml", ".yaml")

_CASE_KEYS = ("name", "description", "method", "connection", "input", "exchanges", "expect")
_FILE_KEYS = ("cases", "connection", "description")
_CONNECTION_KEYS = ("connectorParameters", "connectionParameters", "connectionInput", "credentials",
                    "authOptionKey")
_EXCHANGE_KEYS = ("request", "response", "times")
_REQUEST_KEYS = ("method", "path", "query", "queryExact", "headers", "body", "bodyText", "form")
_RESPONSE_KEYS = ("status", "headers", "body")
_EXPECT_KEYS = ("output", "outputContains", "assertions", "error", "logs", "credentials")
_ERROR_KEYS = ("type", "key", "message")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class CaseFileError(SpecError):
    """A case file cannot be used; `problems` lists every `SpecError` found in it."""

    key = "invalid_test_case"

    def __init__(self, file: str, problems: list[SpecError]) -> None:
        self.problems = problems
        text = "\n".join(p.message for p in problems)
        SpecError.__init__(self, file, None, f"{len(problems)} problem(s)")
        self.message = text
        self.args = (text,)


def is_connector_dir(path: Path) -> bool:
    """A connector is a directory holding a `spec.yml`."""
    return path.is_dir() and any((path / n).is_file() for n in SPEC_NAMES)


def find_connectors(path: Path) -> list[Path]:
    """The connector directories a user means by `path`.

    `path` is a connector itself, or a folder of connectors (searched two levels deep, so
    `connectors/` and `vendor/connectors/acme` both work); hidden and `_` folders are skipped.
    """
    if is_connector_dir(path):
        return [path]
    found: list[Path] = []
    if not path.is_dir():
        return found
    for child in sorted(path.iterdir()):
        if child.name.startswith((".", "_")) or not child.is_dir():
            continue
        if is_connector_dir(child):
            found.append(child)
        else:
            found.extend(c for c in sorted(child.iterdir()) if not c.name.startswith((".", "_"))
                         and is_connector_dir(c))
    return found


def is_case_file(path: Path, tests_dir: Path) -> bool:
    """A `*.yml` / `*.yaml` under tests/, not hidden and not under a `_folder` (kept for data)."""
    if path.suffix not in CASE_SUFFIXES:
        return False
    try:
        parts = path.relative_to(tests_dir).parts
    except ValueError:
        return False
    return not any(part.startswith((".", "_")) for part in parts)


def find_case_files(connector: Path) -> list[Path]:
    """Every case file under `<connector>/tests/`, sorted."""
    tests = connector / "tests"
    if not tests.is_dir():
        return []
    return sorted(p for p in tests.rglob("*") if is_case_file(p, tests) and p.is_file())


class JsonLikeLoader(yaml.SafeLoader):
    """YAML as JSON sees it: `2024-01-01` stays a string (connector outputs hold no dates)."""


JsonLikeLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path, display: str) -> Any:
    """Parse a YAML file; a syntax error names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError(display, [SpecError(display, None, f"cannot read: {exc}")]) from exc
    try:
        return yaml.load(text, Loader=JsonLikeLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        problem = f"invalid YAML: {getattr(exc, 'problem', None) or exc}"
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start is not None and (mark is None or start.line != mark.line):
            # an unclosed `{` or `[` is noticed lines later: say where it opened
            problem += f" ({context} at line {start.line + 1}, column {start.column + 1})"
        raise CaseFileError(display, [SpecError(display, where, problem)]) from exc


class _Checker:
    """Collects problems of one file, each with its field path."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.problems: list[SpecError] = []

    def problem(self, field: str, text: str) -> None:
        self.problems.append(SpecError(self.display, field or None, text))

    def mapping(self, value: Any, field: str, allowed: Iterable[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(field, f"must be a mapping, got {_type_name(value)}")
            return None
        allowed = tuple(allowed)
        for key in value:
            if key not in allowed:
                hint = _closest(str(key), allowed)
                more = f" (did you mean '{hint}'?)" if hint else f" (allowed: {', '.join(allowed)})"
                self.problem(_join(field, str(key)), f"unknown key{more}")
        return value

    def dict_of_any(self, value: Any, field: str) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(field, f"must be a mapping, got {_type_name(value)}")
            return None
        return value


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null", int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _closest(key: str, allowed: tuple[str, ...]) -> str | None:
    import difflib

    match = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return match[0] if match else None


def _join(field: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{field}[{key}]"
    return f"{field}.{key}" if field else key


def _scalar_map(ck: _Checker, value: Any, field: str) -> dict[str, Any] | None:
    """query / form / headers: a mapping of names to scalars (or lists of scalars)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        ck.problem(field, f"must be a mapping of names to values, got {_type_name(value)}")
        return None
    for k, v in value.items():
        items = v if isinstance(v, list) else [v]
        for item in items:
            if isinstance(item, (dict, list)):
                ck.problem(_join(field, str(k)), "must be a string, number, boolean or a list of them")
                break
    return {str(k): v for k, v in value.items()}


def _parse_connection(ck: _Checker, value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    conn = ck.mapping(value, field, _CONNECTION_KEYS)
    if conn is None:
        return {}
    for key in ("connectorParameters", "connectionParameters", "connectionInput", "credentials"):
        if key in conn and conn[key] is not None and not isinstance(conn[key], dict):
            ck.problem(_join(field, key), f"must be a mapping, got {_type_name(conn[key])}")
    if "connectionInput" in conn and "connectionParameters" in conn:
        ck.problem(_join(field, "connectionInput"), "give connectionParameters or connectionInput, not both")
    if conn.get("authOptionKey") is not None and not isinstance(conn["authOptionKey"], str):
        ck.problem(_join(field, "authOptionKey"), "must be a string")
    return conn


def _merge_connection(defaults: dict[str, Any], own: dict[str, Any]) -> ConnectionSpec:
    """File-level `connection:` under the case's own: section by section, the case's keys win."""

    def section(*names: str) -> dict[str, Any] | None:
        out: dict[str, Any] | None = None
        for source in (defaults, own):
            for name in names:
                if isinstance(source.get(name), dict):
                    out = {**(out or {}), **source[name]}
        return out

    option = own.get("authOptionKey", defaults.get("authOptionKey"))
    return ConnectionSpec(
        connector_parameters=section("connectorParameters") or {},
        connection_parameters=section("connectionParameters", "connectionInput") or {},
        credentials=section("credentials"),
        auth_option_key=option if isinstance(option, str) else None,
    )


def _parse_request(ck: _Checker, value: Any, field: str) -> RequestMatcher | None:
    req = ck.mapping(value, field, _REQUEST_KEYS)
    if req is None:
        return None
    ok = True
    method = req.get("method")
    if not isinstance(method, str) or not method:
        ck.problem(_join(field, "method"), "required: the HTTP method, e.g. GET")
        ok = False
    elif method.upper() not in _METHODS:
        ck.problem(_join(field, "method"), f"unknown HTTP method {method!r}")
        ok = False
    path = req.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        ck.problem(_join(field, "path"), "required: the exact path starting with '/', e.g. /v3/contacts")
        ok = False
    elif "?" in path:
        ck.problem(_join(field, "path"), "must not hold a query string; put parameters under query:")
        ok = False
    if "query" in req and "queryExact" in req:
        ck.problem(_join(field, "queryExact"), "give query (subset) or queryExact, not both")
        ok = False
    bodies = [k for k in ("body", "bodyText", "form") if k in req]
    if len(bodies) > 1:
        ck.problem(_join(field, bodies[1]), f"give only one of body, bodyText, form (found {', '.join(bodies)})")
        ok = False
    if "bodyText" in req and not isinstance(req["bodyText"], str):
        ck.problem(_join(field, "bodyText"), "must be a string (the exact raw body)")
        ok = False
    query = _scalar_map(ck, req.get("query"), _join(field, "query"))
    query_exact = _scalar_map(ck, req.get("queryExact"), _join(field, "queryExact"))
    form = _scalar_map(ck, req.get("form"), _join(field, "form"))
    headers = _scalar_map(ck, req.get("headers"), _join(field, "headers"))
    if not ok:
        return None
    return RequestMatcher(
        method=method.upper(),
        path=path,
        query=query,
        query_exact=query_exact if "queryExact" in req else None,
        headers={k.lower(): _as_text(v) for k, v in headers.items()} if headers else None,
        body=req["body"] if "body" in req else ABSENT,
        body_text=req.get("bodyText"),
        form=form,
    )


def _as_text(value: Any) -> str:
    """How a YAML scalar is compared with text from the wire (JS-like for booleans/null)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse_response(ck: _Checker, value: Any, field: str) -> ResponseSpec | None:
    if value is None:
        return ResponseSpec()
    resp = ck.mapping(value, field, _RESPONSE_KEYS)
    if resp is None:
        return None
    status = resp.get("status", 200)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        ck.problem(_join(field, "status"), f"must be an HTTP status code (100-599), got {status!r}")
        return None
    headers = _scalar_map(ck, resp.get("headers"), _join(field, "headers")) or {}
    return ResponseSpec(status=status, headers={k: _as_text(v) for k, v in headers.items()},
                        body=resp.get("body", ABSENT))


def parse_exchanges(ck: _Checker, value: Any, field: str) -> list[Exchange]:
    """The `exchanges:` list (also the bench's exchanges file)."""
    if value is None:
        return []
    if not isinstance(value, list):
        ck.problem(field, f"must be a list of {{request, response}}, got {_type_name(value)}")
        return []
    out: list[Exchange] = []
    for i, item in enumerate(value):
        ifield = _join(field, i)
        ex = ck.mapping(item, ifield, _EXCHANGE_KEYS)
        if ex is None:
            continue
        request = None
        if "request" not in ex:  # the response is still checked: report every problem at once
            ck.problem(_join(ifield, "request"), "required")
        else:
            request = _parse_request(ck, ex["request"], _join(ifield, "request"))
        response = _parse_response(ck, ex.get("response"), _join(ifield, "response"))
        times = ex.get("times", 1)
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            ck.problem(_join(ifield, "times"), f"must be a whole number >= 1, got {times!r}")
            continue
        if request is not None and response is not None:
            out.append(Exchange(index=i, request=request, response=response, times=times,
                                where=f"{ck.display} {ifield}"))
    return out


def _parse_expect(ck: _Checker, value: Any, field: str) -> Expectation | None:
    exp = ck.mapping(value, field, _EXPECT_KEYS)
    if exp is None:
        return None
    if "output" in exp and "outputContains" in exp:
        ck.problem(_join(field, "outputContains"), "give output (exact) or outputContains (subset), not both")
    if "error" in exp:
        clash = [k for k in ("output", "outputContains", "assertions") if k in exp]
        if clash:
            ck.problem(_join(field, "error"), f"an error case cannot also expect {', '.join(clash)}")
    assertions: list[tuple[str, Any, Any]] = []
    if "assertions" in exp:
        items = ck.dict_of_any(exp["assertions"], _join(field, "assertions")) or {}
        import jmespath
        from jmespath.exceptions import JMESPathError

        for src, expected in items.items():
            try:
                assertions.append((str(src), jmespath.compile(str(src)), expected))
            except JMESPathError as exc:
                ck.problem(f"{_join(field, 'assertions')}[{str(src)!r}]", f"invalid JMESPath: {exc}")
    error: ErrorExpectation | None = None
    if "error" in exp:
        err = ck.mapping(exp["error"] if exp["error"] is not None else {}, _join(field, "error"), _ERROR_KEYS)
        if err is not None:
            pattern = None
            if err.get("message") is not None:
                pattern = _regex(ck, err["message"], _join(_join(field, "error"), "message"))
            for k in ("type", "key"):
                if k in err and not isinstance(err[k], str):
                    ck.problem(_join(_join(field, "error"), k), "must be a string")
            error = ErrorExpectation(type=err.get("type"), key=err.get("key"), message=pattern)
    logs: list[re.Pattern[str]] = []
    if "logs" in exp:
        raw_logs = exp["logs"]
        if not isinstance(raw_logs, list):
            ck.problem(_join(field, "logs"), "must be a list of regular expressions")
        else:
            for i, pat in enumerate(raw_logs):
                rx = _regex(ck, pat, _join(_join(field, "logs"), i))
                if rx is not None:
                    logs.append(rx)
    credentials = ck.dict_of_any(exp.get("credentials"), _join(field, "credentials"))
    return Expectation(
        output=exp.get("output", ABSENT),
        output_contains=exp.get("outputContains", ABSENT),
        assertions=tuple(assertions),
        error=error,
        logs=tuple(logs),
        credentials=credentials,
    )


def _regex(ck: _Checker, value: Any, field: str) -> re.Pattern[str] | None:
    if not isinstance(value, str):
        ck.problem(field, "must be a string (a regular expression)")
        return None
    try:
        return re.compile(value)
    except re.error as exc:
        ck.problem(field, f"invalid regular expression: {exc}")
        return None


def _case_name(path: Path, index: int | None) -> str:
    return path.stem if index is None else f"{path.stem}[{index}]"


def load_case_file(path: Path, *, connector_root: Path | None = None, allow_missing_expect: bool = False) -> list[Case]:
    """All cases of one file; raises `CaseFileError` listing every problem (file + field).

    `connector_root` defaults to the directory above the nearest `tests/` folder.
    `allow_missing_expect` is for record mode, which writes `expect` itself.
    """
    path = Path(path)
    if connector_root is None:
        connector_root = connector_of(path)
    tests_dir = connector_root / "tests"
    try:
        rel = path.resolve().relative_to(tests_dir.resolve()).as_posix()
    except ValueError:
        rel = path.name
    display = f"{connector_root.name}/tests/{rel}"
    data = read_yaml(path, display)
    ck = _Checker(display)
    if data is None:
        raise CaseFileError(display, [SpecError(display, None, "empty file: a case needs at least method and expect")])
    if not isinstance(data, dict):
        raise CaseFileError(display, [SpecError(display, None, f"must be a mapping (one case) or hold cases:, got {_type_name(data)}")])

    raw_cases: list[tuple[str, int | None, Any]]
    defaults: dict[str, Any] = {}
    if "cases" in data:
        if "method" in data:
            ck.problem("method", "a file holds either one case (method: ...) or a list under cases:, not both")
        ck.mapping(data, "", _FILE_KEYS + (("method",) if "method" in data else ()))
        defaults = _parse_connection(ck, data.get("connection"), "connection")
        items = data["cases"]
        if not isinstance(items, list) or not items:
            ck.problem("cases", "must be a non-empty list of cases")
            items = []
        raw_cases = [(f"cases[{i}]", i, item) for i, item in enumerate(items)]
    else:
        raw_cases = [("", None, data)]

    cases: list[Case] = []
    seen: dict[str, str] = {}
    for field, index, raw in raw_cases:
        start = len(ck.problems)
        spec = ck.mapping(raw, field, _CASE_KEYS)
        if spec is None:
            continue
        name = spec.get("name")
        if name is not None and not isinstance(name, str):
            ck.problem(_join(field, "name"), "must be a string")
            name = None
        name = name or _case_name(path, index)
        if name in seen:
            ck.problem(_join(field, "name"), f"duplicate case name {name!r} (also {seen[name] or 'the file'})")
        seen[name] = field
        method = spec.get("method")
        if not isinstance(method, str) or not method.strip():
            ck.problem(_join(field, "method"), "required: the method path, e.g. data/contacts/list")
        own = _parse_connection(ck, spec.get("connection"), _join(field, "connection"))
        connection = _merge_connection(defaults, own)
        exchanges = parse_exchanges(ck, spec.get("exchanges"), _join(field, "exchanges"))
        expect = None
        if "expect" in spec:
            expect = _parse_expect(ck, spec["expect"] if spec["expect"] is not None else {}, _join(field, "expect"))
        elif not allow_missing_expect:
            ck.problem(_join(field, "expect"), "required: what the call must return (output, outputContains, "
                       "assertions or error); record mode (--record) can write it")
        if len(ck.problems) > start:
            continue
        table = secret_table(connection)
        exchanges = [_fill_exchange(ex, table) for ex in exchanges]
        if expect is not None:
            expect = _fill_expect(expect, table)
        cases.append(
            Case(
                connector=connector_root.name,
                connector_root=connector_root,
                file=path,
                rel_file=rel,
                index=index,
                name=name,
                method=method.strip(),
                connection=connection,
                input=spec.get("input", {}) if spec.get("input") is not None else {},
                exchanges=tuple(exchanges),
                expect=expect,
            )
        )
    if ck.problems:
        raise CaseFileError(display, ck.problems)
    return cases


def _fill_exchange(ex: Exchange, table: dict[str, str]) -> Exchange:
    r = ex.request
    request = replace(
        r,
        path=substitute(r.path, table),
        query=substitute(r.query, table),
        query_exact=substitute(r.query_exact, table),
        headers=substitute(r.headers, table),
        body=substitute(r.body, table),
        body_text=substitute(r.body_text, table),
        form=substitute(r.form, table),
    )
    response = replace(ex.response, headers=substitute(ex.response.headers, table),
                       body=substitute(ex.response.body, table))
    return replace(ex, request=request, response=response)


def _fill_expect(exp: Expectation, table: dict[str, str]) -> Expectation:
    return replace(
        exp,
        output=substitute(exp.output, table),
        output_contains=substitute(exp.output_contains, table),
        assertions=tuple((s, c, substitute(v, table)) for s, c, v in exp.assertions),
        credentials=substitute(exp.credentials, table),
    )


def connector_of(path: Path) -> Path:
    """The connector directory of a case file: the parent of its nearest `tests/` ancestor."""
    for parent in path.resolve().parents:
        if parent.name == "tests" and is_connector_dir(parent.parent):
            return parent.parent
    for parent in path.resolve().parents:
        if parent.name == "tests":
            return parent.parent
    return path.resolve().parent


def load_exchanges(path: Path, *, method: str | None = None, connection: ConnectionSpec | None = None,
                   allow_empty: bool = False) -> tuple[list[Exchange], Case | None]:
    """Exchanges for the bench: a list, a mapping with `exchanges:`, or a case file.

    From a case file, the case calling `method` (else the first) is used, and returned too, so
    its connection and input serve as defaults. Placeholders are filled from `connection`
    (else the case's own connection). `allow_empty`: an empty list is fine (a method that makes
    no request; the bench's server process).
    """
    path = Path(path)
    display = str(path)
    data = read_yaml(path, display)
    if isinstance(data, dict) and ("method" in data or "cases" in data):
        cases = load_case_file(path, allow_missing_expect=True)
        chosen = next((c for c in cases if method is None or c.method == method), cases[0])
        if connection is None:
            return list(chosen.exchanges), chosen
        # re-read the raw exchanges so placeholders are filled from the given connection
        raw = data if "method" in data else data["cases"][chosen.index or 0]
        data = {"exchanges": raw.get("exchanges")}
        case: Case | None = chosen
    else:
        case = None
    ck = _Checker(display)
    items = data.get("exchanges") if isinstance(data, dict) else data
    if isinstance(data, dict) and "exchanges" not in data:
        ck.problem("exchanges", "required: a list of {request, response}")
    exchanges = parse_exchanges(ck, items, "exchanges")
    if not exchanges and not ck.problems and not allow_empty:
        ck.problem("exchanges", "must hold at least one exchange")
    if ck.problems:
        raise CaseFileError(display, ck.problems)
    table = secret_table(connection or ConnectionSpec())
    return [_fill_exchange(ex, table) for ex in exchanges], case
