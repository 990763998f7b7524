"""OAuth 2 authorization-code flow pieces (SPEC 3.2): PKCE, authorize URL, token requests.

These are the *standard* steps; the core uses them when a connector does not define
`getTokenData` / `getCredentialsFromAccessTokenResponse` / `refreshCredentials` of its own.
They never run connector code.

Expiry: credentials built from a token response carry ``expires_at``, an absolute time as an
ISO 8601 UTC string (``2026-11-29T06:00:00Z``): readable in stored credentials, parsable by
JavaScript's ``Date.parse``, and unambiguous (no seconds-vs-milliseconds guessing).
`needs_refresh` also understands epoch numbers (seconds or milliseconds) and ``expiresAt``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from runtime._errors import ConnectionProblem, SpecError
from runtime._auth._transport import RequestLog, logged_post
from runtime._http._redact import Redactor

__all__ = [
    "AuthorizationStart",
    "OAuth2Config",
    "PkcePair",
    "build_authorize_url",
    "credentials_from_token_response",
    "exchange_code",
    "expires_at",
    "make_pkce_pair",
    "needs_refresh",
    "new_state",
    "refresh_access_token",
    "start_authorization",
]

CLIENT_AUTH_LOCATIONS = ("headers", "body", "both")


@dataclass(frozen=True, slots=True)
class PkcePair:
    """A PKCE code verifier and its S256 challenge (RFC 7636)."""

    verifier: str = field(repr=False)
    challenge: str
    method: str = "S256"


def pkce_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def make_pkce_pair() -> PkcePair:
    """A fresh 64-character verifier (RFC 7636 allows 43-128) and its challenge."""
    verifier = secrets.token_urlsafe(48)
    return PkcePair(verifier=verifier, challenge=pkce_challenge(verifier))


def new_state() -> str:
    """A random, URL-safe `state` value for CSRF protection."""
    return secrets.token_urlsafe(24)


def _str_field(value: Mapping[str, Any], name: str, source: str, *, required: bool) -> str | None:
    v = value.get(name)
    if v is None or v == "":
        if required:
            raise SpecError(source, name, "is required")
        return None
    if not isinstance(v, str):
        raise SpecError(source, name, f"must be a string, got {type(v).__name__}")
    return v


@dataclass(frozen=True, slots=True)
class OAuth2Config:
    """Validated `getOAuthConfig` output; the repr hides the client secret."""

    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    authorize_uri: str | None = None
    token_uri: str | None = None
    scopes: tuple[str, ...] = ()
    client_auth_location: str = "both"
    no_refresh_token: bool = False
    skip_pkce: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_output(cls, value: Any, *, source: str) -> OAuth2Config:
        """Validate what `getOAuthConfig` returned; errors name ``source`` and the field."""
        if not isinstance(value, Mapping):
            raise SpecError(source, None, f"getOAuthConfig must return an object, got {type(value).__name__}")
        scopes = value.get("scopes") or ()
        if isinstance(scopes, str):
            scopes = scopes.split()
        if not isinstance(scopes, (list, tuple)) or not all(isinstance(s, str) for s in scopes):
            raise SpecError(source, "scopes", "must be a list of strings")
        location = value.get("clientAuthLocation") or "both"
        if location not in CLIENT_AUTH_LOCATIONS:
            raise SpecError(source, "clientAuthLocation", f"must be one of {', '.join(CLIENT_AUTH_LOCATIONS)}, got {location!r}")
        extra = value.get("extra") or {}
        if not isinstance(extra, Mapping):
            raise SpecError(source, "extra", "must be an object of extra authorize-URL parameters")
        return cls(
            client_id=_str_field(value, "clientId", source, required=True) or "",
            client_secret=_str_field(value, "clientSecret", source, required=False),
            authorize_uri=_str_field(value, "authorizeUri", source, required=False),
            token_uri=_str_field(value, "tokenUri", source, required=False),
            scopes=tuple(scopes),
            client_auth_location=location,
            no_refresh_token=bool(value.get("noRefreshToken")),
            skip_pkce=bool(value.get("skipPkce")),
            extra=dict(extra),
        )


@dataclass(frozen=True, slots=True)
class AuthorizationStart:
    """What a host keeps between redirect and callback: the URL, the state, the PKCE verifier."""

    url: str
    state: str
    code_verifier: str | None = field(default=None, repr=False)


def _with_query(url: str, params: list[tuple[str, str]]) -> str:
    parts = urlsplit(url)
    existing = parse_qsl(parts.query, keep_blank_values=True)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(existing + params), parts.fragment))


def build_authorize_url(
    config: OAuth2Config, *, redirect_uri: str, state: str, code_challenge: str | None = None
) -> str:
    """The authorize URL: response_type=code, client_id, redirect_uri, scope, state, PKCE, extra."""
    if not config.authorize_uri:
        raise SpecError("getOAuthConfig", "authorizeUri", "is required to build the authorize URL")
    params: list[tuple[str, str]] = [
        ("response_type", "code"),
        ("client_id", config.client_id),
        ("redirect_uri", redirect_uri),
    ]
    if config.scopes:
        params.append(("scope", " ".join(config.scopes)))
    params.append(("state", state))
    if code_challenge is not None and not config.skip_pkce:
        params += [("code_challenge", code_challenge), ("code_challenge_method", "S256")]
    params += [(str(k), _param(v)) for k, v in config.extra.items() if v is not None]
    return _with_query(config.authorize_uri, params)


def _param(value: Any) -> str:
    """A URL parameter as JavaScript would write it (true, 1, JSON for objects)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def start_authorization(config: OAuth2Config, *, redirect_uri: str, state: str | None = None) -> AuthorizationStart:
    """Step 1 of SPEC 3.2: a fresh state (unless given) and PKCE pair (unless skipPkce)."""
    state = state or new_state()
    pkce = None if config.skip_pkce else make_pkce_pair()
    url = build_authorize_url(config, redirect_uri=redirect_uri, state=state, code_challenge=pkce.challenge if pkce else None)
    return AuthorizationStart(url=url, state=state, code_verifier=pkce.verifier if pkce else None)


