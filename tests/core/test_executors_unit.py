"""Executor helpers without a network (pure units and httpx.MockTransport)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from runtime import BadRequestError
from runtime._errors import FormulaError, InternalError
from runtime._execute import EXECUTORS, executor_for, fill_path
from tests.core.conftest import load, run


def test_fill_path_prefers_path_parameters_then_context_and_encodes() -> None:
    assert fill_path("/contacts/{id}", {"id": "a/b c"}, {"id": "ignored"}, source="f") == "/contacts/a%2Fb%20c"
    assert fill_path("/contacts/{id}/notes", None, {"id": 7}, source="f") == "/contacts/7/notes"
    assert fill_path("/x/{input.kind}", None, {"input": {"kind": True}}, source="f") == "/x/true"
    assert fill_path("/plain", None, {}, source="f") == "/plain"
    with pytest.raises(FormulaError) as info:
        fill_path("/contacts/{id}", {}, {}, source="data/c/find-by-id.rest.yml")
    assert "data/c/find-by-id.rest.yml" in info.value.message and "{id}" in info.value.message


def test_every_implementation_type_has_one_executor() -> None:
    assert sorted(EXECUTORS) == sorted(
        ["javascript", "mapping", "rest-api-mapping", "graphql-api-mapping", "operation-mapping", "not-supported"]
    )
    with pytest.raises(InternalError):
        executor_for("rest")


def mock_connection(handler: Any) -> Any:
    return load("apikey").connect(
        connector_parameters={"baseUri": "https://api.example.test"},
        credentials={"apiKey": "mock-key-1"},
        transport=httpx.MockTransport(handler),
    )


def test_graphql_without_response_mapping_returns_data_or_raises_errors() -> None:
    from runtime._loader import GraphqlMapping, MethodImpl

    answers = [
        {"data": {"item": {"id": "1"}}},
        {"errors": [{"message": "Unknown field 'item'"}], "data": None},
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answers.pop(0))

    impl = MethodImpl(kind="graphql-api-mapping", key="run", file="operations/q/run.graphql.yml",
                      graphql=GraphqlMapping(query="{ item { id } }"))

    async def main() -> Any:
        async with mock_connection(handler) as conn:
            ok = await conn.run_method(impl, {}, conn.new_call())
            with pytest.raises(BadRequestError) as info:
                await conn.run_method(impl, {}, conn.new_call())
            return ok, info.value

    ok, error = run(main())
    assert ok == {"item": {"id": "1"}}
    assert "Unknown field 'item'" in error.message
    assert error.data["errors"] == [{"message": "Unknown field 'item'"}]
    assert error.data["file"] == "operations/q/run.graphql.yml"


def test_arraybuffer_responses_become_buffers_in_js() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=bytes(range(256)), headers={"Content-Type": "application/octet-stream"})

    async def main() -> Any:
        async with mock_connection(handler) as conn:
            impl = conn.loaded.method("operations/get-one/run")
            from sandbox import compile_module

            module = compile_module(
                "export default async function r({apiClient}) {"
                " const b = await apiClient.get('/file', undefined, {responseType: 'arraybuffer'});"
                " const s = await apiClient.get('/file', undefined, {responseType: 'stream', returnFullResponse: true});"
                " return {isBuffer: Buffer.isBuffer(b), length: b.length, last: b[255],"
                "         streamIsBuffer: Buffer.isBuffer(s.data), streamStatus: s.statusCode}; }",
                "operations/get-one/run.js",
            )
            patched = type(impl)(impl.kind, impl.key, impl.file, js=module)
            return await conn.run_method(patched, {}, conn.new_call())

    assert run(main()) == {"isBuffer": True, "length": 256, "last": 255, "streamIsBuffer": True, "streamStatus": 200}
