"""Reading a connector directory: discovery, method resolution, compile-once, all problems.

One `_Builder` walks the directory once. Every mistake it meets becomes a `Problem` (file,
field, message) and the walk goes on, so `validate` reports everything at once; whatever
could be built is built (a bad method does not hide the others).

Method resolution (SPEC 1.1, 3.4, 6.4, 6.5), for a method `key` of an element:
1. the entry's `implementationType` (unknown type: a problem), `not-supported` needs no file;
2. inline `code:` (javascript) or `mapping:` (mapping types) in the spec;
3. `filePath` (relative to the element folder), its suffix checked against the type;
4. else files named `<kebab-key><suffix>` (also `<key><suffix>`) in the element's folders in
   order (auth option folder before `auth/`; a collection before its mixins). With a declared
   type, the first file of that type wins; a file of another type only is "suffix contradicts
   type"; with no declared type, the suffix decides (two different suffixes: ambiguous).
Methods named in SPEC for an element are also discovered from files without a spec entry.

Compiling: mapping values through `runtime._formulas.compile_mapping` (plus `lint_mapping`
warnings), REST/GraphQL/operation mappings part by part, JavaScript through
`sandbox.compile_module` (TypeScript transpiled first). Each file is compiled once even when
several elements or auth options share it.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from runtime._errors import ConnectorError, FormulaError, SpecError
from runtime._loader._impl import (
    GraphqlMapping,
    MethodImpl,
    OperationMapping,
    ResolvedAuth,
    ResolvedCollection,
    ResolvedCollectionEvent,
    ResolvedElement,
    RestMapping,
)
from runtime._loader._problems import Problem
from runtime._loader._typescript import TranspileError, source_lines, transpile_typescript
from runtime._paths import camel_case, kebab_case
from runtime._spec import (
    AUTH_METHOD_KEYS,
    AUTH_TYPES,
    COLLECTION_EVENT_STRATEGIES,
    COLLECTION_EVENT_TYPES,
    COLLECTION_METHOD_KEYS,
    EVENT_IMPLEMENTATION_TYPES,
    EVENT_METHOD_KEYS,
    GLOBAL_WEBHOOK_METHOD_KEYS,
    IMPLEMENTATION_TYPES,
    OPERATION_METHOD_KEYS,
    AuthSpec,
    CollectionSpec,
    ConnectorSpec,
    EventSpec,
    GlobalWebhookSpec,
    OperationSpec,
)

__all__ = ["Built", "build_connector"]

#: File suffixes per implementation type; the first is the canonical one (used in messages).
SUFFIXES: dict[str, tuple[str, ...]] = {
    "javascript": (".js", ".ts", ".mjs", ".cjs"),
    "mapping": (".map.yml", ".map.yaml", ".yml", ".yaml"),
    "rest-api-mapping": (".rest.yml", ".api.yml", ".rest.yaml", ".api.yaml"),
    "graphql-api-mapping": (".graphql.yml", ".graphql.yaml"),
    "operation-mapping": (".op.yml", ".op.yaml"),
}
#: (suffix, type) longest first, so `list.rest.yml` is rest and not a plain `.yml` mapping.
_SUFFIX_TYPES: tuple[tuple[str, str], ...] = tuple(
    sorted(((s, t) for t, ss in SUFFIXES.items() for s in ss), key=lambda st: -len(st[0]))
)
_HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_PYDANTIC_MESSAGES = {
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "missing": "is required",
}
_INVALID = object()
#: libyaml's safe loader when pyyaml was built with it (about 10x faster), else the Python one.
_YAML_LOADER: Any = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)  # a file that exists but could not be read/parsed (problem already recorded)


def suffix_type(name: str) -> tuple[str, str] | None:
    """(suffix, implementationType) that a file name ends with, longest suffix first."""
    for suffix, kind in _SUFFIX_TYPES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return suffix, kind
    return None


class _Where:
    """Where a spec's fields live: the file, and a prefix for inline elements (`data.deals.`)."""

    __slots__ = ("file", "prefix")

    def __init__(self, file: str, prefix: str = "") -> None:
        self.file = file
        self.prefix = prefix

    def field(self, name: str | None) -> str | None:
        if not name:
            return self.prefix.rstrip(".") or None
        return self.prefix + name