def _client_auth(config: OAuth2Config, form: dict[str, str], headers: dict[str, str]) -> None:
    location = config.client_auth_location
    if location in ("headers", "both"):
        raw = f"{config.client_id}:{config.client_secret or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(raw).decode("ascii")
    if location in ("body", "both"):
        form["client_id"] = config.client_id
        if config.client_secret:
            form["client_secret"] = config.client_secret


def _parse_token_body(response: httpx.Response) -> Any:
    content_type = response.headers.get("content-type", "")
    text = response.text
    if "x-www-form-urlencoded" in content_type or (text and not text.lstrip().startswith(("{", "["))):
        pairs = parse_qsl(text, keep_blank_values=True)
        if pairs:
            return dict(pairs)
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        return None


async def _token_request(
    http: httpx.AsyncClient, config: OAuth2Config, form: dict[str, str], *, what: str, log: RequestLog | None
) -> dict[str, Any]:
    if not config.token_uri:
        raise SpecError("getOAuthConfig", "tokenUri", f"is required for the {what}")
    headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
    _client_auth(config, form, headers)
    redactor = Redactor([config.client_secret, *form.values()])
    shown = redactor.url(config.token_uri)
    response = await logged_post(http, config.token_uri, shown, redactor, log, content=urlencode(form).encode(), headers=headers)
    body = _parse_token_body(response)
    if response.status_code >= 400 or not isinstance(body, dict) or "access_token" not in body:
        code = body.get("error") if isinstance(body, dict) else None
        description = body.get("error_description") if isinstance(body, dict) else None
        key = "connection_is_defunct" if (what == "refresh" and code == "invalid_grant") else "token_request_failed"
        detail = ": ".join(redactor.text(str(x)) for x in (code, description) if x) or "no access_token in the response"
        raise ConnectionProblem(
            f"OAuth2 {what} at POST {shown} failed (HTTP {response.status_code}): {detail}",
            key=key,
            status=response.status_code,
            method="POST",
            url=shown,
            body_excerpt=None,
            data={"status": response.status_code, "error": redactor.text(str(code))} if code else None,
        )
    return body


