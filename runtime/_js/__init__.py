"""JavaScript the runtime adds to every sandbox context (Sandbox(extensions=...)).

`api_client.js` defines the connector-facing `apiClient` and the call wrappers
(`__runtimeCallWithApiClient`, `__runtimeCall`); `axios.js` registers the `axios` module. Both
reach Python only through host operations (`http`, `fetch`), so the sandbox wall stays JSON.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["WRAPPER_PLAIN", "WRAPPER_WITH_API_CLIENT", "extensions"]

#: Global wrapper functions defined by api_client.js (see Sandbox.call(wrapper=...)).
WRAPPER_WITH_API_CLIENT = "__runtimeCallWithApiClient"
WRAPPER_PLAIN = "__runtimeCall"

_FILES = ("api_client.js", "axios.js")


@cache
def extensions() -> tuple[tuple[str, str], ...]:
    """(filename, source) pairs in load order; read once per process."""
    pkg = resources.files(__name__)
    return tuple((f"<runtime>/{name}", pkg.joinpath(name).read_text("utf-8")) for name in _FILES)
