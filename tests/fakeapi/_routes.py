"""Endpoints of the fake API. Add one with ``@route("GET", "/path")``; it gets the recorded
request and the `FakeApi` (whose ``state`` is a fresh `FakeState` per test).

    OAuth2   GET  /oauth2/authorize      302 to redirect_uri?code=..&state=..  (records PKCE challenge)
             POST /oauth2/token          authorization_code (+PKCE S256 check), refresh_token (rotation)
             GET  /api/me                Bearer access token; 401 once expired / unknown
    OAuth1   POST /oauth1/request_token  signed (consumer only) -> oauth_token, oauth_token_secret
             GET  /oauth1/authorize      302 to the callback with oauth_token + oauth_verifier
             POST /oauth1/access_token   signed with request token + verifier -> access token
             *    /oauth1/resource       signature verified with the access token, else 401
    Keys     GET  /api/key-header        X-Api-Key: <api_key>
             GET  /api/key-query         ?api_key=<api_key>
             GET  /api/basic             Basic <basic_user>:<basic_password>
             GET  /api/membrane          X-Integration-App-Token, HS256 with membrane_secret -> claims
    Lists    GET  /api/items/cursor      ?cursor=&limit=      -> {items, nextCursor}
             GET  /api/items/offset      ?offset=&limit=      -> {items, total}
             GET  /api/items/link        ?page=&per_page=     -> [items], Link: <..>; rel="next"
    Faults   GET  /slow?ms=50            sleeps, then {"sleptMs": 50}
             GET  /rate-limited?times=2&retry_after=0.05&key=k   429 for the first `times` calls per key
             GET  /status?code=404       that status with a JSON error body
             GET  /malformed/json        200, application/json, broken JSON
             GET  /malformed/html        500, an HTML error page
             GET  /malformed/html-200    200, an HTML page
             GET  /malformed/empty       200, empty body
             GET  /malformed/empty-json  200, application/json, empty body
    Misc     *    /echo                  the request as JSON (method, path, query, headers, body, json, form)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import jwt

from tests.fakeapi._server import RecordedRequest, Reply, RouteHandler

if TYPE_CHECKING:
    from tests.fakeapi._server import FakeApi

__all__ = ["DEFAULT_ROUTES", "FakeState", "route"]

DEFAULT_ROUTES: dict[tuple[str, str], RouteHandler] = {}


def route(method: str, path: str) -> Any:
    """Register a default endpoint (every test gets it)."""

    def register(fn: RouteHandler) -> RouteHandler:
        DEFAULT_ROUTES[(method.upper(), path)] = fn
        return fn

    return register


@dataclass
class FakeState:
    """Everything a test may read or tune; a fresh one per test."""

    # client-credentials style secrets
    api_key: str = "fake-api-key-7f3a9c"
    basic_user: str = "fake-user"
    basic_password: str = "fake-pass-5b2e8d"
    membrane_secret: str = "fake-membrane-secret-91c4-0123456789abcdef"
    # OAuth2
    client_id: str = "fake-client-id"
    client_secret: str = "fake-client-secret-d41e"
    access_token_ttl: int = 3600  # expires_in of issued tokens (seconds)
    rotate_refresh_tokens: bool = True  # refresh returns a new refresh_token and revokes the old
    refresh_returns_refresh_token: bool = True  # False: refresh response omits refresh_token
    required_client_auth: str | None = None  # None (any) | "headers" | "body" | "both"
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    access_tokens: dict[str, float] = field(default_factory=dict)  # token -> expiry (time.time())
    refresh_tokens: set[str] = field(default_factory=set)
    refresh_count: int = 0
    # OAuth1
    consumer_key: str = "fake-consumer-key"
    consumer_secret: str = "fake-consumer-secret-27ab"
    oauth1_request_tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    oauth1_access_tokens: dict[str, str] = field(default_factory=dict)  # token -> secret
    oauth1_nonces: set[str] = field(default_factory=set)
    # lists
    items: list[dict[str, Any]] = field(default_factory=lambda: [{"id": str(i), "name": f"Item {i}"} for i in range(1, 26)])
    # /rate-limited counters
    rate_limit_counts: dict[str, int] = field(default_factory=dict)

    def issue_access_token(self, ttl: float | None = None) -> str:
        """A valid access token without going through the flow (for tests of the client)."""
        token = "at-" + secrets.token_urlsafe(12)
        self.access_tokens[token] = time.time() + (self.access_token_ttl if ttl is None else ttl)
        return token

    def issue_refresh_token(self) -> str:
        token = "rt-" + secrets.token_urlsafe(12)
        self.refresh_tokens.add(token)
        return token

    def expire_access_tokens(self) -> None:
        """Every issued access token now answers 401 until the client refreshes."""
        for token in self.access_tokens:
            self.access_tokens[token] = 0.0

    def access_token_valid(self, token: str | None) -> bool:
        return token is not None and self.access_tokens.get(token, 0.0) > time.time()


def _error(status: int, error: str, description: str = "", **headers: str) -> Reply:
    body = {"error": error}
    if description:
        body["error_description"] = description
    return Reply.json(body, status, **headers)


# --- OAuth2 -------------------------------------------------------------------------------


def _pkce_s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@route("GET", "/oauth2/authorize")
def oauth2_authorize(req: RecordedRequest, api: FakeApi) -> Reply:
    q = req.query
    st = api.state
    if q.get("response_type") != "code":
        return _error(400, "unsupported_response_type")
    if q.get("client_id") != st.client_id:
        return _error(400, "invalid_client")
    redirect_uri = q.get("redirect_uri")
    if not redirect_uri:
        return _error(400, "invalid_request", "redirect_uri missing")
    challenge = q.get("code_challenge")
    if challenge is not None and q.get("code_challenge_method") != "S256":
        return _error(400, "invalid_request", "only S256 is supported")
    code = "code-" + secrets.token_urlsafe(8)
    with api.lock:
        st.codes[code] = {"redirect_uri": redirect_uri, "challenge": challenge, "scope": q.get("scope"), "used": False}
    parts = urlsplit(redirect_uri)
    params = parse_qsl(parts.query) + [("code", code)] + ([("state", q["state"])] if "state" in q else [])
    location = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), ""))
    return Reply(302, None, {"Location": location})


def _client_auth(req: RecordedRequest, form: dict[str, str], st: FakeState) -> str | None:
    """Which client-auth location(s) were used ("headers"/"body"/"both"), None if invalid."""
    used = []
    auth = req.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return None
        if (user, password) != (st.client_id, st.client_secret):
            return None
        used.append("headers")
    if "client_secret" in form or "client_id" in form:
        if form.get("client_id") != st.client_id or form.get("client_secret") != st.client_secret:
            return None
        used.append("body")
    if not used:
        return None
    return "both" if len(used) == 2 else used[0]


@route("POST", "/oauth2/token")
def oauth2_token(req: RecordedRequest, api: FakeApi) -> Reply:
    st = api.state
    form = req.form()
    location = _client_auth(req, form, st)
    if location is None or (st.required_client_auth and location != st.required_client_auth):
        return _error(401, "invalid_client", f"client authentication failed (used: {location})")
    grant = form.get("grant_type")
    with api.lock:
        if grant == "authorization_code":
            entry = st.codes.get(form.get("code", ""))
            if entry is None or entry["used"]:
                return _error(400, "invalid_grant", "unknown or used code")
            entry["used"] = True
            if entry["redirect_uri"] != form.get("redirect_uri"):
                return _error(400, "invalid_grant", "redirect_uri mismatch")
            if entry["challenge"] is not None:
                verifier = form.get("code_verifier")
                if not verifier or _pkce_s256(verifier) != entry["challenge"]:
                    return _error(400, "invalid_grant", "PKCE verification failed")
            scope = entry["scope"]
            refresh = st.issue_refresh_token()
        elif grant == "refresh_token":
            old = form.get("refresh_token", "")
            if old not in st.refresh_tokens:
                return _error(400, "invalid_grant", "unknown or revoked refresh token")
            st.refresh_count += 1
            if st.rotate_refresh_tokens:
                st.refresh_tokens.discard(old)
                refresh = st.issue_refresh_token()
            else:
                refresh = old
            scope = None
        else:
            return _error(400, "unsupported_grant_type")
        body: dict[str, Any] = {
            "access_token": st.issue_access_token(),
            "token_type": "Bearer",
            "expires_in": st.access_token_ttl,
        }
        if grant == "authorization_code" or st.refresh_returns_refresh_token:
            body["refresh_token"] = refresh
        if scope:
            body["scope"] = scope
    return Reply.json(body, 200, **{"Cache-Control": "no-store"})


@route("GET", "/api/me")
def api_me(req: RecordedRequest, api: FakeApi) -> Reply:
    if not api.state.access_token_valid(req.bearer()):
        return _error(401, "invalid_token", "expired or unknown access token", **{"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return Reply.json({"id": "user-1", "name": "Fake User"})


# --- API key, basic, membrane token -------------------------------------------------------


@route("GET", "/api/key-header")
def api_key_header(req: RecordedRequest, api: FakeApi) -> Reply:
    if req.headers.get("x-api-key") != api.state.api_key:
        return _error(401, "invalid_api_key")
    return Reply.json({"ok": True, "via": "header"})


@route("GET", "/api/key-query")
def api_key_query(req: RecordedRequest, api: FakeApi) -> Reply:
    if req.query.get("api_key") != api.state.api_key:
        return _error(401, "invalid_api_key")
    return Reply.json({"ok": True, "via": "query"})


@route("GET", "/api/basic")
def api_basic(req: RecordedRequest, api: FakeApi) -> Reply:
    auth = req.headers.get("authorization", "")
    expected = base64.b64encode(f"{api.state.basic_user}:{api.state.basic_password}".encode()).decode()
    if auth != f"Basic {expected}":
        return _error(401, "invalid_credentials", **{"WWW-Authenticate": 'Basic realm="fake"'})
    return Reply.json({"ok": True, "user": api.state.basic_user})


@route("GET", "/api/membrane")
def api_membrane(req: RecordedRequest, api: FakeApi) -> Reply:
    token = req.headers.get("x-integration-app-token")
    if not token:
        return _error(401, "missing_token")
    try:
        claims = jwt.decode(token, api.state.membrane_secret, algorithms=["HS256"])
    except jwt.PyJWTError as exc:
        return _error(401, "invalid_token", type(exc).__name__)
    return Reply.json({"claims": claims})


# --- OAuth1 (independent RFC 5849 verification, not oauthlib) ------------------------------


def _pct(value: str) -> str:
    return quote(value, safe="~-._")


def _oauth1_params(req: RecordedRequest) -> dict[str, str] | None:
    header = req.headers.get("authorization", "")
    if not header.startswith("OAuth "):
        return None
    params = {}
    for part in header[6:].split(","):
        name, _, value = part.strip().partition("=")
        params[unquote(name)] = unquote(value.strip('"'))
    return params


def _oauth1_verify(req: RecordedRequest, api: FakeApi, token_secret: str) -> str | None:
    """None when the HMAC-SHA1 signature is right, else the reason."""
    st = api.state
    oauth = _oauth1_params(req)
    if oauth is None:
        return "no OAuth Authorization header"
    if oauth.get("oauth_consumer_key") != st.consumer_key:
        return "unknown consumer key"
    if oauth.get("oauth_signature_method") != "HMAC-SHA1":
        return "signature method must be HMAC-SHA1"
    try:
        if abs(int(oauth.get("oauth_timestamp", "0")) - time.time()) > 300:
            return "stale timestamp"
    except ValueError:
        return "bad timestamp"
    nonce = oauth.get("oauth_nonce", "")
    with api.lock:
        if not nonce or nonce in st.oauth1_nonces:
            return "nonce missing or reused"
        st.oauth1_nonces.add(nonce)
    pairs = list(req.query_list)
    if req.method not in ("GET", "HEAD") and req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        pairs += parse_qsl(req.text, keep_blank_values=True)
    pairs += [(k, v) for k, v in oauth.items() if k not in ("oauth_signature", "realm")]
    normalized = "&".join(f"{k}={v}" for k, v in sorted((_pct(k), _pct(v)) for k, v in pairs))
    base_uri = f"http://{req.headers['host'].lower()}{req.path}"
    base = "&".join([req.method.upper(), _pct(base_uri), _pct(normalized)])
    key = f"{_pct(st.consumer_secret)}&{_pct(token_secret)}"
    expected = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()
    if not hmac.compare_digest(expected, oauth.get("oauth_signature", "")):
        return "signature mismatch"
    return None


@route("POST", "/oauth1/request_token")
def oauth1_request_token(req: RecordedRequest, api: FakeApi) -> Reply:
    problem = _oauth1_verify(req, api, "")
    oauth = _oauth1_params(req) or {}
    if problem or "oauth_callback" not in oauth:
        return Reply(401, f"oauth_problem={_pct(problem or 'callback missing')}", {"Content-Type": "application/x-www-form-urlencoded"})
    token, secret = "rq-" + secrets.token_urlsafe(8), "rqs-" + secrets.token_urlsafe(8)
    with api.lock:
        api.state.oauth1_request_tokens[token] = {"secret": secret, "callback": oauth["oauth_callback"], "verifier": ""}
    body = urlencode({"oauth_token": token, "oauth_token_secret": secret, "oauth_callback_confirmed": "true"})
    return Reply(200, body, {"Content-Type": "application/x-www-form-urlencoded"})


@route("GET", "/oauth1/authorize")
def oauth1_authorize(req: RecordedRequest, api: FakeApi) -> Reply:
    token = req.query.get("oauth_token", "")
    with api.lock:
        entry = api.state.oauth1_request_tokens.get(token)
        if entry is None:
            return _error(400, "unknown_token")
        entry["verifier"] = "vf-" + secrets.token_urlsafe(8)
    sep = "&" if "?" in entry["callback"] else "?"
    return Reply(302, None, {"Location": f"{entry['callback']}{sep}{urlencode({'oauth_token': token, 'oauth_verifier': entry['verifier']})}"})


@route("POST", "/oauth1/access_token")
def oauth1_access_token(req: RecordedRequest, api: FakeApi) -> Reply:
    oauth = _oauth1_params(req) or {}
    entry = api.state.oauth1_request_tokens.get(oauth.get("oauth_token", ""))
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    if entry is None:
        return Reply(401, "oauth_problem=token_rejected", form)
    problem = _oauth1_verify(req, api, entry["secret"])
    if problem or not entry["verifier"] or oauth.get("oauth_verifier") != entry["verifier"]:
        return Reply(401, f"oauth_problem={_pct(problem or 'verifier_invalid')}", form)
    token, secret = "ac-" + secrets.token_urlsafe(8), "acs-" + secrets.token_urlsafe(8)
    with api.lock:
        del api.state.oauth1_request_tokens[oauth["oauth_token"]]
        api.state.oauth1_access_tokens[token] = secret
    return Reply(200, urlencode({"oauth_token": token, "oauth_token_secret": secret, "user_id": "user-1"}), form)


@route("*", "/oauth1/resource")
def oauth1_resource(req: RecordedRequest, api: FakeApi) -> Reply:
    oauth = _oauth1_params(req) or {}
    secret = api.state.oauth1_access_tokens.get(oauth.get("oauth_token", ""))
    if secret is None:
        return _error(401, "token_rejected")
    problem = _oauth1_verify(req, api, secret)
    if problem:
        return _error(401, "signature_invalid", problem)
    return Reply.json({"ok": True, "method": req.method, "query": req.query, "form": req.form() if req.body else {}})


# --- lists ---------------------------------------------------------------------------------


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


@route("GET", "/api/items/cursor")
def items_cursor(req: RecordedRequest, api: FakeApi) -> Reply:
    items = api.state.items
    start = _int(req.query.get("cursor"), 0)
    limit = _int(req.query.get("limit"), 10)
    page = items[start : start + limit]
    nxt = start + limit
    return Reply.json({"items": page, "nextCursor": str(nxt) if nxt < len(items) else None})


@route("GET", "/api/items/offset")
def items_offset(req: RecordedRequest, api: FakeApi) -> Reply:
    items = api.state.items
    offset = _int(req.query.get("offset"), 0)
    limit = _int(req.query.get("limit"), 10)
    return Reply.json({"items": items[offset : offset + limit], "total": len(items)})


@route("GET", "/api/items/link")
def items_link(req: RecordedRequest, api: FakeApi) -> Reply:
    items = api.state.items
    page = max(_int(req.query.get("page"), 1), 1)
    per_page = _int(req.query.get("per_page"), 10)
    chunk = items[(page - 1) * per_page : page * per_page]
    headers = {"Content-Type": "application/json"}
    if page * per_page < len(items):
        host = req.headers.get("host", "127.0.0.1")
        headers["Link"] = f'<http://{host}/api/items/link?page={page + 1}&per_page={per_page}>; rel="next"'
    return Reply(200, chunk, headers)


# --- faults --------------------------------------------------------------------------------


@route("GET", "/slow")
def slow(req: RecordedRequest, api: FakeApi) -> Reply:
    ms = min(_int(req.query.get("ms"), 50), 10_000)
    time.sleep(ms / 1000)
    return Reply.json({"sleptMs": ms})


@route("GET", "/rate-limited")
def rate_limited(req: RecordedRequest, api: FakeApi) -> Reply:
    key = req.query.get("key", "default")
    times = _int(req.query.get("times"), 1)
    with api.lock:
        count = api.state.rate_limit_counts.get(key, 0) + 1
        api.state.rate_limit_counts[key] = count
    if count <= times:
        headers = {"Retry-After": req.query["retry_after"]} if "retry_after" in req.query else {}
        return Reply.json({"error": "rate_limited", "attempt": count}, 429, **headers)
    return Reply.json({"ok": True, "attempts": count})


@route("*", "/status")
def status(req: RecordedRequest, api: FakeApi) -> Reply:
    code = _int(req.query.get("code"), 500)
    return Reply.json({"error": req.query.get("error", f"status_{code}"), "message": req.query.get("message", f"fake status {code}")}, code)


@route("GET", "/malformed/json")
def malformed_json(req: RecordedRequest, api: FakeApi) -> Reply:
    return Reply(200, b'{"items": [1, 2,', {"Content-Type": "application/json"})


_HTML = b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1>\n<p>The upstream server failed.</p></body></html>\n"


@route("GET", "/malformed/html")
def malformed_html(req: RecordedRequest, api: FakeApi) -> Reply:
    return Reply(500, _HTML, {"Content-Type": "text/html; charset=utf-8"})


@route("GET", "/malformed/html-200")
def malformed_html_200(req: RecordedRequest, api: FakeApi) -> Reply:
    return Reply(200, _HTML, {"Content-Type": "text/html; charset=utf-8"})


@route("GET", "/malformed/empty")
def malformed_empty(req: RecordedRequest, api: FakeApi) -> Reply:
    return Reply(200, None)


@route("GET", "/malformed/empty-json")
def malformed_empty_json(req: RecordedRequest, api: FakeApi) -> Reply:
    return Reply(200, b"", {"Content-Type": "application/json"})


# --- misc ----------------------------------------------------------------------------------


@route("*", "/echo")
def echo(req: RecordedRequest, api: FakeApi) -> Reply:
    try:
        parsed_json = req.json()
    except ValueError:
        parsed_json = None
    return Reply.json(
        {
            "method": req.method,
            "path": req.path,
            "rawPath": req.raw_path,
            "query": [list(p) for p in req.query_list],
            "headers": dict(req.headers),
            "body": req.text,
            "json": parsed_json,
            "form": req.form() if req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded") else None,
        }
    )
