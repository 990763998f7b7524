"""Every implementation type, both JS module styles, mixins, errors and logs, against the fake API.

All through the `apikey` test connector (client-credentials, key in a header).
"""

from __future__ import annotations

import json
import traceback
import time
from typing import Any

import pytest

from runtime import (
    BadRequestError,
    ConfigurationError,
    ConnectionProblem,
    CustomCodeError,
    InvalidInputError,
    NotSupportedError,
)
from tests.core.conftest import run


def connect(connector: Any, fake_api: Any, **kw: Any) -> Any:
    return connector.connect(
        connector_parameters={"baseUri": fake_api.url},
        connection_parameters={"apiKey": fake_api.api_key},
        credentials={"apiKey": fake_api.api_key},
        **kw,
    )


def test_rest_mapping_list_pages_through_the_api(apikey: Any, fake_api: Any) -> None:
    async def main() -> None:
        async with connect(apikey, fake_api) as conn:
            first = await conn.call("data/items/list", {"cursor": None})
            second = await conn.call("data/items/list", {"cursor": first.output["cursor"]})
            last = await conn.call("data/items/list", {"cursor": "20"})
        assert [r["id"] for r in first.output["records"]] == [str(i) for i in range(1, 11)]
        assert first.output["cursor"] == "10"
        assert second.output["records"][0] == {"id": "11", "name": "Item 11"}
        assert "cursor" not in last.output or last.output["cursor"] is None
        assert len(last.output["records"]) == 5
        sent = fake_api.requests_to("/api/items/cursor")
        assert sent[0].query == {"limit": "10"}  # a null cursor is not sent
        assert sent[1].query == {"cursor": "10", "limit": "10"}
        assert all(r.headers["x-api-key"] == fake_api.api_key for r in sent)
        # the request log is redacted and complete
        assert [e.status for e in first.requests] == [200]
        assert first.requests[0].url.startswith(f"{fake_api.url}/api/items/cursor")

    run(main())


def test_javascript_commonjs_named_export_and_query_encoding(apikey: Any, fake_api: Any) -> None:
    async def main() -> Any:
        async with connect(apikey, fake_api) as conn:
            return await conn.call("data/items/find-by-id", {"id": 7})

    result = run(main())
    assert result.output["record"]["id"] == "7"
    assert result.output["record"]["query"] == [["id", "7"], ["tag", "a"], ["tag", "b"]]


def test_javascript_default_export_posts_json(apikey: Any, fake_api: Any) -> None:
    async def main() -> Any:
        async with connect(apikey, fake_api) as conn:
            return await conn.call("data/items/create", {"fields": {"name": "Ada", "n": 1}})

    out = run(main()).output
    assert out == {"id": "new-1", "sent": {"name": "Ada", "n": 1}, "contentType": "application/json", "trace": "create"}


def test_module_exports_function_and_full_response(apikey: Any, fake_api: Any) -> None:
    async def main() -> Any:
        async with connect(apikey, fake_api) as conn:
            return await conn.call("operations/cjs-module/run")

    assert run(main()).output == {"statusCode": 200, "data": {"ok": True, "via": "header"}, "hasHeaders": True}


def test_form_text_and_delete_bodies(apikey: Any, fake_api: Any) -> None:
    async def main() -> Any:
        async with connect(apikey, fake_api) as conn:
            return await conn.call("operations/form-post/run")

    out = run(main()).output
    assert out["form"] == {"a": "1 2", "b": "x&y"}
    assert out["formType"].startswith("application/x-www-form-urlencoded")
    assert out["text"] == "plain body" and out["textType"] == "text/plain"
    assert out["del"] == "DELETE"


def test_mapping_and_operation_mapping(apikey: Any, fake_api: Any) -> None:
    async def main() -> tuple[Any, Any]:
        async with connect(apikey, fake_api) as conn:
            direct = await conn.call("operations/map/run", {"input": {"name": "Ada"}})
            via = await conn.call("operations/via-op/run", {"input": {"first": "Ada", "last": "Lovelace"}})
            return direct, via

    direct, via = run(main())
    assert direct.output == {"greeting": "Hello, Ada", "hasCredentials": True}
    assert via.output == {"message": "Hello, Ada Lovelace"}
    assert fake_api.requests == []  # mappings make no request


def test_graphql_mapping_posts_query_and_variables(apikey: Any, fake_api: Any) -> None:
    from tests.fakeapi import Reply

    def graphql(req: Any, api: Any) -> Reply:
        body = req.json()
        return Reply.json({"data": {"item": {"id": body["variables"]["id"], "name": "From GraphQL"}}})

    fake_api.add_route("POST", "/", graphql)

    async def main() -> Any:
        async with connect(apikey, fake_api) as conn:
            return await conn.call("operations/gql/run", {"input": {"id": "42"}})

    assert run(main()).output == {"item": {"id": "42", "name": "From GraphQL"}, "status": 200}
    sent = fake_api.requests[-1]
    assert sent.json()["query"].startswith("query Item")
    assert sent.headers["x-api-key"] == fake_api.api_key


