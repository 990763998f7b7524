"""Secret placeholders: `{{secret:<name>}}` in case files, filled in on replay, written on record.

A recorded case must never hold a live token, so record mode replaces every secret value it sees
(the connection's values, tokens in token responses, Authorization headers) by a placeholder
named after where the value came from. On replay the placeholder is filled with the value of
that name in the case's own (fake) connection, so the file stays consistent: the connector sends
the fake token, and the recorded request expects exactly that fake token.

A name resolves, in order, as a dotted path in the connection (`credentials.access_token`),
then as a bare key of `credentials`, `connectionParameters`, `connectorParameters`
(searched at any depth). A name found nowhere stands for a value seen only during recording (a
refreshed token, say) and is filled with the stand-in `secret-<name>`, the same everywhere.
"""

from __future__ import annotations

import re
from typing import Any

from runtime._suite._model import ConnectionSpec

__all__ = ["PLACEHOLDER", "Redactor", "is_secret_key", "leaves", "secret_table", "substitute"]

PLACEHOLDER = re.compile(r"\{\{secret:([A-Za-z0-9_.\-]+)\}\}")

#: keys whose string values are secrets wherever they appear (token responses, request bodies)
SECRET_KEYS = frozenset(
    {
        "access_token",
        "accesstoken",
        "api_key",
        "apikey",
        "client_secret",
        "clientsecret",
        "id_token",
        "password",
        "refresh_token",
        "refreshtoken",
        "secret",
        "token",
        "oauth_token",
        "oauth_token_secret",
        "private_key",
    }
)
_SECRETISH = re.compile(r"token|secret|key|password|passwd|auth|credential|signature", re.I)
#: a name (body key, query parameter, header) whose value is a secret: `session_token`,
#: `sessionToken`, `X-Auth-Token`, `x-api-key`, `client_secret`... compared without `_`/`-`/case
_SECRET_NAME_ENDINGS = ("token", "secret", "password", "passwd", "apikey", "privatekey", "sessionid", "sessionkey")
#: ...except pagination and bookkeeping values that merely look like one (`next_page_token`)
_NOT_SECRET_PARTS = ("page", "cursor", "next", "continuation", "sync", "type", "expire", "count", "length")


def is_secret_key(name: str) -> bool:
    """Does a value named `name` hold a secret? (token responses, request bodies, query, headers)

    Exact well-known names (`access_token`, `token`, `api_key`, ...) always; otherwise a name
    ending in token/secret/password/api key, unless it is a pagination or bookkeeping name.
    """
    norm = re.sub(r"[^a-z0-9]", "", name.lower())
    if name.lower() in SECRET_KEYS or norm in _NORMALISED_SECRET_KEYS:
        return True
    return norm.endswith(_SECRET_NAME_ENDINGS) and not any(part in norm for part in _NOT_SECRET_PARTS)
def _secretish(key: str) -> bool:
    """A connection key whose value, however short, is treated as a secret (not `token_type`)."""
    norm = re.sub(r"[^a-z0-9]", "", key.lower())
    return bool(_SECRETISH.search(key)) and not any(part in norm for part in _NOT_SECRET_PARTS)


_NORMALISED_SECRET_KEYS = frozenset(re.sub(r"[^a-z0-9]", "", k) for k in SECRET_KEYS)
_SECTIONS = (("credentials", "credentials"), ("connectionParameters", "connection_parameters"),
             ("connectorParameters", "connector_parameters"))


def leaves(value: Any, prefix: str) -> list[tuple[str, str, Any]]:
    """(dotted path, last key, value) of every scalar leaf under `value`."""
    out: list[tuple[str, str, Any]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, (dict, list)):
                out.extend(leaves(v, path))
            else:
                out.append((path, str(k), v))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(leaves(v, f"{prefix}[{i}]"))
    return out


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, str)):
        return str(value)
    return None


