"""`load_connector` / `validate_connector` and the loaded, compiled connector.

A LoadedConnector is built once (`runtime.Connector.load` wraps it) and is read-only after:
its methods are compiled, so calling one does no parsing and no file I/O.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runtime._errors import NotSupportedError, SpecError
from runtime._loader._build import Built, build_connector
from runtime._loader._impl import (
    MethodImpl,
    ResolvedAuth,
    ResolvedCollection,
    ResolvedElement,
)
from runtime._loader._problems import ConnectorLoadError, Problem
from runtime._paths import kebab_case, parse_method_path
from runtime._spec import ConnectorSpec

__all__ = ["LoadedConnector", "load_connector", "validate_connector"]


class LoadedConnector:
    """A connector directory, parsed, resolved and compiled.

    `warnings` are the non-fatal problems found while loading (e.g. a `$`-key that looks like
    a misspelt formula); errors never reach here, they make `load_connector` raise.
    """

    def __init__(self, root: Path, built: Built) -> None:
        assert built.spec is not None
        self.root = root
        self.spec: ConnectorSpec = built.spec
        self.warnings: list[Problem] = [p for p in built.problems if p.severity == "warning"]
        self._auth = built.auth
        self.auth_options: Mapping[str, ResolvedAuth] = built.auth_options
        self.collections: Mapping[str, ResolvedCollection] = built.collections
        self.operations: Mapping[str, ResolvedElement] = built.operations
        self.events: Mapping[str, ResolvedElement] = built.events
        self.global_webhooks: Mapping[str, ResolvedElement] = built.global_webhooks
        #: TypeScript files: the `.ts` line of each line of the JavaScript that runs
        self.source_lines: Mapping[str, tuple[int, ...]] = built.source_lines

    def __repr__(self) -> str:
        return f"LoadedConnector(key={self.spec.key!r}, root={str(self.root)!r})"

    def auth(self, option_key: str | None = None) -> ResolvedAuth:
        """The auth in force for `option_key` (SPEC 3.4), or the common auth spec for None."""
        if option_key is None:
            if self._auth is None:  # load_connector refuses a connector without auth
                raise SpecError("spec.yml", "auth", "the connector declares no auth")
            return self._auth
        option = self.auth_options.get(option_key)
        if option is None:
            known = ", ".join(sorted(self.auth_options)) or "none"
            raise SpecError("spec.yml", f"auth.options.{option_key}", f"unknown auth option (options: {known})")
        return option

    def method(self, path: str, *, auth_option_key: str | None = None) -> MethodImpl:
        """The compiled method at `path` (`auth/test`, `data/contacts/find-by-id`, ...).

        Method names may be camelCase or kebab-case. An unknown element raises SpecError; an
        element without that method raises NotSupportedError (key `not_supported`). A method
        declared `not-supported` is returned (kind "not-supported"): the caller raises.
        """
        parsed = parse_method_path(path)
        if parsed.kind == "auth":
            methods: Mapping[str, MethodImpl] = self.auth(auth_option_key).methods
            where = "auth"
        else:
            group: Mapping[str, Any] = {
                "data": self.collections,
                "operations": self.operations,
                "events": self.events,
                "global-webhooks": self.global_webhooks,
            }[parsed.kind]
            element = group.get(parsed.element or "")
            if element is None:
                known = ", ".join(sorted(group)) or "none"
                raise SpecError(f"{parsed.kind}/{parsed.element}", None, f"no such element (known: {known})")
            methods = element.methods
            where = f"{parsed.kind}/{parsed.element}"
        impl = methods.get(parsed.method)
        if impl is None:
            raise NotSupportedError(
                f"{where}/{kebab_case(parsed.method)}: the connector does not implement this method",
                data={"method": f"{where}/{kebab_case(parsed.method)}"},
            )
        return impl

    def describe(self) -> dict[str, Any]:
        """JSON summary of the connector (what `connector-runtime inspect --json` prints)."""

        def methods(ms: Mapping[str, MethodImpl]) -> dict[str, Any]:
            return {k: v.describe() for k, v in ms.items()}

        def auth(a: ResolvedAuth) -> dict[str, Any]:
            return {
                "type": a.type,
                "title": a.title,
                "connectionInputSchema": a.ui_schema,
                "methods": methods(a.methods),
            }

        out: dict[str, Any] = {"key": self.spec.key, "name": self.spec.name, "root": str(self.root)}
        if self._auth is not None:
            out["auth"] = auth(self._auth)
            out["auth"]["options"] = {k: auth(v) for k, v in self.auth_options.items()}
        out["parametersSchema"] = self.spec.parameters_schema
        out["collections"] = {
            key: {
                "name": col.spec.name,
                "mixins": list(col.mixins),
                "parametersSchema": col.parameters_schema,
                "fields": _property_names(col.fields_schema),
                "methods": methods(col.methods),
                "events": {
                    t: {"implementationType": ev.implementation_type, "methods": methods(ev.methods)}
                    for t, ev in col.events.items()
                },
            }
            for key, col in self.collections.items()
        }
        out["operations"] = {
            key: {
                "name": op.spec.name,
                "description": op.spec.description,
                "inputSchema": op.spec.input_schema,
                "methods": methods(op.methods),
            }
            for key, op in self.operations.items()
        }
        out["events"] = {
            key: {
                "name": ev.spec.name,
                "implementationType": ev.spec.implementation_type or "webhook",
                "methods": methods(ev.methods),
            }
            for key, ev in self.events.items()
        }
        out["globalWebhooks"] = {
            key: {"name": gw.spec.name, "methods": methods(gw.methods)} for key, gw in self.global_webhooks.items()
        }
        return out


def _property_names(schema: Any) -> list[str]:
    """Top-level field names of a JSON schema (sorted); [] when it has none."""
    props = schema.get("properties") if isinstance(schema, dict) else None
    return sorted(props) if isinstance(props, dict) else []


def _root(path: str | os.PathLike[str]) -> Path:
    return Path(path).expanduser().resolve()


def load_connector(path: str | os.PathLike[str], *, cache_dir: str | os.PathLike[str] | None = None) -> LoadedConnector:
    """Load, resolve and compile the connector at `path`, or raise ConnectorLoadError.

    The error's `.problems` lists every problem found (errors first), not just the first.
    `cache_dir` (or the CONNECTOR_RUNTIME_CACHE_DIR environment variable) keeps transpiled
    TypeScript on disk between processes.
    """
    root = _root(path)
    built = build_connector(root, cache_dir=cache_dir)
    if any(p.severity == "error" for p in built.problems):
        raise ConnectorLoadError(built.problems)
    return LoadedConnector(root, built)


def validate_connector(
    path: str | os.PathLike[str], *, cache_dir: str | os.PathLike[str] | None = None
) -> list[Problem]:
    """Every problem of the connector at `path` (errors and warnings), in the order found."""
    return list(build_connector(_root(path), cache_dir=cache_dir).problems)