def test_mixin_parameters_reach_the_inherited_method(apikey: Any, fake_api: Any) -> None:
    async def main() -> tuple[Any, Any]:
        async with connect(apikey, fake_api) as conn:
            listed = await conn.call("data/deals/list", {"cursor": "c1"})
            found = await conn.call("data/deals/findById", {"id": "9"})
            return listed, found

    listed, found = run(main())
    assert listed.output["records"] == [{"id": "deals"}]
    assert listed.output["parameters"] == {"path": "deals"}
    assert fake_api.requests_to("/echo")[0].query == {"collection": "deals", "cursor": "c1"}
    assert found.output == {"record": {"id": "9", "kind": "deals"}}


def test_not_supported_methods(apikey: Any, fake_api: Any) -> None:
    async def main() -> None:
        async with connect(apikey, fake_api) as conn:
            with pytest.raises(NotSupportedError) as declared:
                await conn.call("operations/unsupported/run")
            with pytest.raises(NotSupportedError):
                await conn.call("data/items/match", {"query": {}})
            with pytest.raises(NotSupportedError):
                await conn.call("data/items/delete", {"id": "1"})  # not declared at all
        assert declared.value.key == "not_supported"
        assert declared.value.to_dict()["type"] == "not_supported"

    run(main())


def test_context_holds_what_spec_section_2_lists(apikey: Any, fake_api: Any) -> None:
    async def main() -> Any:
        async with connect(apikey, fake_api) as conn:
            return await conn.call("operations/context/run", {"input": {"a": 1}})

    out = run(main()).output
    assert out["keys"] == ["apiClient", "connectionInput", "connectionParameters", "connectorParameters", "credentials", "input"]
    assert out["apiClientMethods"] == ["delete", "get", "head", "patch", "post", "put", "request"]
    assert out["input"] == {"a": 1}
    assert out["credentialKeys"] == ["apiKey"]


def test_promise_all_of_ten_slow_requests_runs_concurrently(apikey: Any, fake_api: Any) -> None:
    async def main() -> tuple[Any, float]:
        async with connect(apikey, fake_api) as conn:
            await conn.call("operations/slow-all/run", {"input": {"count": 2, "ms": 1}})  # warm the pool
            started = time.perf_counter()
            result = await conn.call("operations/slow-all/run", {"input": {"count": 10, "ms": 50}})
            return result, time.perf_counter() - started

    result, elapsed = run(main())
    assert result.output == {"count": 10, "slept": [50] * 10}
    assert len(result.requests) == 10
    assert elapsed < 0.4, f"10 x 50 ms took {elapsed:.3f} s: requests did not run concurrently"


def test_js_error_is_custom_code_with_stack_and_no_secret(apikey: Any, fake_api: Any) -> None:
    async def main() -> None:
        async with connect(apikey, fake_api) as conn:
            await conn.call("operations/throws/run")

    with pytest.raises(CustomCodeError) as info:
        run(main())
    err = info.value
    payload = json.dumps(err.to_dict())
    assert fake_api.api_key not in payload
    # the chained JS error stays (debugging), with the key redacted: a host logging the error
    # with its traceback prints the chain too
    chained = "".join(traceback.format_exception(err))
    assert "sandbox._errors.JSError" in chained and "cannot use key" in chained
    assert fake_api.api_key not in chained
    assert "cannot use key" in err.message
    assert "operations/throws/run.js:3" in (err.stack or "")
    assert err.data["file"] == "operations/throws/run.js"
    assert err.data["methodPath"] == "operations/throws/run"


def test_the_hosts_own_exception_is_left_as_it_was(apikey: Any, fake_api: Any) -> None:
    """A host calling from an `except` block: its exception is chained to the runtime error
    (implicitly), and the redaction of the chain stops there, at the host's own."""

    async def main() -> tuple[ValueError, CustomCodeError]:
        async with connect(apikey, fake_api) as conn:
            try:
                raise ValueError(f"host message with {fake_api.api_key}")
            except ValueError as host:
                try:
                    await conn.call("operations/throws/run")
                except CustomCodeError as err:
                    return host, err
        raise AssertionError("the call did not fail")

    host, err = run(main())
    assert host.args == (f"host message with {fake_api.api_key}",)
    assert fake_api.api_key not in str(err.__cause__ or "")


def test_uncaught_api_error_keeps_its_type_and_key(apikey: Any, fake_api: Any) -> None:
    async def main(code: int) -> None:
        async with connect(apikey, fake_api) as conn:
            await conn.call("operations/uncaught-api-error/run", {"input": {"code": code}})

    with pytest.raises(BadRequestError) as not_found:
        run(main(404))
    assert not_found.value.key == "not_found"
    assert [e.status for e in not_found.value.requests] == [404]  # type: ignore[attr-defined]
    assert "operations/uncaught-api-error/run.js:2" in (not_found.value.stack or "")  # the connector's line
    assert not_found.value.to_dict()["type"] == "bad_request"
    assert not_found.value.data["status"] == 404
    with pytest.raises(ConnectionProblem) as server:
        run(main(503))
    assert server.value.key == "http_error"