def secret_table(connection: ConnectionSpec) -> dict[str, str]:
    """Every name a placeholder may use, mapped to its value in this connection."""
    table: dict[str, str] = {}
    bare: dict[str, str] = {}
    for yaml_name, attr in _SECTIONS:
        section = getattr(connection, attr) or {}
        for path, key, value in leaves(section, yaml_name):
            text = _scalar_text(value)
            if text is None:
                continue
            table[path] = text
            bare.setdefault(key, text)
    for key, text in bare.items():
        table.setdefault(key, text)
    return table


def resolve(name: str, table: dict[str, str]) -> str:
    """The value a placeholder stands for on replay."""
    return table.get(name, f"secret-{name}")


def substitute(value: Any, table: dict[str, str]) -> Any:
    """A deep copy of `value` with every placeholder in its strings filled from `table`."""
    if isinstance(value, str):
        if "{{secret:" not in value:
            return value
        return PLACEHOLDER.sub(lambda m: resolve(m.group(1), table), value)
    if isinstance(value, dict):
        return {k: substitute(v, table) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, table) for v in value]
    return value


class Redactor:
    """Replaces secret values by placeholders in recorded exchanges and outputs.

    Seeded with the live connection's values; learns more while it redacts (values under keys
    such as `access_token` in a token response), so a refreshed token is replaced everywhere it
    is used afterwards.
    """

    MIN_LENGTH = 8          # any connection value this long is treated as a secret
    MIN_SECRETISH = 3       # values under secret-looking keys, however short (above this)

    def __init__(self, connection: ConnectionSpec) -> None:
        self._names: dict[str, str] = {}  # value -> placeholder name
        taken: set[str] = set()
        for yaml_name, attr in _SECTIONS:
            section = getattr(connection, attr) or {}
            for path, key, value in leaves(section, yaml_name):
                text = _scalar_text(value)
                if text is None or text in self._names:
                    continue
                if len(text) >= self.MIN_LENGTH or (_secretish(key) and len(text) >= self.MIN_SECRETISH):
                    name = key if key not in taken else path
                    taken.add(name)
                    self._names[text] = name
        self._taken = taken

    @property
    def values(self) -> list[str]:
        """The secret values known so far (for scrubbing messages)."""
        return list(self._names)

    def learn(self, name: str, value: str) -> None:
        """Treat `value` as a secret from now on, under a unique placeholder name based on `name`."""
        if value in self._names or len(value) < self.MIN_SECRETISH:
            return
        candidate, n = name, 2
        while candidate in self._taken:
            candidate, n = f"{name}_{n}", n + 1
        self._taken.add(candidate)
        self._names[value] = candidate

    def text(self, value: str) -> str:
        """`value` with every known secret (longest first) replaced by its placeholder."""
        for secret in sorted(self._names, key=len, reverse=True):
            if secret in value:
                value = value.replace(secret, "{{secret:%s}}" % self._names[secret])
        return value

    def learn_json(self, value: Any) -> None:
        """Learn the values found under secret keys anywhere in a JSON value."""
        if isinstance(value, dict):
            for k, v in value.items():
                if isinstance(v, str) and is_secret_key(str(k)):
                    self.learn(str(k), v)
                else:
                    self.learn_json(v)
        elif isinstance(value, list):
            for v in value:
                self.learn_json(v)

    def json(self, value: Any) -> Any:
        """A deep copy of a JSON value with secrets replaced (learning secret keys first)."""
        self.learn_json(value)
        return self._json(value)

    def _json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self._json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._json(v) for v in value]
        return value

    def authorization(self, value: str) -> str | None:
        """An Authorization header as it can be recorded, or None when it cannot be expressed.

        `Bearer <token>` becomes `Bearer {{secret:...}}`; a Basic header whose user or password
        is a secret cannot be written with placeholders (it is base64 of both), so it is dropped
        from the recorded request rather than written in clear.
        """
        scheme, _, rest = value.partition(" ")
        if scheme.lower() == "basic":
            return None
        redacted = self.text(value)
        if redacted == value and rest:
            # an unknown credential (e.g. computed by the connector): learn it as a secret
            self.learn("authorization", rest)
            redacted = self.text(value)
        return redacted
