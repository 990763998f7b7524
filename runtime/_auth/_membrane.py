"""integration-app-token / membrane-token (SPEC 3.5): an HS256 JWT the host signs.

Every request of such a connection carries it in ``X-Integration-App-Token``. Claims: ``iss``
(the host workspace key), ``sub`` (the user id), ``fields`` (the user's fields), plus
``iat``/``exp`` so a leaked token stops working.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import httpx
import jwt

from runtime._errors import ConfigurationError

__all__ = ["MEMBRANE_TOKEN_HEADER", "make_membrane_token", "sign_with_membrane_token"]

MEMBRANE_TOKEN_HEADER = "X-Integration-App-Token"
DEFAULT_TTL = 3600


def make_membrane_token(
    *,
    secret: str,
    issuer: str,
    subject: str,
    fields: Mapping[str, Any] | None = None,
    now: float | None = None,
    ttl: int = DEFAULT_TTL,
) -> str:
    """An HS256 JWT with ``iss``, ``sub``, ``fields``, ``iat`` and ``exp`` (``ttl`` seconds)."""
    if not secret:
        raise ConfigurationError("integration-app-token needs a signing secret from the host", key="missing_secret")
    if not issuer or not subject:
        raise ConfigurationError("integration-app-token needs iss (workspace key) and sub (user id)", key="invalid_input")
    issued = int(time.time() if now is None else now)
    claims: dict[str, Any] = {"iss": issuer, "sub": subject, "iat": issued, "exp": issued + int(ttl)}
    if fields is not None:
        claims["fields"] = dict(fields)
    return jwt.encode(claims, secret, algorithm="HS256")


def sign_with_membrane_token(request: httpx.Request, token: str) -> None:
    """Put the token on a request (what an `AuthSession.sign` does for this auth type)."""
    request.headers[MEMBRANE_TOKEN_HEADER] = token
