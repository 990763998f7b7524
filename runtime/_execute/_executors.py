"""One executor per implementation type (SPEC 1.1), all with the `Executor` shape.

    javascript            sandbox call of the compiled module (apiClient added inside JS)
    mapping               formula program evaluated with the context as variables
    rest-api-mapping      request mappings -> one API-client request -> response mapping
    graphql-api-mapping   one POST {query, variables} through the API client -> response mapping
    operation-mapping     input mapping -> operations/<key>/run -> output mapping
    not-supported         NotSupportedError, key not_supported

The loader fixes each method's kind when it compiles it; on the call path `executor_for(kind)`
is one dict access, no branching on strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from runtime._errors import BadRequestError, FormulaError, InternalError, NotSupportedError
from runtime._execute._types import CallContext, ExecutionHost, Executor, Stage

__all__ = ["EXECUTORS", "executor_for", "fill_path"]

_PLACEHOLDER = re.compile(r"\{\{?\s*([A-Za-z0-9_.\-$\[\]]+)\s*\}?\}")


def _lookup(values: Mapping[str, Any], name: str) -> Any:
    current: Any = values
    for part in name.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        else:
            return None
    return current


def fill_path(template: str, path_parameters: Mapping[str, Any] | None, ctx: Mapping[str, Any], *, source: str) -> str:
    """`/contacts/{id}` with `{id}` taken from pathParameters, else from the context.

    Values are URL-encoded (a record id with a slash must not change the route). A placeholder
    with no value is a configuration error naming the file: sending `/contacts/` to an API
    would silently list instead of fetching one record.
    """
    if "{" not in template:
        return template

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        value = None
        if path_parameters:
            value = _lookup(path_parameters, name)
        if value is None:
            value = _lookup(ctx, name)
        if value is None or value == "":
            raise FormulaError(f"{source}: path: no value for placeholder {{{name}}} in {template!r}")
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        return quote(str(value), safe="")

    return _PLACEHOLDER.sub(repl, template)


async def run_javascript(host: ExecutionHost, impl: Any, ctx: dict[str, Any], call: CallContext, stage: Stage) -> Any:
    return await host.run_javascript(impl, ctx, call, stage=stage)


async def run_mapping(host: ExecutionHost, impl: Any, ctx: dict[str, Any], call: CallContext, stage: Stage) -> Any:
    if impl.program is None:
        raise InternalError(f"{impl.file}: mapping method has no compiled program")
    return host.evaluate(impl.program, ctx)


def _evaluate_optional(host: ExecutionHost, program: Any, ctx: Mapping[str, Any]) -> Any:
    return None if program is None else host.evaluate(program, ctx)


async def run_rest(host: ExecutionHost, impl: Any, ctx: dict[str, Any], call: CallContext, stage: Stage) -> Any:
    rest = impl.rest
    if rest is None:
        raise InternalError(f"{impl.file}: rest-api-mapping method has no compiled request")
    path_params = _evaluate_optional(host, rest.path_parameters, ctx)
    path = fill_path(rest.path or "", path_params, ctx, source=impl.file)
    query = _evaluate_optional(host, rest.query, ctx)
    headers = _evaluate_optional(host, rest.headers, ctx)
    data = _evaluate_optional(host, rest.data, ctx)
    response = await host.api_request(
        call,
        (rest.method or "GET").upper(),
        path,
        query=query,
        data=data,
        headers=headers,
        source=impl.file,
    )
    if rest.response is None:
        return response.get("data")
    return host.evaluate(rest.response, {**ctx, "response": response})


async def run_graphql(host: ExecutionHost, impl: Any, ctx: dict[str, Any], call: CallContext, stage: Stage) -> Any:
    gql = impl.graphql
    if gql is None:
        raise InternalError(f"{impl.file}: graphql-api-mapping method has no compiled query")
    variables = _evaluate_optional(host, gql.variables, ctx)
    body: dict[str, Any] = {"query": gql.query}
    if variables is not None:
        body["variables"] = variables
    path = getattr(gql, "path", None) or ""
    response = await host.api_request(call, "POST", path, data=body, source=impl.file)
    payload = response.get("data")
    if gql.response is not None:
        return host.evaluate(gql.response, {**ctx, "response": response})
    if isinstance(payload, Mapping):
        errors = payload.get("errors")
        if errors and payload.get("data") is None:
            first = errors[0] if isinstance(errors, list) and errors else errors
            message = first.get("message") if isinstance(first, Mapping) else str(first)
            raise BadRequestError(
                f"GraphQL request failed: {message}", key="bad_request", status=response.get("statusCode"), data={"errors": errors}
            )
        if "data" in payload:
            return payload["data"]
    return payload


async def run_operation_mapping(
    host: ExecutionHost, impl: Any, ctx: dict[str, Any], call: CallContext, stage: Stage
) -> Any:
    op = impl.operation
    if op is None:
        raise InternalError(f"{impl.file}: operation-mapping method has no compiled mapping")
    op_input = _evaluate_optional(host, op.input, ctx)
    output = await host.run_operation(op.operation_key, op_input if op_input is not None else {}, call)
    if op.output is None:
        return output
    return host.evaluate(op.output, {**ctx, "output": output, "response": output})


async def run_not_supported(
    host: ExecutionHost, impl: Any, ctx: dict[str, Any], call: CallContext, stage: Stage
) -> Any:
    raise NotSupportedError(f"{impl.file or impl.key}: method {impl.key!r} is not supported by this connector")


EXECUTORS: dict[str, Executor] = {
    "javascript": run_javascript,
    "mapping": run_mapping,
    "rest-api-mapping": run_rest,
    "graphql-api-mapping": run_graphql,
    "operation-mapping": run_operation_mapping,
    "not-supported": run_not_supported,
}


def executor_for(kind: str) -> Executor:
    """The executor of an implementation type; unknown types are a bug in the loader."""
    try:
        return EXECUTORS[kind]
    except KeyError:
        raise InternalError(f"no executor for implementation type {kind!r}") from None