async def exchange_code(
    http: httpx.AsyncClient,
    config: OAuth2Config,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str | None = None,
    log: RequestLog | None = None,
) -> dict[str, Any]:
    """Standard authorization_code grant; returns the token response (a dict).

    `log` (a call's request log) receives the token request like any other request."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if code_verifier is not None and not config.skip_pkce:
        form["code_verifier"] = code_verifier
    return await _token_request(http, config, form, what="code exchange", log=log)


async def refresh_access_token(
    http: httpx.AsyncClient, config: OAuth2Config, *, refresh_token: str, log: RequestLog | None = None
) -> dict[str, Any]:
    """Standard refresh_token grant; returns the token response (a dict).

    Raises ConnectionProblem `connection_is_defunct` on ``invalid_grant`` (revoked/rotated
    refresh token: the user must reconnect), `token_request_failed` otherwise.
    """
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return await _token_request(http, config, form, what="refresh", log=log)


def _to_datetime(value: float | datetime | None) -> datetime:
    if value is None:
        return datetime.now(timezone.utc)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(value, timezone.utc)


def expires_at(expires_in: Any, *, now: float | datetime | None = None) -> str | None:
    """ISO 8601 UTC instant ``expires_in`` seconds after ``now``; None if not a number."""
    try:
        seconds = float(expires_in)
    except (TypeError, ValueError):
        return None
    when = _to_datetime(now).timestamp() + seconds
    return datetime.fromtimestamp(int(when), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def credentials_from_token_response(
    response: Mapping[str, Any], *, previous: Mapping[str, Any] | None = None, now: float | datetime | None = None
) -> dict[str, Any]:
    """Credentials from a token response (SPEC 3.2 step 3, standard behaviour).

    The response itself, plus ``expires_at`` from ``expires_in``; after a refresh (``previous``
    given) a response without ``refresh_token`` keeps the old one, and other previous keys
    stay unless the response replaces them (SPEC 3: refreshed credentials are merged).
    """
    creds: dict[str, Any] = dict(previous or {})
    creds.update(response)
    if response.get("expires_in") is not None:
        at = expires_at(response["expires_in"], now=now)
        if at is not None:
            creds["expires_at"] = at
    elif previous is not None and "expires_at" in creds and "expires_in" not in response:
        creds.pop("expires_at", None)  # the new token has no known expiry; do not keep the old one
        creds.pop("expires_in", None)
    if not response.get("refresh_token") and previous and previous.get("refresh_token"):
        creds["refresh_token"] = previous["refresh_token"]
    return creds


def _expiry_seconds(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value / 1000.0 if value > 1e12 else float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return _expiry_seconds(float(text))
        except ValueError:
            pass
        try:
            return _to_datetime(datetime.fromisoformat(text.replace("Z", "+00:00"))).timestamp()
        except ValueError:
            return None
    return None


def needs_refresh(credentials: Mapping[str, Any] | None, *, now: float | datetime | None = None, margin: float = 60.0) -> bool:
    """True when the credentials expire within ``margin`` seconds (proactive refresh).

    False when there is no known expiry (``expires_at`` / ``expiresAt`` absent or unreadable).
    """
    if not credentials:
        return False
    at = _expiry_seconds(credentials.get("expires_at", credentials.get("expiresAt")))
    if at is None:
        return False
    return at - _to_datetime(now).timestamp() <= margin
