"""Value objects of a connector test case: what is sent, what is answered, what is expected.

They are built once from a case file (`_load.py`) and are read-only afterwards, so one case can be
replayed many times (the bench reuses the same exchanges thousands of times).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "ABSENT",
    "Case",
    "ConnectionSpec",
    "ErrorExpectation",
    "Exchange",
    "Expectation",
    "RequestMatcher",
    "ResponseSpec",
]


class _Absent:
    """Sentinel for "the file does not say", distinct from an explicit `null`."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class RequestMatcher:
    """What a request must look like to be answered by an exchange.

    `query`, `headers` and `form` are subset matches (values compared as strings, header names
    case-insensitive, stored lower-case); `query_exact` must equal the whole query; `body` is a
    JSON subset match; `body_text` must equal the raw body.
    """

    method: str
    path: str
    query: dict[str, Any] | None = None
    query_exact: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    body: Any = ABSENT
    body_text: str | None = None
    form: dict[str, Any] | None = None

    def describe(self) -> str:
        """`GET /v3/contacts?limit=100`: one line naming the request, for messages."""
        query = self.query_exact if self.query_exact is not None else self.query
        if query:
            return f"{self.method} {self.path}?{urlencode(query, doseq=True)}"
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class ResponseSpec:
    """The answer the replay server gives: a dict/list body is JSON, a string is sent as is."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = ABSENT

    def encode(self) -> tuple[int, list[tuple[str, str]], bytes]:
        """Status, headers and body bytes as they go over the wire."""
        headers = list(self.headers.items())
        names = {k.lower() for k in self.headers}
        if self.body is ABSENT or self.body is None:
            body = b""
        elif isinstance(self.body, str):
            body = self.body.encode()
            if "content-type" not in names:
                headers.append(("Content-Type", "text/plain; charset=utf-8"))
        else:
            body = json.dumps(self.body, ensure_ascii=False).encode()
            if "content-type" not in names:
                headers.append(("Content-Type", "application/json"))
        return self.status, headers, body


@dataclass(frozen=True)
class Exchange:
    """One expected request and its canned response; `index` is its position in the file."""

    index: int
    request: RequestMatcher
    response: ResponseSpec
    times: int = 1
    where: str = ""  # "tests/list.yml exchanges[0]", for messages

    def label(self) -> str:
        return f"exchange #{self.index} ({self.request.describe()})"


@dataclass(frozen=True)
class ConnectionSpec:
    """How the case connects: the four inputs of `Connector.connect`."""

    connector_parameters: dict[str, Any] = field(default_factory=dict)
    connection_parameters: dict[str, Any] = field(default_factory=dict)
    credentials: dict[str, Any] | None = None
    auth_option_key: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The YAML shape (camelCase keys), without empty sections."""
        out: dict[str, Any] = {}
        if self.connector_parameters:
            out["connectorParameters"] = self.connector_parameters
        if self.connection_parameters:
            out["connectionParameters"] = self.connection_parameters
        if self.credentials is not None:
            out["credentials"] = self.credentials
        if self.auth_option_key is not None:
            out["authOptionKey"] = self.auth_option_key
        return out


@dataclass(frozen=True)
class ErrorExpectation:
    """`expect.error`: each part optional; `message` is a regular expression searched."""

    type: str | None = None
    key: str | None = None
    message: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Expectation:
    """`expect:` of a case, compiled (regexes and JMESPath expressions checked at load)."""

    output: Any = ABSENT
    output_contains: Any = ABSENT
    assertions: tuple[tuple[str, Any, Any], ...] = ()  # (source, compiled expression, expected)
    error: ErrorExpectation | None = None
    logs: tuple[re.Pattern[str], ...] = ()
    credentials: dict[str, Any] | None = None


@dataclass(frozen=True)
class Case:
    """One test case of a connector, ready to run.

    `id` is "connector::file::name" (file relative to the connector's tests/ folder): the string
    `-k` selects on and the pytest node name.
    """

    connector: str
    connector_root: Path
    file: Path
    rel_file: str
    index: int | None
    name: str
    method: str
    connection: ConnectionSpec
    input: Any
    exchanges: tuple[Exchange, ...]
    expect: Expectation | None

    @property
    def id(self) -> str:
        return f"{self.connector}::{self.rel_file}::{self.name}"
