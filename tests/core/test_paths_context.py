"""Method paths and the SPEC §2 context builder (pure units)."""

from __future__ import annotations

import pytest

from runtime._context import build_context
from runtime._errors import InvalidInputError
from runtime._paths import MethodPath, camel_case, kebab_case, parse_method_path


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("auth/test", MethodPath("auth", None, "test")),
        ("auth/make-api-client", MethodPath("auth", None, "makeApiClient")),
        ("auth/getOAuthConfig", MethodPath("auth", None, "getOAuthConfig")),
        ("data/contacts/find-by-id", MethodPath("data", "contacts", "findById")),
        ("data/contacts/findById", MethodPath("data", "contacts", "findById")),
        ("/data/deal-stages/list/", MethodPath("data", "deal-stages", "list")),
        ("operations/send-email/run", MethodPath("operations", "send-email", "run")),
        ("events/new-message/subscribe", MethodPath("events", "new-message", "subscribe")),
        ("global-webhooks/main/handle", MethodPath("global-webhooks", "main", "handle")),
    ],
)
def test_parse_method_path(path: str, expected: MethodPath) -> None:
    assert parse_method_path(path) == expected


@pytest.mark.parametrize("path", ["", "auth", "auth/a/b", "data/contacts", "nope/x/y", "data/../x/list", "data/a b/list"])
def test_bad_method_paths_name_the_accepted_shapes(path: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_method_path(path)
    assert "data/<collection>/<method>" in info.value.message


def test_str_round_trips_in_kebab_case() -> None:
    assert str(parse_method_path("data/contacts/findById")) == "data/contacts/find-by-id"
    assert camel_case("get-credentials-from-connection-parameters") == "getCredentialsFromConnectionParameters"
    assert kebab_case("getOAuthConfig") == "get-oauth-config"
    assert kebab_case("fieldsFromApi") == "fields-from-api"
    assert kebab_case("find-by-id") == "find-by-id"


def test_context_before_connection_has_no_credentials() -> None:
    ctx = build_context(connector_parameters={"clientId": "c"}, connection_parameters={"x": 1}, connected=False,
                        inputs={"codeVerifier": "v"})
    assert ctx == {"connectorParameters": {"clientId": "c"}, "connectionParameters": {"x": 1},
                   "connectionInput": {"x": 1}, "codeVerifier": "v"}


def test_context_inputs_cannot_shadow_reserved_keys() -> None:
    ctx = build_context(
        connector_parameters={},
        connection_parameters={},
        credentials={"token": "real"},
        inputs={"credentials": {"token": "fake"}, "apiClient": 1, "id": "7"},
        parameters={"path": "deals"},
    )
    assert ctx["credentials"] == {"token": "real"}
    assert "apiClient" not in ctx
    assert ctx["id"] == "7"
    assert ctx["parameters"] == {"path": "deals"}
