"""Method resolution rules (SPEC 1.1, 3, 3.4, 6.4, 6.5, 7, 8) on good fixture connectors."""

from __future__ import annotations

import pytest

from runtime._errors import NotSupportedError, SpecError
from runtime._loader import LoadedConnector, MethodImpl, load_connector
from tests.loader.conftest import FIXTURES


@pytest.fixture(scope="module")
def basic() -> LoadedConnector:
    return load_connector(FIXTURES / "basic")


@pytest.fixture(scope="module")
def options() -> LoadedConnector:
    return load_connector(FIXTURES / "options")


def _kinds(methods: dict[str, MethodImpl] | object) -> dict[str, tuple[str, str]]:
    return {k: (m.kind, m.file) for k, m in methods.items()}  # type: ignore[attr-defined]


def test_connector_spec_is_parsed(basic: LoadedConnector) -> None:
    assert basic.spec.key == "basic"
    assert basic.spec.name == "Basic Test Connector"
    assert basic.spec.parameters_schema == {"type": "object", "properties": {"region": {"type": "string"}}}
    assert basic.root == (FIXTURES / "basic").resolve()
    # the only warning is the literal OData key; it is a warning, not an error
    assert all(p.severity == "warning" for p in basic.warnings)


def test_auth_methods_declared_inline_and_discovered(basic: LoadedConnector) -> None:
    auth = basic.auth()
    assert auth.type == "client-credentials"
    assert auth.title == "API key"
    assert auth.ui_schema is not None and auth.ui_schema["required"] == ["apiKey"]
    assert _kinds(auth.methods) == {
        "makeApiClient": ("mapping", "auth/make-api-client.map.yml"),
        # inline `code:` compiles from the spec file
        "getCredentialsFromConnectionParameters": ("javascript", "spec.yml"),
        # SPEC 3: a `test` mapping holding path + method is a REST mapping
        "test": ("rest-api-mapping", "auth/test.map.yml"),
        # not declared: discovered from auth/refresh-credentials.js
        "refreshCredentials": ("javascript", "auth/refresh-credentials.js"),
    }
    test = auth.methods["test"].rest
    assert test is not None and (test.method, test.path) == ("GET", "/me")
    assert test.response is not None
    assert test.response.evaluate({"response": {"data": {"id": 7}}}) is True
    assert test.response.evaluate({"response": {"data": {}}}) is False
    make = auth.methods["makeApiClient"].program
    assert make.evaluate({"credentials": {"apiKey": "k"}}) == {
        "baseUri": "https://api.example.com/v1",
        "headers": {"Authorization": "Bearer k"},
    }


def test_collection_methods_by_type_suffix_alias_filepath_inline(basic: LoadedConnector) -> None:
    contacts = basic.collections["contacts"]
    assert _kinds(contacts.methods) == {
        "list": ("rest-api-mapping", "data/contacts/list.rest.yml"),
        "findById": ("javascript", "data/contacts/find-by-id.js"),
        # no implementationType: the .ts suffix says javascript
        "create": ("javascript", "data/contacts/create.ts"),
        "update": ("javascript", "data/contacts/impl/update-contact.js"),  # filePath
        "delete": ("not-supported", "data/contacts/spec.yml"),
        "match": ("mapping", "data/contacts/spec.yml"),  # inline mapping
        "fieldsFromApi": ("mapping", "data/contacts/fields-from-api.yml"),  # plain .yml alias
        "search": ("rest-api-mapping", "data/contacts/search.api.yml"),  # .api.yml alias, discovered
        "fieldsToApi": ("javascript", "data/contacts/fieldsToApi.js"),  # camelCase file name
    }
    rest = contacts.methods["list"].rest
    assert rest is not None and rest.method == "GET" and rest.path == "/contacts"
    assert rest.query is not None and rest.query.evaluate({"cursor": "c1"}) == {"cursor": "c1", "$top": 100}
    assert rest.response is not None
    assert rest.response.evaluate({"response": {"data": {"items": [1], "next": "n"}}}) == {
        "records": [1],
        "cursor": "n",
    }
    assert rest.headers is None and rest.data is None and rest.path_parameters is None
    search = contacts.methods["search"].rest
    assert search is not None and search.method == "POST" and search.data is not None
    assert contacts.methods["match"].program.evaluate({"query": {"email": "a@b"}}) == {"record": {"email": "a@b"}}
    assert contacts.methods["create"].js is not None and contacts.methods["create"].source_kind == "typescript"
    assert contacts.fields_schema is not None and set(contacts.fields_schema["properties"]) == {"name", "email"}


