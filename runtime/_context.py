"""The context object every method receives (SPEC section 2), built as plain JSON data.

Why plain JSON: the same dict feeds the formula engine (mapping methods take it as their
variables) and crosses the sandbox wall unchanged (JS methods get a copy; `apiClient` is added
inside JS by the `__runtimeCallWithApiClient` wrapper, never as a Python object).

What is in it depends on the stage of the connection:

    stage          connectorParameters  connectionParameters  credentials  apiClient
    pre-connection        yes                  yes                 -           -
    connected             yes                  yes                yes      JS only

Method inputs (`cursor`, `id`, `fields`, ...) sit at the top level beside them; they can never
shadow the four reserved keys, so a connector cannot be fooled by an input named `credentials`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["RESERVED_KEYS", "build_context"]

RESERVED_KEYS = frozenset(
    {"connectorParameters", "connectionParameters", "connectionInput", "credentials", "apiClient", "parameters"}
)


def build_context(
    *,
    connector_parameters: Mapping[str, Any] | None,
    connection_parameters: Mapping[str, Any] | None,
    credentials: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
    inputs: Mapping[str, Any] | None = None,
    connected: bool = True,
) -> dict[str, Any]:
    """The SPEC §2 context for one method run.

    `connected=False` is for methods that run before a connection exists
    (getCredentialsFromConnectionParameters, getOAuthConfig, getTokenData,
    getCredentialsFromTokenResponse): they get no `credentials` key at all.
    `connectionInput` is the platform SDK's newer name for `connectionParameters`; both are
    offered so connectors written against either spelling work.
    """
    ctx: dict[str, Any] = {}
    if inputs:
        for key, value in inputs.items():
            if key not in RESERVED_KEYS:
                ctx[key] = value
    ctx["connectorParameters"] = dict(connector_parameters or {})
    conn_params = dict(connection_parameters or {})
    ctx["connectionParameters"] = conn_params
    ctx["connectionInput"] = conn_params
    if connected:
        ctx["credentials"] = dict(credentials or {})
    if parameters is not None:
        ctx["parameters"] = dict(parameters)
    elif inputs and isinstance(inputs.get("parameters"), Mapping):
        ctx["parameters"] = dict(inputs["parameters"])
    return ctx
