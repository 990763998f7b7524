"""Loading connectors: discovery, method resolution, compile-once, validation.

lc = load_connector(path)            # raises ConnectorLoadError with every problem
lc.method("data/contacts/find-by-id")  # -> MethodImpl (compiled)
validate_connector(path)             # -> [Problem(file, field, message, severity)]
"""

from __future__ import annotations

from runtime._loader._connector import LoadedConnector, load_connector, validate_connector
from runtime._loader._impl import (
    GraphqlMapping,
    MethodImpl,
    MethodKind,
    OperationMapping,
    ResolvedAuth,
    ResolvedCollection,
    ResolvedCollectionEvent,
    ResolvedElement,
    RestMapping,
)
from runtime._loader._problems import ConnectorLoadError, Problem, Severity
from runtime._loader._typescript import TranspileError, clear_memory_cache, source_lines, transpile_typescript

__all__ = [
    "ConnectorLoadError",
    "GraphqlMapping",
    "LoadedConnector",
    "MethodImpl",
    "MethodKind",
    "OperationMapping",
    "Problem",
    "ResolvedAuth",
    "ResolvedCollection",
    "ResolvedCollectionEvent",
    "ResolvedElement",
    "RestMapping",
    "Severity",
    "TranspileError",
    "clear_memory_cache",
    "load_connector",
    "source_lines",
    "transpile_typescript",
    "validate_connector",
]