def test_inline_collection_with_operation_mapping(basic: LoadedConnector) -> None:
    deals = basic.collections["deals"]
    assert deals.spec.name == "Deals"
    op = deals.methods["list"].operation
    assert op is not None and op.operation_key == "list-deals"
    assert op.input.evaluate({"cursor": "x"}) == {"cursor": "x"}
    assert op.output.evaluate({"output": {"items": [1, 2]}}) == {"records": [1, 2]}
    # no events declared and a list method: full-scan for every type (SPEC 6.4 default)
    assert {t: e.implementation_type for t, e in deals.events.items()} == {
        "created": "full-scan",
        "updated": "full-scan",
        "deleted": "full-scan",
    }


def test_collection_webhook_event_file_names(basic: LoadedConnector) -> None:
    events = basic.collections["contacts"].events
    assert {t: e.implementation_type for t, e in events.items()} == {
        "created": "webhook",
        "updated": "webhook",
        "deleted": "webhook",
    }
    # events-<type>-webhook-<method> beats the shared events-webhook-<method>
    assert _kinds(events["created"].methods) == {
        "subscribe": ("javascript", "data/contacts/events-created-webhook-subscribe.js"),
        "handle": ("javascript", "data/contacts/events-created-webhook-handle.js"),
        "unsubscribe": ("javascript", "data/contacts/events-webhook-unsubscribe.js"),
    }
    # older <type>-webhook-<method>, one of them a mapping
    assert _kinds(events["updated"].methods) == {
        "subscribe": ("javascript", "data/contacts/updated-webhook-subscribe.js"),
        "handle": ("mapping", "data/contacts/updated-webhook-handle.map.yml"),
        "unsubscribe": ("javascript", "data/contacts/events-webhook-unsubscribe.js"),
    }
    # one webhook serving all types
    assert _kinds(events["deleted"].methods) == {
        "subscribe": ("javascript", "data/contacts/events-webhook-subscribe.js"),
        "handle": ("javascript", "data/contacts/events-webhook-handle.js"),
        "unsubscribe": ("javascript", "data/contacts/events-webhook-unsubscribe.js"),
    }
    # the shared file is compiled once, not once per event type
    assert events["created"].methods["unsubscribe"].js is events["deleted"].methods["unsubscribe"].js


def test_mixins_apply_unless_overridden(basic: LoadedConnector) -> None:
    assert "_object" not in basic.collections and "_base" not in basic.collections
    tasks = basic.collections["tasks"]
    assert tasks.mixins == ("data/_object", "data/_base")
    assert tasks.spec.name == "Tasks"  # own field wins
    assert tasks.spec.custom_fields is True  # from _base, two levels down
    assert tasks.parameters_schema == {"type": "object", "properties": {"path": {"type": "string"}}}
    assert tasks.fields_schema == {"type": "object", "properties": {"title": {"type": "string"}}}
    assert _kinds(tasks.methods) == {
        "customFields": ("javascript", "data/_base/custom-fields.js"),
        "list": ("rest-api-mapping", "data/_object/list.rest.yml"),
        "findById": ("mapping", "data/tasks/find-by-id.map.yml"),  # overridden by the collection
    }
    assert tasks.events["created"].implementation_type == "pull-latest-records"
    assert _kinds(tasks.events["created"].methods) == {
        "pullLatestRecords": ("javascript", "data/_object/events-created-pull-latest-records.js")
    }
    # extends parameters, nearest first, evaluated by the caller down the chain
    first, second = tasks.extends_parameters
    params = first.evaluate({"parameters": {}})
    assert params == {"path": "tasks"}
    assert second.evaluate({"parameters": params}) == {"resource": "tasks"}


def test_operations_events_global_webhooks(basic: LoadedConnector) -> None:
    assert set(basic.operations) == {"list-deals", "send-email"}
    run = basic.operations["list-deals"].methods["run"]
    assert run.kind == "rest-api-mapping" and run.rest is not None and run.rest.path == "/deals"
    gql = basic.operations["send-email"].methods["run"].graphql
    assert gql is not None and gql.query.startswith("mutation Send")
    assert gql.variables.evaluate({"input": {"to": "x@y"}}) == {"to": "x@y"}
    assert basic.operations["list-deals"].spec.input_schema["properties"] == {"cursor": {"type": "string"}}

    msg = basic.events["new-message"]
    assert msg.spec.implementation_type == "webhook"
    assert msg.spec.payload_schema == {"type": "object", "properties": {"text": {"type": "string"}}}
    assert _kinds(msg.methods) == {
        "subscribe": ("javascript", "events/new-message/subscribe.js"),
        "handle": ("javascript", "events/new-message/handle.ts"),
        "unsubscribe": ("javascript", "events/new-message/unsubscribe.js"),  # discovered
    }
    selector = basic.events["global-thing"].methods["getEventSelector"]
    assert selector.program.evaluate({"parameters": {"channel": "c"}}) == {
        "globalWebhookKey": "main",
        "globalWebhookEventSelector": "c",
    }
    assert basic.global_webhooks["main"].methods["handle"].file == "global-webhooks/main/handle.js"


