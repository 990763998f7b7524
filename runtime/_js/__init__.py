"""JavaScript the runtime adds to every sandbox context (Sandbox(extensions=...)).

`api_client.js` defines the connector-facing `apiClient` and the call wrappers
(`__runtimeCallWithApiClient`, `__runtimeCall`); `axios.js` is the `axios` module. Both reach
Python only through host operations (`http`, `fetch`), so the sandbox wall stays JSON.

Every call gets a fresh JS context, which parses every extension again: parsing is the cost
(measured ~2 ms for axios.js on a loaded 2-core box, most calls never use axios). So axios is
shipped as a *string* (lexing a literal is nearly free) and evaluated on first `require`, by
`lazy_modules.js`.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

__all__ = ["WRAPPER_PLAIN", "WRAPPER_WITH_API_CLIENT", "extensions"]

#: Global wrapper functions defined by api_client.js (see Sandbox.call(wrapper=...)).
WRAPPER_WITH_API_CLIENT = "__runtimeCallWithApiClient"
WRAPPER_PLAIN = "__runtimeCall"

#: Modules evaluated on first require: module name -> file holding one expression (its exports).
_LAZY_MODULES = {"axios": "axios.js"}


@cache
def extensions() -> tuple[tuple[str, str], ...]:
    """(filename, source) pairs in load order; read once per process."""
    pkg = resources.files(__name__)
    read = lambda name: pkg.joinpath(name).read_text("utf-8")  # noqa: E731
    lazy = {module: read(file) for module, file in _LAZY_MODULES.items()}
    loader = read("lazy_modules.js").replace("__LAZY_SOURCES", json.dumps(lazy))
    return (("<runtime>/api_client.js", read("api_client.js")), ("<runtime>/lazy_modules.js", loader))
