"""OAuth 1.0a (RFC 5849, HMAC-SHA1) pieces (SPEC 3.3), signing delegated to oauthlib.

Flow: a signed request-token call, the user sent to ``authorizeUri?oauth_token=...``, then the
verifier exchanged at ``tokenUri``; the token and secret become credentials, and every API
request is signed with `sign_request`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, Client

from runtime._errors import ConnectionProblem, SpecError
from runtime._auth._transport import RequestLog, logged_post
from runtime._http._redact import Redactor

__all__ = [
    "OAuth1Config",
    "build_authorize_url",
    "fetch_access_token",
    "fetch_request_token",
    "sign_request",
]

_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class OAuth1Config:
    """Validated `getOAuthConfig` output for oauth1; the repr hides the consumer secret."""

    consumer_key: str
    consumer_secret: str = field(repr=False)
    request_token_uri: str | None = None
    authorize_uri: str | None = None
    token_uri: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_output(cls, value: Any, *, source: str) -> OAuth1Config:
        """Validate what `getOAuthConfig` returned; errors name ``source`` and the field."""
        if not isinstance(value, Mapping):
            raise SpecError(source, None, f"getOAuthConfig must return an object, got {type(value).__name__}")
        out: dict[str, Any] = {}
        for key, attr, required in (
            ("consumerKey", "consumer_key", True),
            ("consumerSecret", "consumer_secret", True),
            ("requestTokenUri", "request_token_uri", False),
            ("authorizeUri", "authorize_uri", False),
            ("tokenUri", "token_uri", False),
        ):
            v = value.get(key)
            if v is None or v == "":
                if required:
                    raise SpecError(source, key, "is required")
                continue
            if not isinstance(v, str):
                raise SpecError(source, key, f"must be a string, got {type(v).__name__}")
            out[attr] = v
        extra = value.get("extra") or {}
        if not isinstance(extra, Mapping):
            raise SpecError(source, "extra", "must be an object")
        return cls(extra=dict(extra), **out)


def _parse_form(response: httpx.Response) -> dict[str, str]:
    return dict(parse_qsl(response.text, keep_blank_values=True))


async def _signed_token_call(
    http: httpx.AsyncClient, url: str, client: Client, redactor: Redactor, what: str, log: RequestLog | None
) -> dict[str, str]:
    signed_url, headers, _ = client.sign(url, http_method="POST")
    shown = redactor.url(url)
    response = await logged_post(http, signed_url, shown, redactor, log, headers=headers)
    body = _parse_form(response)
    if response.status_code >= 400 or "oauth_token" not in body or "oauth_token_secret" not in body:
        from runtime._http._failures import excerpt

        raise ConnectionProblem(
            f"OAuth1 {what} at POST {shown} failed (HTTP {response.status_code})",
            key="token_request_failed",
            status=response.status_code,
            method="POST",
            url=shown,
            body_excerpt=excerpt(response.content, redactor),
        )
    return body


async def fetch_request_token(
    http: httpx.AsyncClient, config: OAuth1Config, *, callback_uri: str, log: RequestLog | None = None
) -> dict[str, str]:
    """Signed POST to requestTokenUri; returns ``oauth_token``, ``oauth_token_secret``, ...

    `log` (a call's request log) receives the request like any other request."""
    if not config.request_token_uri:
        raise SpecError("getOAuthConfig", "requestTokenUri", "is required")
    client = Client(config.consumer_key, client_secret=config.consumer_secret, callback_uri=callback_uri,
                    signature_method=SIGNATURE_HMAC_SHA1)
    redactor = Redactor([config.consumer_secret])
    return await _signed_token_call(http, config.request_token_uri, client, redactor, "request token", log)


def build_authorize_url(config: OAuth1Config, *, oauth_token: str) -> str:
    """Where to send the user: authorizeUri with ``oauth_token`` and the config's ``extra``."""
    if not config.authorize_uri:
        raise SpecError("getOAuthConfig", "authorizeUri", "is required")
    parts = urlsplit(config.authorize_uri)
    params = parse_qsl(parts.query, keep_blank_values=True) + [("oauth_token", oauth_token)]
    params += [(str(k), str(v)) for k, v in config.extra.items() if v is not None]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), parts.fragment))


async def fetch_access_token(
    http: httpx.AsyncClient,
    config: OAuth1Config,
    *,
    oauth_token: str,
    oauth_token_secret: str,
    verifier: str,
    log: RequestLog | None = None,
) -> dict[str, str]:
    """Exchange the authorized request token + verifier for the access token (the credentials)."""
    if not config.token_uri:
        raise SpecError("getOAuthConfig", "tokenUri", "is required")
    client = Client(config.consumer_key, client_secret=config.consumer_secret, resource_owner_key=oauth_token,
                    resource_owner_secret=oauth_token_secret, verifier=verifier, signature_method=SIGNATURE_HMAC_SHA1)
    redactor = Redactor([config.consumer_secret, oauth_token_secret, verifier])
    return await _signed_token_call(http, config.token_uri, client, redactor, "access token", log)


def sign_request(
    request: httpx.Request, *, consumer_key: str, consumer_secret: str, token: str | None = None, token_secret: str | None = None
) -> None:
    """Add an OAuth1 HMAC-SHA1 ``Authorization`` header to ``request`` (in place).

    Query parameters are always signed; a form-encoded body is signed too (RFC 5849
    3.4.1.3.1); other bodies (JSON) are not part of the signature.
    """
    client = Client(consumer_key, client_secret=consumer_secret, resource_owner_key=token,
                    resource_owner_secret=token_secret, signature_method=SIGNATURE_HMAC_SHA1)
    content_type = request.headers.get("content-type", "")
    body: str | None = None
    headers: dict[str, str] = {}
    if request.method not in ("GET", "HEAD") and content_type.split(";")[0].strip().lower() == _FORM:
        body = request.content.decode("utf-8") or None
        if body is not None:
            headers["Content-Type"] = _FORM
    _, signed_headers, _ = client.sign(str(request.url), http_method=request.method, body=body, headers=headers)
    request.headers["Authorization"] = signed_headers["Authorization"]
