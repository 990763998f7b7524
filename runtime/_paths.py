"""Method paths: the one string a host uses to name any method of a connector.

    auth/<method>                      auth/test, auth/make-api-client
    data/<collection>/<method>         data/contacts/find-by-id  (or findById)
    operations/<key>/run
    events/<key>/<method>              events/new-message/subscribe
    global-webhooks/<key>/handle

Method names are accepted in camelCase and kebab-case; `MethodPath.method` is always the
camelCase key used in specs, so dispatch never has to care how the host spelt it. Element keys
are kept as written (collection folders are often kebab-case and keys must match folders).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from runtime._errors import InvalidInputError

__all__ = ["ELEMENT_KINDS", "MethodPath", "camel_case", "kebab_case", "parse_method_path"]

#: Element kinds in the order SPEC section 1 lists them.
ELEMENT_KINDS = ("auth", "data", "operations", "events", "global-webhooks")

_KEBAB_PART = re.compile(r"-([a-z0-9])")
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")
_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def camel_case(name: str) -> str:
    """`find-by-id` -> `findById`; camelCase input is returned unchanged."""
    return _KEBAB_PART.sub(lambda m: m.group(1).upper(), name)


def kebab_case(name: str) -> str:
    """`findById` -> `find-by-id`, `getOAuthConfig` -> `get-oauth-config` (SPEC file names).

    A dash goes before an upper-case letter that follows a lower-case letter or digit, then
    everything is lower-cased, so acronyms stay whole. kebab-case input is returned unchanged.
    """
    return _CAMEL_HUMP.sub(lambda m: "-" + m.group(1), name).lower()


@dataclass(frozen=True, slots=True)
class MethodPath:
    """A parsed method path: which element kind, which element, which method (camelCase)."""

    kind: str
    element: str | None
    method: str

    def __str__(self) -> str:
        method = kebab_case(self.method)
        if self.element is None:
            return f"{self.kind}/{method}"
        return f"{self.kind}/{self.element}/{method}"


def parse_method_path(path: str) -> MethodPath:
    """Parse `auth/test`, `data/contacts/list`, ... or raise InvalidInputError naming the path.

    The error lists the accepted shapes so a typo on the command line is obvious. Every call
    parses its path: the few paths a host uses are remembered (MethodPath is immutable).
    """
    if not isinstance(path, str):
        raise InvalidInputError(f"method path must be a string, got {type(path).__name__}")
    return _parse(path)


@lru_cache(maxsize=1024)
def _parse(path: str) -> MethodPath:
    parts = [p for p in path.strip().strip("/").split("/")]
    shapes = (
        "expected auth/<method>, data/<collection>/<method>, operations/<key>/run, "
        "events/<key>/<method> or global-webhooks/<key>/handle"
    )
    if not parts or not parts[0] or any(not _SEGMENT.match(p) for p in parts):
        raise InvalidInputError(f"invalid method path {path!r}: {shapes}")
    kind = parts[0]
    if kind == "operation":
        kind = "operations"
    elif kind in ("globalWebhooks", "global-webhook"):
        kind = "global-webhooks"
    elif kind == "event":
        kind = "events"
    if kind == "auth":
        if len(parts) != 2:
            raise InvalidInputError(f"invalid method path {path!r}: {shapes}")
        return MethodPath("auth", None, camel_case(parts[1]))
    if kind not in ELEMENT_KINDS or len(parts) != 3:
        raise InvalidInputError(f"invalid method path {path!r}: {shapes}")
    return MethodPath(kind, parts[1], camel_case(parts[2]))
