"""Redaction of secrets in everything the API client writes down (logs, errors, reprs).

Why a dedicated object: the client knows the secrets of one connection (credentials,
connector parameters, tokens it was handed), and everything it records must pass through one
place that removes them, so no code path can forget. Three layers:

1. known secret values are replaced wherever they appear in text (also URL-encoded);
2. URL query parameters whose *name* looks sensitive (token, key, secret, password,
   signature, code, ...) and URL user-info passwords are replaced even when their value is not
   a known secret (e.g. a token the API itself just issued);
3. headers whose name is sensitive (Authorization, Cookie, X-Api-Key, ...) are replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

__all__ = ["REDACTED", "Redactor"]

REDACTED = "[REDACTED]"

#: Shortest value treated as a secret: shorter ones ("1", "us") would blank out ordinary text.
MIN_SECRET_LENGTH = 4

_SENSITIVE_NAME = re.compile(
    r"token|secret|passw(or)?d|pwd|signature|api[-_]?key|apikey|credential|session|cookie"
    r"|authorization|verifier|private|(^|[-_])(key|code|sig|auth)([-_]|$)",
    re.IGNORECASE,
)
# JSON keys are judged more narrowly than query names: "code" or "key" in error data is
# usually an error code, while `?code=` in a URL is usually an OAuth authorization code.
_SENSITIVE_KEY = re.compile(
    r"token|secret|passw(or)?d|pwd|api[-_]?key|apikey|credential|authorization|private[-_]?key|cookie",
    re.IGNORECASE,
)
_SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "x-auth-token",
        "x-integration-app-token",
        "x-membrane-token",
    }
)


def is_sensitive_name(name: str) -> bool:
    """True for a query-parameter or field name that usually carries a secret."""
    return bool(_SENSITIVE_NAME.search(name))


def _collect(value: Any, out: set[str]) -> None:
    if isinstance(value, str):
        if len(value) >= MIN_SECRET_LENGTH:
            out.add(value)
    elif isinstance(value, Mapping):
        for v in value.values():
            _collect(v, out)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            _collect(v, out)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(value)
        if len(text) >= 6:  # long numeric ids/pins; short numbers are ordinary data
            out.add(text)


class Redactor:
    """Replaces known secret values and sensitive-looking fields with ``[REDACTED]``.

    ``Redactor(secrets)`` takes any JSON-like value (credentials dict, parameters, a list of
    strings) and collects every string in it of at least 4 characters. ``add`` registers more
    (e.g. credentials after a refresh). Instances never show their secrets in ``repr``.
    """

    __slots__ = ("_secrets", "_pattern")

    def __init__(self, secrets: Any = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(secrets)

    def add(self, *secrets: Any) -> None:
        """Register more secret values (any JSON-like structure)."""
        found: set[str] = set()
        for s in secrets:
            _collect(s, found)
        variants: set[str] = set()
        for s in found:
            variants.add(s)
            variants.add(quote(s, safe=""))
            variants.add(quote_plus(s, safe=""))
        new = variants - self._secrets
        if new:
            self._secrets |= new
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(s) for s in ordered))

    def __repr__(self) -> str:
        return f"Redactor(<{len(self._secrets)} secret variants>)"

    def derive(self, *secrets: Any) -> Redactor:
        """A copy that also knows ``secrets`` (e.g. the values one request sent)."""
        new = Redactor()
        new._secrets = set(self._secrets)
        new._pattern = self._pattern
        new.add(*secrets)
        return new

    def for_request(self, request: Any) -> Redactor:
        """A copy that also treats as secret what ``request`` (an httpx.Request) sent in
        sensitive query parameters and sensitive headers: an API echoing a token the
        runtime never knew as a secret (one the connector computed) still gets it hidden."""
        extra: list[str] = []
        for name, value in request.url.params.multi_items():
            if is_sensitive_name(name):
                extra.append(value)
        for name, value in request.headers.items():
            if name in _SENSITIVE_HEADERS or is_sensitive_name(name):
                extra.append(value)
                extra.extend(value.split())
        return self.derive(extra) if extra else self

    def text(self, text: str) -> str:
        """``text`` with every known secret value replaced."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(REDACTED, text)

    def url(self, url: str) -> str:
        """A URL with known secrets, sensitive query values and user-info passwords removed."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return self.text(url)
        netloc = parts.netloc
        changed = False
        if "@" in netloc:
            userinfo, _, host = netloc.rpartition("@")
            user = userinfo.split(":", 1)[0]
            if ":" in userinfo:
                netloc, changed = f"{user}:{REDACTED}@{host}", True
        query = parts.query
        if query:
            pieces = []
            for piece in query.split("&"):
                name, eq, _value = piece.partition("=")
                if eq and is_sensitive_name(name):
                    pieces.append(f"{name}={REDACTED}")
                    changed = True
                else:
                    pieces.append(piece)
            query = "&".join(pieces)
        if not changed:  # the URL as sent (rebuilding it costs more than the rest together)
            return self.text(url)
        rebuilt = urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
        return self.text(rebuilt)

    def headers(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
        """Headers with sensitive ones blanked and known secrets removed from the rest."""
        items = headers.items() if isinstance(headers, Mapping) else headers
        out: dict[str, str] = {}
        for name, value in items:
            lower = name.lower()
            if lower in _SENSITIVE_HEADERS or is_sensitive_name(lower):
                out[name] = REDACTED
            else:
                out[name] = self.text(str(value))
        return out

    def value(self, value: Any) -> Any:
        """A JSON-like value with secrets removed from strings and sensitive keys blanked."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {
                k: (REDACTED if isinstance(k, str) and _SENSITIVE_KEY.search(k) and v not in (None, "")
                    else self.value(v))
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        return value
