"""JavaScript the runtime adds to every sandbox context (Sandbox(extensions=...)).

`api_client.js` defines the connector-facing `apiClient` and the call wrappers
(`__runtimeCallWithApiClient`, `__runtimeCall`); `axios.js` is the `axios` module. Both reach
Python only through host operations (`http`, `fetch`), so the sandbox wall stays JSON.

Every call gets a fresh JS context. `api_client.js` is compiled once, to bytecode, and
instantiated in each context (most methods use it). axios is a `sandbox.LazyModule`: its text
is handed to each context as a string (nearly free) and compiled only by the calls that
`require`/`import` it (compiling it costs ~1 ms with this engine).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from sandbox import LazyModule

__all__ = ["WRAPPER_PLAIN", "WRAPPER_WITH_API_CLIENT", "extensions"]

#: Global wrapper functions defined by api_client.js (see Sandbox.call(wrapper=...)).
WRAPPER_WITH_API_CLIENT = "__runtimeCallWithApiClient"
WRAPPER_PLAIN = "__runtimeCall"


@cache
def extensions() -> tuple[tuple[str, str] | LazyModule, ...]:
    """Extensions in load order (eager scripts and lazy modules); read once per process."""
    pkg = resources.files(__name__)
    read = lambda name: pkg.joinpath(name).read_text("utf-8")  # noqa: E731
    return (
        ("<runtime>/api_client.js", read("api_client.js")),
        LazyModule("<runtime>/axios.js", read("axios.js"), "axios"),
    )