def test_api_error_caught_in_js_is_an_error_with_key(apikey: Any, fake_api: Any) -> None:
    async def main() -> Any:
        async with connect(apikey, fake_api) as conn:
            return await conn.call("operations/status-caught/run", {"input": {"code": 409}})

    out = run(main()).output
    assert out["caught"] is True and out["isError"] is True
    assert out["key"] == "already_exists"
    assert out["status"] == 409
    assert "409" in out["message"]


def test_response_handler_from_make_api_client(apikey: Any, fake_api: Any) -> None:
    async def main() -> None:
        async with connect(apikey, fake_api) as conn:
            await conn.call("operations/uncaught-api-error/run", {"input": {"code": 418}})

    with pytest.raises(ConnectionProblem) as info:
        run(main())
    assert info.value.key == "teapot"
    assert info.value.message == "the API is a teapot: fake status 418"


@pytest.mark.parametrize(
    ("kind", "key"),
    [("json", "invalid_response"), ("html", "http_error")],
)
def test_malformed_responses_are_typed_errors(apikey: Any, fake_api: Any, kind: str, key: str) -> None:
    async def main() -> None:
        async with connect(apikey, fake_api) as conn:
            await conn.call("operations/malformed/run", {"input": {"kind": kind}})

    with pytest.raises(ConnectionProblem) as info:
        run(main())
    assert info.value.key == key
    assert info.value.data["file"] == "operations/malformed/run.rest.yml"
    assert info.value.data["methodPath"] == "operations/malformed/run"
    assert info.value.data["method"] == "GET"  # the HTTP method of the failed request


def test_empty_and_html_200_bodies_are_returned_as_they_are(apikey: Any, fake_api: Any) -> None:
    async def main() -> tuple[Any, Any, Any]:
        async with connect(apikey, fake_api) as conn:
            empty = await conn.call("operations/malformed/run", {"input": {"kind": "empty"}})
            empty_json = await conn.call("operations/malformed/run", {"input": {"kind": "empty-json"}})
            html = await conn.call("operations/malformed/run", {"input": {"kind": "html-200"}})
            return empty, empty_json, html

    empty, empty_json, html = run(main())
    assert empty.output is None and empty_json.output is None
    assert html.output.startswith("<!DOCTYPE html>")


def test_missing_path_placeholder_is_a_configuration_error(apikey: Any, fake_api: Any) -> None:
    async def main() -> None:
        async with connect(apikey, fake_api) as conn:
            await conn.call("operations/malformed/run", {"input": {}})

    with pytest.raises(ConfigurationError) as info:
        run(main())
    assert "{kind}" in info.value.message
    assert fake_api.requests == []


def test_logs_are_captured_and_redacted(apikey: Any, fake_api: Any) -> None:
    async def main() -> Any:
        async with connect(apikey, fake_api) as conn:
            return await conn.call("operations/logs/run", {"input": {"n": 21}})

    result = run(main())
    assert result.output == 42
    assert [e["level"] for e in result.logs] == ["log", "warn"]
    assert "starting" in result.logs[0]["message"]
    assert fake_api.api_key not in json.dumps(result.logs)
    assert "[REDACTED]" in result.logs[1]["message"]
    assert result.credentials is None


def test_bad_input_and_unknown_elements(apikey: Any, fake_api: Any) -> None:
    async def main() -> None:
        async with connect(apikey, fake_api) as conn:
            with pytest.raises(InvalidInputError):
                await conn.call("data/items")
            with pytest.raises(InvalidInputError):
                await conn.call("data/items/list", ["not", "an", "object"])  # type: ignore[arg-type]
            with pytest.raises(ConfigurationError):
                await conn.call("data/nope/list")

    run(main())


def test_time_limit_is_a_sandbox_error(apikey: Any, fake_api: Any) -> None:
    from runtime import SandboxLimitError
    from sandbox import Limits

    async def main() -> None:
        async with connect(apikey, fake_api) as conn:
            await conn.call("operations/slow-all/run", {"input": {"count": 1, "ms": 2000}}, limits=Limits(wall_time=0.3))

    started = time.perf_counter()
    with pytest.raises((SandboxLimitError, ConnectionProblem)) as info:
        run(main())
    assert time.perf_counter() - started < 1.9
    assert info.value.key in ("wall_time_limit", "timeout")


def test_operation_mapping_cycle_is_a_configuration_error(apikey: Any, fake_api: Any) -> None:
    async def main() -> None:
        async with connect(apikey, fake_api) as conn:
            await conn.call("operations/loop-a/run", {"input": {}})

    with pytest.raises(ConfigurationError) as info:
        run(main())
    assert info.value.key == "operation_cycle"