class Built:
    """What one build produced: the pieces of a LoadedConnector, and every problem."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.spec: ConnectorSpec | None = None
        self.auth: ResolvedAuth | None = None
        self.auth_options: dict[str, ResolvedAuth] = {}
        self.collections: dict[str, ResolvedCollection] = {}
        self.operations: dict[str, ResolvedElement] = {}
        self.events: dict[str, ResolvedElement] = {}
        self.global_webhooks: dict[str, ResolvedElement] = {}
        #: for each TypeScript file, the `.ts` line of each line of its transpiled JavaScript
        self.source_lines: dict[str, tuple[int, ...]] = {}


def build_connector(root: Path, *, cache_dir: str | os.PathLike[str] | None = None) -> Built:
    """Walk `root` once and return what could be built plus every problem found."""
    return _Builder(root, cache_dir).build()


class _Builder:
    def __init__(self, root: Path, cache_dir: str | os.PathLike[str] | None) -> None:
        self.root = root
        self.cache_dir = cache_dir
        self.out = Built()
        self._listings: dict[str, tuple[list[str], list[str]]] = {}
        self._yaml: dict[str, Any] = {}
        self._compiled: dict[tuple[str, str, bool, bool], MethodImpl | None] = {}
        self._failed: set[tuple[str, str, str]] = set()  # (file, field prefix, method key) that did not resolve
        self._formulas: Any = None
        self._sandbox: Any = None

    # ------------------------------------------------------------------ problems
    def error(self, file: str, field: str | None, message: str, *, line: int | None = None) -> None:
        self.out.problems.append(Problem(file, field, message, "error", line))

    def warn(self, file: str, field: str | None, message: str, *, line: int | None = None) -> None:
        self.out.problems.append(Problem(file, field, message, "warning", line))

    # ------------------------------------------------------------------ files
    def _abs(self, rel: str) -> Path:
        return self.root.joinpath(*rel.split("/")) if rel else self.root

    def listing(self, rel_dir: str) -> tuple[list[str], list[str]]:
        """(files, folders) directly inside `rel_dir`, sorted; empty when it is not a folder."""
        cached = self._listings.get(rel_dir)
        if cached is None:
            files: list[str] = []
            dirs: list[str] = []
            try:
                for entry in sorted(os.scandir(self._abs(rel_dir)), key=lambda e: e.name):
                    if entry.name.startswith("."):
                        continue
                    (dirs if entry.is_dir() else files).append(entry.name)
            except OSError:
                pass
            cached = self._listings[rel_dir] = (files, dirs)
        return cached

    def is_file(self, rel: str) -> bool:
        folder, _, name = rel.rpartition("/")
        return name in self.listing(folder)[0]

    def is_dir(self, rel: str) -> bool:
        folder, _, name = rel.rpartition("/")
        return name in self.listing(folder)[1]

    def read_text(self, rel: str) -> str | None:
        path = self._abs(rel)
        try:
            inside = path.resolve().is_relative_to(self.root.resolve())
        except (OSError, RuntimeError):  # a symlink loop
            inside = False
        if not inside:  # a symlink must not smuggle a host file into a mapping's output
            self.error(rel, None, "is a link to a file outside the connector directory")
            return None
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.error(rel, None, "file is not UTF-8 text")
        except OSError as exc:
            self.error(rel, None, f"cannot read file: {exc.strerror or exc}")
        return None

    def load_yaml(self, rel: str) -> Any:
        """Parsed YAML of `rel` (None for an empty file); `_INVALID` after a recorded problem."""
        if rel in self._yaml:
            return self._yaml[rel]
        text = self.read_text(rel)
        value: Any = _INVALID
        if text is not None:
            try:
                value = yaml.load(text, Loader=_YAML_LOADER)
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark or exc.context_mark
                what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
                self.error(rel, None, f"invalid YAML: {what or 'syntax error'}", line=mark.line + 1 if mark else None)
            except yaml.YAMLError as exc:
                self.error(rel, None, f"invalid YAML: {exc}")
            else:
                problem = _yaml_shape_problem(value)
                if problem is not None:
                    self.error(rel, None, problem)
                    value = _INVALID
        self._yaml[rel] = value
        return value

    # ------------------------------------------------------------------ models
    def model(self, cls: type[BaseModel], raw: Any, where: _Where, *, what: str = "spec") -> Any:
        """Validate `raw` into `cls`, recording every error, then retry without the bad fields."""
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            self.error(where.file, where.field(None), f"{what} must be an object (a YAML mapping)")
            return cls.model_validate({})
        data = copy.deepcopy(raw)
        for attempt in range(8):
            try:
                return cls.model_validate(data)
            except ValidationError as exc:
                seen: set[str] = set()
                for err in exc.errors(include_url=False, include_input=False):
                    loc = _navigable(data, err["loc"])
                    field = ".".join(str(p) for p in loc)
                    if attempt == 0 and field not in seen:
                        seen.add(field)
                        message = _PYDANTIC_MESSAGES.get(err["type"], err["msg"])
                        self.error(where.file, where.field(field), message)
                    _drop(data, loc)
        return cls.model_validate({})

    # ------------------------------------------------------------------ toolchain (lazy)
    def formulas(self) -> Any:
        if self._formulas is None:
            import runtime._formulas as formulas

            self._formulas = formulas
        return self._formulas

    def sandbox(self) -> Any:
        if self._sandbox is None:
            import sandbox

            self._sandbox = sandbox
        return self._sandbox

    def program(self, value: Any, file: str, field: str | None) -> Any:
        """Compile a mapping value; None (and a problem) when it does not compile."""
        formulas = self.formulas()
        source = f"{file}: {field}" if field else file
        try:
            program = formulas.compile_mapping(value, source=source)
        except FormulaError as exc:
            # the engine says `<source>: <path>: <problem>` and gives the path in `data`
            data = exc.data if isinstance(exc.data, dict) else {}
            path = data.get("path") if isinstance(data.get("path"), str) else None
            message = _strip_where(exc.message, source, file)
            if path and path != "$":
                message = _strip_where(message, path)
                field = _join(field, path) if not path.startswith("[") else f"{field or ''}{path}"
            self.error(file, field, message)
            return None
        except ConnectorError as exc:
            self.error(file, field, exc.message)
            return None
        try:
            for warning in formulas.lint_mapping(value, source=source):
                # `<source>: <path>: <message>`: the path goes into the field
                text = _strip_where(str(warning), source, file)
                path, sep, rest = text.partition(": ")
                if sep and path and " " not in path:
                    self.warn(file, _join(field, path), rest)
                else:
                    self.warn(file, field, text)
        except Exception as exc:  # a lint bug must not hide the mapping's real problems
            self.warn(file, field, f"could not lint mapping: {type(exc).__name__}")
        return program

    def js_module(self, source: str, filename: str, *, typescript: bool, inline_field: str | None = None) -> Any:
        """Syntax-check and prepare a JS module; None (and a problem naming file and line)."""
        if typescript:
            try:
                js = transpile_typescript(source, filename, cache_dir=self.cache_dir)
            except TranspileError as exc:
                self.error(filename, inline_field, exc.message, line=exc.line)
                return None
            self.out.source_lines[filename] = source_lines(source, js)
            source = js
        sandbox = self.sandbox()
        try:
            return sandbox.compile_module(source, filename)
        except sandbox.SandboxError as exc:
            line = getattr(exc, "line", None)
            line = line if isinstance(line, int) and line > 0 else None
            message = getattr(exc, "problem", None) or _strip_where(str(exc), filename)
            if isinstance(exc, sandbox.JSSyntaxError) and not message.lower().startswith("syntax"):
                message = f"SyntaxError: {message}"
            if typescript:
                message += " (in the JavaScript transpiled from this file)"
            if inline_field is not None and line is not None:
                message += f" (line {line} of the inline code)"
                line = None
            self.error(filename, inline_field, message, line=line)
            return None

    # ------------------------------------------------------------------ build
    def build(self) -> Built:
        out = self.out
        if not self.root.is_dir():
            self.error(str(self.root), None, "not a connector directory (no such folder)")
            return out
        if not self.is_file("spec.yml"):
            self.error("spec.yml", None, "file not found: a connector directory needs a spec.yml")
            raw: Any = {}
        else:
            raw = self.load_yaml("spec.yml")
            if raw is _INVALID:
                raw = {}
        spec = out.spec = self.model(ConnectorSpec, raw, _Where("spec.yml"))
        self.build_auth(spec)
        self.build_collections(spec)
        self.build_elements("operations", spec.operations, OperationSpec, out.operations)
        self.build_elements("events", spec.events, EventSpec, out.events)
        self.build_elements("global-webhooks", spec.global_webhooks, GlobalWebhookSpec, out.global_webhooks)
        self.check_operation_keys()
        return out

    # ------------------------------------------------------------------ auth
    def build_auth(self, spec: ConnectorSpec) -> None:
        auth = spec.auth
        if auth is None:
            if not any(p.file == "spec.yml" and p.field == "auth" for p in self.out.problems):
                self.error("spec.yml", "auth", "is required: every connector declares how it authenticates")
            return
        where = _Where("spec.yml", "auth.")
        self.check_auth_type(auth.type, where, required=not auth.options)
        common = self.resolve_methods(where, auth.method_entries(), AUTH_METHOD_KEYS, ["auth"])
        common_raw = auth.model_dump(by_alias=True, exclude_none=True, exclude={"options"})
        self.out.auth = ResolvedAuth(
            type=auth.type,
            title=auth.title,
            ui_schema=auth.connection_input_schema(),
            option_key=None,
            methods=common,
            raw=common_raw,
        )
        if not auth.options or auth.type is not None:
            self.check_auth_methods(auth.type, common, where)
        for key, option in (auth.options or {}).items():
            owhere = _Where("spec.yml", f"auth.options.{key}.")
            self.check_auth_type(option.type, owhere, required=auth.type is None)
            methods = self.option_methods(key, owhere, auth, option, common)
            merged_raw = {**common_raw, **option.model_dump(by_alias=True, exclude_none=True)}
            auth_type = option.type or auth.type
            self.check_auth_methods(auth_type, methods, owhere)
            ui_schema = option.connection_input_schema()
            self.out.auth_options[key] = ResolvedAuth(
                type=auth_type,
                title=option.title or auth.title,
                ui_schema=ui_schema if ui_schema is not None else auth.connection_input_schema(),
                option_key=key,
                methods=methods,
                raw=merged_raw,
            )

    def option_methods(
        self, key: str, where: _Where, auth: AuthSpec, option: AuthSpec, common: Mapping[str, MethodImpl]
    ) -> dict[str, MethodImpl]:
        """An option's methods (SPEC 3.4): the option's entries and `auth/<key>/` files win.

        A method the option declares is looked up in `auth/<key>/` then `auth/`; one it does
        not declare but has a file for in `auth/<key>/` takes that file (type from its
        suffix); anything else is the common method, compiled once and shared.
        """
        own = option.method_entries()
        folder = f"auth/{key}"
        methods: dict[str, MethodImpl] = {}
        for name in own:
            impl = self.resolve_method(
                where,
                where.field(name),
                name,
                own[name],
                [folder, "auth"],
                _basenames(name, ("",)),
                rest_test=name == "test",
            )
            if impl is not None:
                methods[name] = impl
        for name in AUTH_METHOD_KEYS:
            if name in own:
                continue
            if self.find_files([folder], _basenames(name, ("",))):
                impl = self.resolve_method(
                    where, where.field(name), name, None, [folder], _basenames(name, ("",)), rest_test=name == "test"
                )
                if impl is not None:
                    methods[name] = impl
            elif name in common:
                methods[name] = common[name]
        return methods

    def check_auth_type(self, auth_type: str | None, where: _Where, *, required: bool) -> None:
        if auth_type is None:
            if required:
                self.error(where.file, where.field("type"), f"is required (one of: {', '.join(AUTH_TYPES)})")
        elif auth_type not in AUTH_TYPES:
            self.error(
                where.file,
                where.field("type"),
                f"unknown auth type {auth_type!r} (expected one of: {', '.join(AUTH_TYPES)})",
            )

    def check_auth_methods(self, auth_type: str | None, methods: Mapping[str, MethodImpl], where: _Where) -> None:
        failed = (where.file, where.prefix, "makeApiClient") in self._failed
        if auth_type != "proxy" and "makeApiClient" not in methods and not failed:
            self.error(
                where.file,
                where.field("makeApiClient"),
                "required method is missing: declare it and add auth/make-api-client.map.yml (or .js)",
            )
        if auth_type in ("oauth2", "oauth1") and "getOAuthConfig" not in methods:
            self.error(
                where.file,
                where.field("getOAuthConfig"),
                f"required for {auth_type}: add auth/get-oauth-config.map.yml (or .js)",
            )

    # ------------------------------------------------------------------ elements in general
    def discover(self, kind_dir: str, inline: Any) -> dict[str, tuple[_Where, Any]]:
        """Elements of one kind: inline entries of spec.yml merged with `<kind_dir>/<key>/spec.yml`."""
        found: dict[str, tuple[_Where, Any]] = {}
        inline_key = camel_case(kind_dir)
        items: list[tuple[str, Any]] = []
        if isinstance(inline, dict):
            items = list(inline.items())
        elif isinstance(inline, list):
            for i, item in enumerate(inline):
                if isinstance(item, str):
                    items.append((item, None))
                elif isinstance(item, dict) and isinstance(item.get("key"), str):
                    items.append((item["key"], {k: v for k, v in item.items() if k != "key"}))
                else:
                    self.error("spec.yml", f"{inline_key}[{i}]", "must be a key or an object with a key")
        for key, value in items:
            if value is not None and not isinstance(value, dict):
                self.error("spec.yml", f"{inline_key}.{key}", "must be an object")
                value = None
            found[str(key)] = (_Where("spec.yml", f"{inline_key}.{key}."), value or {})
        _, folders = self.listing(kind_dir)
        for name in folders:
            if name.startswith("_"):
                continue  # a mixin (SPEC 6.5), not an element of its own
            rel = f"{kind_dir}/{name}/spec.yml"
            inline_raw: dict[str, Any] = found[name][1] if name in found else {}
            if self.is_file(rel):
                raw = self.load_yaml(rel)
                if raw is _INVALID:
                    raw = {}
                if raw is not None and not isinstance(raw, dict):
                    self.error(rel, None, "spec must be an object (a YAML mapping)")
                    raw = {}
                found[name] = (_Where(rel), {**inline_raw, **(raw or {})})
            elif name not in found:
                self.warn(f"{kind_dir}/{name}", None, "folder has no spec.yml; only methods found in files are used")
                found[name] = (_Where(rel), {})
        return found

    def build_elements(
        self, kind_dir: str, inline: Any, cls: type[BaseModel], into: dict[str, ResolvedElement]
    ) -> None:
        for key, (where, raw) in self.discover(kind_dir, inline).items():
            spec = self.model(cls, raw, where)
            dirs = [f"{kind_dir}/{key}"]
            if isinstance(spec, OperationSpec):
                known: tuple[str, ...] = OPERATION_METHOD_KEYS
                required: tuple[str, ...] = OPERATION_METHOD_KEYS
            elif isinstance(spec, EventSpec):
                impl_type = spec.implementation_type or "webhook"
                if impl_type not in EVENT_IMPLEMENTATION_TYPES:
                    self.error(
                        where.file,
                        where.field("implementationType"),
                        f"unknown event type {impl_type!r} (expected one of: {', '.join(EVENT_IMPLEMENTATION_TYPES)})",
                    )
                    impl_type = "webhook"
                required, optional = EVENT_METHOD_KEYS[impl_type]
                known = required + optional
            else:
                known = required = GLOBAL_WEBHOOK_METHOD_KEYS
            methods = self.resolve_methods(
                where,
                spec.methods,
                known,
                dirs,
                required=required,
                what=kind_dir.rstrip("s"),
            )
            into[key] = ResolvedElement(key=key, spec=spec, methods=methods)

    # ------------------------------------------------------------------ collections
    def build_collections(self, spec: ConnectorSpec) -> None:
        for key, (where, raw) in self.discover("data", spec.data).items():
            own = self.model(CollectionSpec, raw, where)
            dirs = [f"data/{key}"]
            layers: list[dict[str, Any]] = [raw if isinstance(raw, dict) else {}]
            extends_parameters: list[Any] = []
            mixins: list[str] = []
            current, cur_where, cur_dir = own, where, f"data/{key}"
            visited = {cur_dir}
            while current.extends is not None:
                ext = current.extends
                if ext.parameters is not None:
                    program = self.program(ext.parameters, cur_where.file, cur_where.field("extends.parameters"))
                    if program is not None:
                        extends_parameters.append(program)
                target = self.find_mixin(ext.path, cur_dir)
                if target is None:
                    self.error(
                        cur_where.file,
                        cur_where.field("extends.path"),
                        f"mixin folder {ext.path!r} not found (looked for data/{ext.path.strip('/')}/)",
                    )
                    break
                if target in visited:
                    self.error(
                        cur_where.file, cur_where.field("extends.path"), f"mixin {ext.path!r} extends itself (a cycle)"
                    )
                    break
                visited.add(target)
                mixins.append(target)
                dirs.append(target)
                mraw: Any = {}
                mfile = f"{target}/spec.yml"
                if self.is_file(mfile):
                    mraw = self.load_yaml(mfile)
                    if mraw is _INVALID or mraw is None:
                        mraw = {}
                cur_where = _Where(mfile)
                current = self.model(CollectionSpec, mraw, cur_where)
                layers.append(mraw if isinstance(mraw, dict) else {})
                cur_dir = target
            merged = _merge_layers(layers)
            col = self.model(CollectionSpec, merged, where) if len(layers) > 1 else own
            # a method declared by a mixin is overridden by a file of a nearer folder (6.5)
            dirs_for: dict[str, tuple[Sequence[str], bool]] = {}
            for key_ in col.methods or {}:
                depth = next((i for i, layer in enumerate(layers) if key_ in (layer.get("methods") or {})), 0)
                nearer = dirs[:depth]
                if nearer and self.find_files(nearer, _basenames(key_, ("",))):
                    dirs_for[key_] = (nearer, False)  # the nearer file's suffix decides
                elif depth:
                    dirs_for[key_] = (dirs[depth:], True)
            methods = self.resolve_methods(where, col.methods, COLLECTION_METHOD_KEYS, dirs, dirs_for=dirs_for)
            fields_schema = col.fields_schema
            if fields_schema is None:
                fields_schema = self.schema_file(dirs, "fields-schema")
            events = self.collection_events(where, col, methods, dirs)
            self.out.collections[key] = ResolvedCollection(
                key=key,
                spec=col,
                methods=methods,
                parameters_schema=col.parameters_schema,
                fields_schema=fields_schema,
                events=events,
                extends_parameters=tuple(extends_parameters),
                mixins=tuple(mixins),
            )

    def find_mixin(self, path: str, from_dir: str) -> str | None:
        """Folder of a mixin named by `extends.path`: under data/, or relative to the element."""
        clean = path.strip().strip("/")
        candidates = []
        if clean.startswith("data/"):
            candidates.append(clean)
        candidates.append(f"data/{clean}")
        candidates.append(posixpath.normpath(posixpath.join(from_dir, clean)))
        for candidate in candidates:
            if not candidate.startswith("data/") or ".." in candidate.split("/"):
                continue
            if self.is_dir(candidate):
                return candidate
        return None

    def schema_file(self, dirs: Sequence[str], base: str) -> dict[str, Any] | None:
        """An older connector's `fields-schema.yml` beside the spec, when the spec has none."""
        for folder in dirs:
            for ext in (".yml", ".yaml"):
                rel = f"{folder}/{base}{ext}"
                if self.is_file(rel):
                    value = self.load_yaml(rel)
                    if isinstance(value, dict):
                        return value
                    if value is not _INVALID:
                        self.error(rel, None, "schema must be an object")
                    return None
        return None

    def collection_events(
        self, where: _Where, col: CollectionSpec, methods: Mapping[str, MethodImpl], dirs: Sequence[str]
    ) -> dict[str, ResolvedCollectionEvent]:
        declared = dict(col.events or {})
        shared = declared.pop("all", None)
        out: dict[str, ResolvedCollectionEvent] = {}
        for name in declared:
            if name not in COLLECTION_EVENT_TYPES:
                self.warn(
                    where.file,
                    where.field(f"events.{name}"),
                    f"unknown event type {name!r} (expected created, updated, deleted or all)",
                )
        for etype in COLLECTION_EVENT_TYPES:
            espec = declared.get(etype) or shared
            fname = f"events.{etype}" if etype in declared else "events.all"
            if espec is None:
                if "list" in methods:  # SPEC 6.4: full-scan is the default
                    out[etype] = ResolvedCollectionEvent(etype, "full-scan", {}, {})
                continue
            strategy = espec.strategy
            if strategy not in COLLECTION_EVENT_STRATEGIES:
                tfield = "method" if espec.implementation_type is None else "implementationType"
                self.error(
                    where.file,
                    where.field(f"{fname}.{tfield}"),
                    f"unknown event strategy {strategy!r} (expected one of: {', '.join(COLLECTION_EVENT_STRATEGIES)})",
                )
                continue
            required, optional = COLLECTION_EVENT_STRATEGIES[strategy]
            prefixes = [f"events-{etype}-{strategy}-", f"{etype}-{strategy}-", f"events-{strategy}-"]
            if strategy == "pull-latest-records":
                prefixes += [f"events-{etype}-", ""]
                if "pullLatestRecords" in methods or "list" in methods:
                    # the collection's own pullLatestRecords serves (else its list, walked whole)
                    required, optional = (), required
            emethods = self.resolve_methods(
                where,
                espec.methods,
                required + optional,
                dirs,
                prefixes=prefixes,
                field=f"{fname}.methods",
                required=required,
                what=f"{strategy} event",
            )
            if strategy == "full-scan" and "list" not in methods:
                self.error(where.file, where.field(fname), "full-scan events need the collection's list method")
            out[etype] = ResolvedCollectionEvent(
                etype, strategy, emethods, espec.model_dump(by_alias=True, exclude_none=True)
            )
        return out

    # ------------------------------------------------------------------ methods
    def resolve_methods(
        self,
        where: _Where,
        declared: Any,
        known: Sequence[str],
        dirs: Sequence[str],
        *,
        prefixes: Sequence[str] = ("",),
        field: str = "methods",
        required: Sequence[str] = (),
        what: str = "",
        dirs_for: Mapping[str, tuple[Sequence[str], bool]] | None = None,
    ) -> dict[str, MethodImpl]:
        """Resolve the declared methods plus the `known` ones found as files in `dirs`.

        A `required` method with neither an entry nor a file is a problem (one that exists
        but fails has had its own problem reported already).
        """
        entries: dict[str, Any] = dict(declared) if isinstance(declared, dict) else {}
        for key in known:
            if key not in entries and self.find_files(dirs, _basenames(key, prefixes)):
                entries[key] = None
        for key in required:
            if key not in entries and kebab_case(key) not in entries:
                self.error(
                    where.file,
                    where.field(f"{field}.{key}"),
                    f"required {what} method is missing: no entry and no file "
                    f"{dirs[0]}/{prefixes[0]}{kebab_case(key)}.js (or .map.yml, ...)",
                )
        out: dict[str, MethodImpl] = {}
        auth = where.prefix.startswith("auth.")
        for key, entry in entries.items():
            mfield = f"{key}" if auth else f"{field}.{key}"
            key_dirs = dirs
            if dirs_for and key in dirs_for:
                key_dirs, keep_entry = dirs_for[key]
                if not keep_entry:
                    entry = None
            impl = self.resolve_method(
                where,
                where.field(mfield),
                camel_case(key),
                entry,
                key_dirs,
                _basenames(key, prefixes),
                rest_test=auth and camel_case(key) == "test",
            )
            if impl is not None:
                out[camel_case(key)] = impl
        return out

    def find_files(self, dirs: Sequence[str], basenames: Sequence[str]) -> list[tuple[str, str, str, int]]:
        """Every (rel file, suffix, type, group) named `<basename><suffix>` in `dirs`.

        In search order: folders first, then base names (most specific first); `group` numbers
        each (folder, base name) pair, so only files of the first group compete.
        """
        found = []
        group = 0
        for folder in dirs:
            files = self.listing(folder)[0]
            for base in basenames:
                group += 1
                for name in files:
                    if not name.startswith(base):
                        continue
                    st = suffix_type(name)
                    if st is not None and name[: -len(st[0])] == base:
                        found.append((f"{folder}/{name}", st[0], st[1], group))
        return found

    def resolve_method(self, where: _Where, field: str | None, key: str, *args: Any, **kwargs: Any) -> MethodImpl | None:
        """`_resolve_method`, remembering failures: a required method that exists but is broken
        is reported once, not also as missing."""
        impl = self._resolve_method(where, field, key, *args, **kwargs)
        if impl is None:
            self._failed.add((where.file, where.prefix, key))
        return impl

    def _resolve_method(
        self,
        where: _Where,
        field: str | None,
        key: str,
        entry: Any,
        dirs: Sequence[str],
        basenames: Sequence[str],
        *,
        rest_test: bool = False,
    ) -> MethodImpl | None:
        file = where.file
        if entry is None or entry is True:
            entry = {}
        elif isinstance(entry, str):
            entry = {"implementationType": entry}
        elif not isinstance(entry, dict):
            self.error(file, field, "method entry must be an object like {implementationType: javascript}")
            return None
        declared = entry.get("implementationType")
        if declared is not None and declared not in IMPLEMENTATION_TYPES:
            shown = declared if isinstance(declared, str) else repr(declared)
            self.error(
                file,
                f"{field}.implementationType",
                f"unknown type {shown!r} (expected one of: {', '.join(IMPLEMENTATION_TYPES)})"
                if isinstance(declared, str)
                else f"must be a string, one of: {', '.join(IMPLEMENTATION_TYPES)}",
            )
            return None
        if declared == "not-supported":
            return MethodImpl(kind="not-supported", key=key, file=file)

        # inline implementation
        if "code" in entry:
            if declared not in (None, "javascript"):
                self.error(file, f"{field}.code", f"inline code is JavaScript, but implementationType is {declared!r}")
                return None
            code = entry["code"]
            if not isinstance(code, str):
                self.error(file, f"{field}.code", "must be a string of JavaScript")
                return None
            module = self.js_module(code, file, typescript=False, inline_field=f"{field}.code")
            return (
                None
                if module is None
                else MethodImpl(kind="javascript", key=key, file=file, js=module, source_kind="inline")
            )
        if "mapping" in entry:
            kind = declared or "mapping"
            if kind == "javascript":
                self.error(
                    file, f"{field}.mapping", "an inline mapping needs a mapping implementationType, not 'javascript'"
                )
                return None
            return self.compile_value(
                entry["mapping"], kind, key, file, f"{field}.mapping", rest_test=rest_test, inline=True
            )

        # explicit file
        file_path = entry.get("filePath")
        if file_path is not None:
            if not isinstance(file_path, str) or not file_path.strip():
                self.error(file, f"{field}.filePath", "must be a file path relative to the element folder")
                return None
            rel = posixpath.normpath(posixpath.join(dirs[0], file_path.strip()))
            if rel.startswith("../") or rel == ".." or posixpath.isabs(file_path):
                self.error(file, f"{field}.filePath", f"{file_path!r} points outside the connector")
                return None
            if not self.is_file(rel):
                self.error(file, f"{field}.filePath", f"file not found: {rel}")
                return None
            st = suffix_type(rel.rpartition("/")[2])
            kind = declared or (st[1] if st else None)
            if kind is None:
                self.error(
                    file, f"{field}.filePath", f"cannot tell the implementation type of {rel}: set implementationType"
                )
                return None
            plain_yaml = st is not None and st[0] in (".yml", ".yaml") and declared not in (None, "javascript")
            if declared and st and not plain_yaml and not _suffix_fits(st[1], declared, rest_test):
                self.error(
                    file,
                    f"{field}.filePath",
                    f"{rel} has a {st[1]} suffix ({st[0]}) but implementationType is {declared!r}",
                )
                return None
            return self.compile_file(rel, kind, key, rest_test=rest_test)

        # conventional file names
        candidates = self.find_files(dirs, basenames)
        if declared:
            fitting = [c for c in candidates if _suffix_fits(c[2], declared, rest_test)]
            if fitting:
                return self.compile_file(fitting[0][0], declared, key, rest_test=rest_test)
            if candidates:
                rel, suffix, other, _ = candidates[0]
                self.error(
                    file,
                    f"{field}.implementationType",
                    f"{rel} has a {other} suffix ({suffix}), contradicting implementationType {declared!r} "
                    f"(expected {posixpath.join(posixpath.dirname(rel), basenames[0])}{SUFFIXES[declared][0]})",
                )
                return None
            self.error(file, field, f"file not found: {dirs[0]}/{basenames[0]}{SUFFIXES[declared][0]}")
            return None
        if not candidates:
            self.error(
                file,
                field,
                f"no implementation: add {dirs[0]}/{basenames[0]}.js (or .map.yml, .rest.yml, ...) "
                "or set implementationType",
            )
            return None
        here = [c for c in candidates if c[3] == candidates[0][3]]
        kinds = sorted({c[2] for c in here})
        if len(kinds) > 1:
            self.error(
                file,
                field,
                f"ambiguous implementation: {', '.join(c[0] for c in here)}; set implementationType",
            )
            return None
        if len(here) > 1:
            self.warn(file, field, f"several files for one method: {', '.join(c[0] for c in here)}; using {here[0][0]}")
        return self.compile_file(here[0][0], kinds[0], key, rest_test=rest_test)

    def compile_file(self, rel: str, kind: str, key: str, *, rest_test: bool) -> MethodImpl | None:
        """Compile one implementation file once, however many elements or options use it."""
        cache_key = (rel, kind, rest_test, key == "makeApiClient")  # makeApiClient keeps its handlers apart
        if cache_key in self._compiled:
            cached = self._compiled[cache_key]
            if cached is None or cached.key == key:
                return cached
            return dataclasses.replace(cached, key=key)
        impl: MethodImpl | None
        if kind == "javascript":
            text = self.read_text(rel)
            impl = None
            if text is not None:
                typescript = rel.endswith(".ts")
                module = self.js_module(text, rel, typescript=typescript)
                if module is not None:
                    impl = MethodImpl(
                        kind="javascript",
                        key=key,
                        file=rel,
                        js=module,
                        source_kind="typescript" if typescript else None,
                    )
        else:
            value = self.load_yaml(rel)
            impl = None if value is _INVALID else self.compile_value(value, kind, key, rel, None, rest_test=rest_test)
        self._compiled[cache_key] = impl
        return impl

    def compile_value(
        self, value: Any, kind: str, key: str, file: str, field: str | None, *, rest_test: bool, inline: bool = False
    ) -> MethodImpl | None:
        """Compile a mapping-type implementation (`value` is the file's YAML or an inline mapping)."""
        source_kind = "inline" if inline else None
        if kind == "mapping" and rest_test and isinstance(value, dict) and "path" in value and "method" in value:
            kind = "rest-api-mapping"  # SPEC 3: a `test` mapping holding path+method is a REST call
        if kind == "mapping":
            handlers = None
            if key == "makeApiClient" and isinstance(value, dict) and value.get("responseHandlers") is not None:
                handlers = self.response_handlers(value["responseHandlers"], file, field)
                value = {k: v for k, v in value.items() if k != "responseHandlers"}
            program = self.program(value, file, field)
            if program is None or handlers is _INVALID:
                return None
            return MethodImpl(
                kind="mapping", key=key, file=file, program=program, source_kind=source_kind, response_handlers=handlers
            )
        if not isinstance(value, dict):
            self.error(file, field, f"a {kind} must be an object")
            return None
        # kind -> (the compiler of that kind's object, the MethodImpl field it fills)
        parsers = {
            "rest-api-mapping": (self.rest_mapping, "rest"),
            "graphql-api-mapping": (self.graphql_mapping, "graphql"),
            "operation-mapping": (self.operation_mapping, "operation"),
        }
        if kind in parsers:
            parse, slot = parsers[kind]
            parsed = parse(value, file, field)
            if parsed is None:
                return None
            return MethodImpl(kind=kind, key=key, file=file, source_kind=source_kind, **{slot: parsed})
        self.error(file, field, f"{kind} cannot be written as a mapping")
        return None

    def response_handlers(self, raw: Any, file: str, field: str | None) -> Any:
        """A mapping makeApiClient's `responseHandlers`, compiled now (they are evaluated per
        response with `response`, so they stay out of the method's program); `_INVALID` after
        recording problems."""
        from runtime._http import compile_response_handlers

        before = len(self.out.problems)
        where = _join(field, "responseHandlers")

        def compile(value: Any, *, source: str) -> Any:
            path = source.rpartition(": ")[2]  # `responseHandlers[0].match`
            program = self.program(value, file, _join(field, path))
            return _INVALID if program is None else program

        try:
            handlers = compile_response_handlers(raw, source=file, compile=compile)
        except SpecError as exc:
            self.error(file, _join(field, exc.field) if exc.field else where, exc.problem)
            return _INVALID
        if any(p.severity == "error" for p in self.out.problems[before:]):
            return _INVALID
        return handlers

    def _part(self, value: dict[str, Any], name: str, file: str, field: str | None) -> tuple[bool, Any]:
        """(ok, compiled Program or None when absent) for one mapping part of a request file."""
        if name not in value or value[name] is None:
            return True, None
        pfield = f"{field}.{name}" if field else name
        program = self.program(value[name], file, pfield)
        return program is not None, program

    def rest_mapping(self, value: dict[str, Any], file: str, field: str | None) -> RestMapping | None:
        ok = True
        path = value.get("path")
        if not isinstance(path, str) or not path:
            self.error(file, _join(field, "path"), "is required: the request path (a string, may hold {placeholders})")
            ok = False
        method = value.get("method", "GET")
        if not isinstance(method, str) or method.upper() not in _HTTP_METHODS:
            self.error(file, _join(field, "method"), f"must be one of {', '.join(_HTTP_METHODS)}")
            ok = False
        request = value.get("requestMapping")
        rfield: str | None = _join(field, "requestMapping")
        if request is None:  # older files put the request parts at the top level
            request = {k: value[k] for k in ("query", "headers", "data", "pathParameters") if k in value}
            rfield = field
        elif not isinstance(request, dict):
            self.error(file, rfield, "must be an object with query, headers, data, pathParameters")
            request = {}
            ok = False
        parts: dict[str, Any] = {}
        for name in ("query", "headers", "data", "pathParameters"):
            good, parts[name] = self._part(request, name, file, rfield)
            ok = ok and good
        good, response = self._part(value, "responseMapping", file, field)
        if not ok or not good:
            return None
        return RestMapping(
            path=str(path),
            method=str(method).upper(),
            query=parts["query"],
            headers=parts["headers"],
            data=parts["data"],
            path_parameters=parts["pathParameters"],
            response=response,
        )

    def graphql_mapping(self, value: dict[str, Any], file: str, field: str | None) -> GraphqlMapping | None:
        ok = True
        query = value.get("query")
        if not isinstance(query, str) or not query.strip():
            self.error(file, _join(field, "query"), "is required: the GraphQL query text")
            ok = False
        good_v, variables = self._part(value, "variables", file, field)
        good_r, response = self._part(value, "responseMapping", file, field)
        if not (ok and good_v and good_r):
            return None
        return GraphqlMapping(query=str(query), variables=variables, response=response)

    def operation_mapping(self, value: dict[str, Any], file: str, field: str | None) -> OperationMapping | None:
        ok = True
        op_key = value.get("operationKey")
        if not isinstance(op_key, str) or not op_key:
            self.error(file, _join(field, "operationKey"), "is required: the key of the operation to run")
            ok = False
        good_i, input_ = self._part(value, "inputMapping", file, field)
        good_o, output = self._part(value, "outputMapping", file, field)
        if not (ok and good_i and good_o):
            return None
        return OperationMapping(operation_key=str(op_key), input=input_, output=output)

    def check_operation_keys(self) -> None:
        """Operation mappings must name an operation this connector has."""
        out = self.out
        impls: list[MethodImpl] = []
        for auth in [out.auth, *out.auth_options.values()]:
            if auth is not None:
                impls.extend(auth.methods.values())
        for col in out.collections.values():
            impls.extend(col.methods.values())
            for ev in col.events.values():
                impls.extend(ev.methods.values())
        for group in (out.operations, out.events, out.global_webhooks):
            for element in group.values():
                impls.extend(element.methods.values())
        seen: set[str] = set()
        for impl in impls:
            if (
                impl.operation is not None
                and impl.operation.operation_key not in out.operations
                and impl.file not in seen
            ):
                seen.add(impl.file)
                self.error(
                    impl.file,
                    "operationKey",
                    f"unknown operation {impl.operation.operation_key!r} "
                    f"(no operations/{impl.operation.operation_key}/)",
                )