@pytest.mark.parametrize(
    ("path", "file"),
    [
        ("auth/test", "auth/test.map.yml"),
        ("auth/make-api-client", "auth/make-api-client.map.yml"),
        ("auth/makeApiClient", "auth/make-api-client.map.yml"),
        ("data/contacts/find-by-id", "data/contacts/find-by-id.js"),
        ("data/contacts/findById", "data/contacts/find-by-id.js"),
        ("data/tasks/custom-fields", "data/_base/custom-fields.js"),
        ("operations/list-deals/run", "operations/list-deals/run.rest.yml"),
        ("events/new-message/handle", "events/new-message/handle.ts"),
        ("events/global-thing/get-event-selector", "events/global-thing/get-event-selector.map.yml"),
        ("global-webhooks/main/handle", "global-webhooks/main/handle.js"),
    ],
)
def test_method_paths_in_both_spellings(basic: LoadedConnector, path: str, file: str) -> None:
    assert basic.method(path).file == file


def test_method_lookup_errors(basic: LoadedConnector) -> None:
    assert basic.method("data/contacts/delete").kind == "not-supported"
    with pytest.raises(NotSupportedError) as exc:
        basic.method("data/deals/find-by-id")
    assert exc.value.key == "not_supported" and "data/deals/find-by-id" in exc.value.message
    with pytest.raises(SpecError) as spec_exc:
        basic.method("data/nope/list")
    assert "data/nope" in spec_exc.value.message and "contacts" in spec_exc.value.message
    with pytest.raises(SpecError):
        basic.auth("no-such-option")


def test_auth_options_override_and_fall_back(options: LoadedConnector) -> None:
    assert set(options.auth_options) == {"api-key", "oauth"}
    api_key = options.auth("api-key")
    assert (api_key.type, api_key.title, api_key.option_key) == ("client-credentials", "API key", "api-key")
    assert api_key.ui_schema == {"type": "object", "properties": {"apiKey": {"type": "string"}}}  # inputSchema spelling
    assert _kinds(api_key.methods) == {
        "makeApiClient": ("mapping", "auth/make-api-client.map.yml"),  # falls back to auth/
        "test": ("rest-api-mapping", "auth/api-key/test.rest.yml"),  # the option's own file wins
    }
    oauth = options.auth("oauth")
    assert oauth.type == "oauth2"
    assert oauth.ui_schema == {"type": "object", "properties": {"subdomain": {"type": "string"}}}  # ui.schema spelling
    assert _kinds(oauth.methods) == {
        "makeApiClient": ("javascript", "auth/oauth/make-api-client.js"),  # option declares javascript
        "getOAuthConfig": ("mapping", "auth/oauth/get-oauth-config.map.yml"),
        "test": ("javascript", "auth/test.js"),
    }
    assert oauth.raw["title"] == "OAuth" and oauth.raw["type"] == "oauth2"
    # the common test file is compiled once and shared by the options
    assert oauth.methods["test"].js is options.auth().methods["test"].js
    assert options.method("auth/test", auth_option_key="api-key").kind == "rest-api-mapping"
    assert options.method("auth/test").kind == "javascript"


def test_cli_commands_are_registered() -> None:
    import runtime._cli as cli

    assert {"validate", "inspect"} <= set(cli.COMMANDS)


def test_pull_latest_event_uses_the_collections_own_pull_latest_records(tmp_path) -> None:
    (tmp_path / "auth").mkdir()
    (tmp_path / "spec.yml").write_text("auth: {type: client-credentials, makeApiClient: {implementationType: mapping}}\n")
    (tmp_path / "auth" / "make-api-client.map.yml").write_text("baseUri: https://api.example.com\n")
    col = tmp_path / "data" / "issues"
    col.mkdir(parents=True)
    (col / "spec.yml").write_text(
        "methods:\n"
        "  list: {implementationType: javascript}\n"
        "  pullLatestRecords: {implementationType: javascript, filePath: list.js}\n"
        "events:\n"
        "  updated: {implementationType: pull-latest-records}\n"
    )
    (col / "list.js").write_text("export default async () => ({records: []})\n")
    loaded = load_connector(tmp_path)
    issues = loaded.collections["issues"]
    assert issues.events["updated"].implementation_type == "pull-latest-records"
    assert issues.methods["pullLatestRecords"].file == "data/issues/list.js"
