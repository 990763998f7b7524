"""Authentication protocol helpers (SPEC 3): OAuth 2, OAuth 1, membrane / integration-app token.

Pure functions and small async functions taking an `httpx.AsyncClient`; they never run
connector methods (the core decides when a connector's own method replaces a standard step).
"""

from __future__ import annotations

from runtime._auth import _oauth1 as oauth1
from runtime._auth import _oauth2 as oauth2
from runtime._auth._membrane import MEMBRANE_TOKEN_HEADER, make_membrane_token, sign_with_membrane_token
from runtime._auth._oauth1 import OAuth1Config
from runtime._auth._oauth2 import (
    AuthorizationStart,
    OAuth2Config,
    PkcePair,
    credentials_from_token_response,
    make_pkce_pair,
    needs_refresh,
)

__all__ = [
    "AuthorizationStart",
    "MEMBRANE_TOKEN_HEADER",
    "OAuth1Config",
    "OAuth2Config",
    "PkcePair",
    "credentials_from_token_response",
    "make_membrane_token",
    "make_pkce_pair",
    "needs_refresh",
    "oauth1",
    "oauth2",
    "sign_with_membrane_token",
]