# ---------------------------------------------------------------------- helpers
#: Bounds on a parsed YAML file, aliases expanded: real specs and mappings stay far below;
#: beyond them are alias bombs (`&a [*a, *a, ...]` nested) and cycles, which would hang or
#: overflow the stack of everything that walks the value (compiler, pydantic, JSON output).
MAX_YAML_DEPTH = 200
MAX_YAML_VALUES = 1_000_000


class _YamlTooLarge(Exception):
    pass


def _yaml_shape_problem(value: Any) -> str | None:
    """Why `value` (fresh from the YAML parser) is unsafe to use, or None.

    Counts values as if every alias were expanded, memoised per node so the walk itself stays
    linear in the file's size: (expanded values, height) of each list and mapping.
    """
    seen: dict[int, tuple[int, int]] = {}

    def walk(node: Any, depth: int) -> tuple[int, int]:
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            return 1, 0
        known = seen.get(id(node))
        if known is not None:
            if depth + known[1] > MAX_YAML_DEPTH:
                raise _YamlTooLarge(f"nested more than {MAX_YAML_DEPTH} levels deep (or an alias refers to itself)")
            return known
        if depth >= MAX_YAML_DEPTH:
            raise _YamlTooLarge(f"nested more than {MAX_YAML_DEPTH} levels deep (or an alias refers to itself)")
        size, height = 1, 0
        for child in children:
            child_size, child_height = walk(child, depth + 1)
            size += child_size
            height = max(height, child_height + 1)
            if size > MAX_YAML_VALUES:
                raise _YamlTooLarge(f"expands to more than {MAX_YAML_VALUES} values (YAML aliases?)")
        seen[id(node)] = (size, height)
        return size, height

    try:
        walk(value, 0)
    except _YamlTooLarge as exc:
        return f"YAML too large: {exc}"
    return None


def _basenames(key: str, prefixes: Sequence[str]) -> list[str]:
    names = []
    for prefix in prefixes:
        for form in (kebab_case(key), key):
            name = prefix + form
            if name not in names:
                names.append(name)
    return names


def _suffix_fits(kind: str, declared: str, rest_test: bool) -> bool:
    """Does a file whose suffix means `kind` implement a method declared as `declared`?"""
    if kind == declared:
        return True
    # a plain `.yml` is only an alias of mapping, but SPEC 3 lets auth `test` be a REST mapping
    # declared as `mapping`: accept `.rest.yml` then too.
    return rest_test and declared == "mapping" and kind == "rest-api-mapping"


def _join(field: str | None, name: str) -> str:
    return f"{field}.{name}" if field else name


def _strip_where(message: str, *prefixes: str) -> str:
    """Drop a leading `file: field:` that the message repeats (the Problem already says it)."""
    for prefix in prefixes:
        if prefix and message.startswith(prefix):
            rest = message[len(prefix) :].lstrip(":").strip()
            if rest:
                return rest
    return message


_ABSENT = object()


def _child(node: Any, part: Any) -> Any:
    """`node[part]` when it exists in parsed YAML (dict key or list index), else `_ABSENT`."""
    if isinstance(node, dict) and part in node:
        return node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _ABSENT


def _navigable(data: Any, loc: Sequence[Any]) -> list[Any]:
    """The part of a pydantic error location that names real keys (union tags dropped).

    A missing required key is kept as the last part, so the problem names it.
    """
    out: list[Any] = []
    node = data
    for part in loc:
        child = _child(node, part)
        if child is _ABSENT:
            if isinstance(node, dict) and isinstance(part, str) and "[" not in part:
                out.append(part)
            break
        out.append(part)
        node = child
    return out


def _drop(data: Any, loc: Sequence[Any]) -> None:
    """Remove the deepest existing entry along `loc`, so validation can retry without it."""
    parent: Any = None
    last: Any = None
    node = data
    for part in loc:
        child = _child(node, part)
        if child is _ABSENT:
            break
        parent, last, node = node, part, child
    if parent is not None:
        parent.pop(last)


def _merge_layers(layers: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Collection over its mixins (nearest first): fields override, methods/events merge per key."""
    merged: dict[str, Any] = {}
    for layer in reversed(layers):
        for key, value in layer.items():
            if key == "extends":
                continue
            if key in ("methods", "events") and isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged
