"""The compiler: a YAML value in, one closure tree out (`compile_mapping` -> `Program`).

A value compiles to either a `Const` (no formula anywhere inside) or a closure
`fn(variables, ctx) -> value | UNDEFINED`. Objects and lists whose members are all constant are
constant themselves, so a mapping without formulas costs one copy per evaluation.

Why the closures take `ctx`: host resolvers are given per evaluation, and the legacy `$iterate`
form reads the current element through `$current`, which needs per-evaluation state; passing one
small object down is cheaper than thread-locals and keeps compiled programs shareable between
threads.

Constants and mutation: every evaluation returns fresh containers (constant containers are
copied by a copier built at compile time), so a caller may mutate what `evaluate` returns
without corrupting the program. Values read from the variables (`$var: record`) are returned as
they are, like the JS engine does: they belong to the caller already.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from runtime._errors import FormulaError
from runtime._formulas._undefined import UNDEFINED

__all__ = [
    "Compiler",
    "Const",
    "Ctx",
    "EvalFn",
    "FormulaSpec",
    "Program",
    "Resolvers",
    "compile_mapping",
    "format_path",
]

EvalFn = Callable[[Any, "Ctx"], Any]
PathSeg = str | int
Path = tuple[PathSeg, ...]


@dataclass(frozen=True, slots=True)
class Resolvers:
    """Host callbacks for the formulas that need the host; each is `(args) -> value`.

    `args` is the formula's argument with its own formulas evaluated. A formula whose resolver
    is missing fails with a FormulaError naming the formula (except `$record`, whose engine
    behaviour without a host is to return the literal record's `id`).
    """

    lookup: Callable[[Any], Any] | None = None
    record: Callable[[Any], Any] | None = None
    find_external_record_id: Callable[[Any], Any] | None = None
    find_app_record_id: Callable[[Any], Any] | None = None
    data_schema_ref: Callable[[Any], Any] | None = None


class Ctx:
    """Per-evaluation state: resolvers and the indexes of enclosing legacy `$iterate`s."""

    __slots__ = ("resolvers", "current")

    def __init__(self, resolvers: Resolvers | None) -> None:
        self.resolvers = resolvers
        self.current: list[int] = []


class Const:
    """A compiled value without formulas."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


Node = Const | EvalFn


def format_path(path: Path) -> str:
    """`('fields', 'owner', '$case', 'cases', 1, 'filter')` -> `fields.owner.$case.cases[1].filter`."""
    out: list[str] = []
    for seg in path:
        if isinstance(seg, int):
            out.append(f"[{seg}]")
        else:
            out.append(("." if out else "") + str(seg))
    return "".join(out) or "$"


def copier(value: Any) -> Callable[[], Any]:
    """A function returning a fresh deep copy of a JSON constant (scalars are shared)."""
    if isinstance(value, dict):
        if not any(isinstance(v, (dict, list)) for v in value.values()):
            return value.copy
        parts = [(k, copier(v)) for k, v in value.items()]
        return lambda: {k: f() for k, f in parts}
    if isinstance(value, list):
        if not any(isinstance(v, (dict, list)) for v in value):
            return value.copy
        items = [copier(v) for v in value]
        return lambda: [f() for f in items]
    return lambda: value


def const_fn(value: Any) -> EvalFn:
    """The closure form of a constant."""
    if isinstance(value, (dict, list)):
        make = copier(value)
        return lambda v, c: make()
    return lambda v, c: value


def to_fn(node: Node) -> EvalFn:
    return const_fn(node.value) if isinstance(node, Const) else node


def plain_constant(value: Any) -> Any:
    """A YAML value as JSON data: dates become ISO strings, tuples lists (YAML gives no others)."""
    if isinstance(value, dict):
        return {k: plain_constant(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_constant(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class FormulaSpec:
    """A formula: its name, what its argument may be, and its compile function.

    `arg_types` lists accepted shapes of the argument ('string', 'number', 'boolean', 'null',
    'list', 'mapping', 'formula', 'any'); `keys` the known keys when it is a mapping, with
    their own shapes and whether they are required; `operators` the sibling keys the formula
    reads (only `$eval`).
    """

    name: str
    compile: Callable[[Compiler, Any, dict[str, Any], Path], Node]
    arg_types: tuple[str, ...] = ("any",)
    keys: Mapping[str, tuple[tuple[str, ...], bool]] = field(default_factory=dict)
    operators: frozenset[str] = frozenset()
    doc: str = ""


def shape_of(value: Any, formulas: Mapping[str, FormulaSpec]) -> str:
    if isinstance(value, dict):
        if value and isinstance(next(iter(value)), str) and next(iter(value)) in formulas:
            return "formula"
        return "mapping"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return "string"


class Compiler:
    """Compiles one mapping; holds the source name and the lexical state of the walk."""

    def __init__(self, source: str, formulas: Mapping[str, FormulaSpec]) -> None:
        self.source = source
        self.formulas = formulas
        # steps of the enclosing legacy `$iterate {locator, items}` (innermost last)
        self.legacy_iterates: list[tuple[Any, ...]] = []
        self.uses_copy = False

    # --- errors -------------------------------------------------------------------------
    def where(self, path: Path) -> str:
        return f"{self.source}: {format_path(path)}"

    def error(self, path: Path, problem: str) -> FormulaError:
        return FormulaError(f"{self.where(path)}: {problem}", data={"file": self.source, "path": format_path(path)})

    # --- compiling ------------------------------------------------------------------------
    def is_formula(self, value: Any) -> bool:
        if type(value) is dict and value:
            first = next(iter(value))
            return isinstance(first, str) and first in self.formulas
        return False

    def node(self, value: Any, path: Path) -> Node:
        """Compile any YAML value."""
        if isinstance(value, dict):
            if value:
                first = next(iter(value))
                if isinstance(first, str) and first in self.formulas:
                    return self.formula(value, first, path)
                return self._object(value, path)
            return Const({})
        if isinstance(value, (list, tuple)):
            if not value:
                return Const([])
            return self._list(value, path)
        return Const(plain_constant(value))

    def fn(self, value: Any, path: Path) -> EvalFn:
        return to_fn(self.node(value, path))

    def formula(self, value: dict[str, Any], name: str, path: Path) -> Node:
        spec = self.formulas[name]
        args = value[name]
        arg_path = path + (name,)
        self.check_args(spec, args, arg_path)
        return spec.compile(self, args, value, arg_path)

    def check_args(self, spec: FormulaSpec, args: Any, path: Path) -> None:
        """Check the argument's shape against the formula's declared signature."""
        shape = shape_of(args, self.formulas)
        if "any" not in spec.arg_types and shape not in spec.arg_types:
            raise self.error(path, f"{spec.name} expects {_expected(spec.arg_types)}, got {_describe(shape)}")
        if shape == "mapping" and spec.keys:
            for key, (types, required) in spec.keys.items():
                if key not in args:
                    if required:
                        raise self.error(path, f"{spec.name} needs '{key}'")
                    continue
                sub = shape_of(args[key], self.formulas)
                if "any" not in types and sub not in types:
                    raise self.error(
                        path + (key,), f"{spec.name} expects '{key}' to be {_expected(types)}, got {_describe(sub)}"
                    )

    def _object(self, value: dict[Any, Any], path: Path) -> Node:
        entries: list[tuple[Any, Node]] = [(k, self.node(v, path + (str(k),))) for k, v in value.items()]
        if all(isinstance(n, Const) for _, n in entries):
            return Const({k: n.value for k, n in entries})  # type: ignore[union-attr]
        if sum(1 for _, n in entries if not isinstance(n, Const)) >= GENERATE_FROM:
            return generate_object_builder(entries)
        plan = tuple((k, to_fn(n)) for k, n in entries)

        def build_object(v: Any, c: Ctx) -> Any:
            out = {}
            for key, f in plan:
                x = f(v, c)
                if x is not UNDEFINED:
                    out[key] = x
            return out if out else UNDEFINED

        return build_object

    def _list(self, value: list[Any] | tuple[Any, ...], path: Path) -> Node:
        nodes = [self.node(v, path + (i,)) for i, v in enumerate(value)]
        if all(isinstance(n, Const) for n in nodes):
            return Const([n.value for n in nodes])  # type: ignore[union-attr]
        plan = tuple(to_fn(n) for n in nodes)

        def build_list(v: Any, c: Ctx) -> Any:
            out = []
            for f in plan:
                x = f(v, c)
                if x is not UNDEFINED:
                    out.append(x)
            return out if out else UNDEFINED

        return build_list


def _expected(types: tuple[str, ...]) -> str:
    names = [_describe(t) for t in types]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _describe(shape: str) -> str:
    return {
        "list": "a list",
        "mapping": "a mapping",
        "formula": "a formula",
        "string": "a string",
        "number": "a number",
        "boolean": "a boolean",
        "null": "null",
    }.get(shape, shape)


#: objects with at least this many computed members get a generated builder (small ones loop)
GENERATE_FROM = 2


@functools.lru_cache(maxsize=1024)
def _compile_source(source: str) -> Any:
    """Objects of the same shape share one code object (only the constants differ)."""
    return compile(source, "<formula object builder>", "exec")


def generate_object_builder(entries: list[tuple[Any, Node]]) -> EvalFn:
    """One generated function that builds an object: the hot path of every record mapping.

    Members that are `$var`s of plain key paths are inlined, and the path prefixes they share
    are looked up once (`$.record.properties.a`, `$.record.properties.b`, ... read
    `record.properties` once), which is what a hand-written transform does. Other members are
    called as closures; constants are stored or copied. Keys whose value is undefined are
    dropped and an object that ends up empty is undefined (engine semantics, unchanged).
    The source is generated from the mapping's structure only: keys and path names are passed
    in as constants, never spliced into the code.
    """
    from runtime._formulas._js import loose_equal, prop_object, to_string

    env: dict[str, Any] = {"U": UNDEFINED, "prop": prop_object, "loose_equal": loose_equal, "to_string": to_string}
    prefixes: dict[tuple[Any, ...], str] = {(): "v"}
    prelude: list[str] = []
    body: list[str] = []

    def const(value: Any) -> str:
        name = f"k{len(env)}"
        env[name] = value
        return name

    def prefix(path: tuple[Any, ...]) -> str:
        if path not in prefixes:
            parent = prefix(path[:-1])
            name = f"p{len(prefixes)}"
            key = const(path[-1])
            prelude.append(f"    {name} = {parent}.get({key}, U) if type({parent}) is dict else prop({parent}, {key})")
            prefixes[path] = name
        return prefixes[path]

    counter = [0]

    def temp() -> str:
        counter[0] += 1
        return f"t{counter[0]}"

    def emit(node: Any, target: str, indent: str, depth: int = 0) -> list[str]:
        """Lines that assign the node's value (or UNDEFINED) to `target`."""
        if isinstance(node, Const):
            if isinstance(node.value, (dict, list)):
                return [f"{indent}{target} = {const(copier(node.value))}()"]
            return [f"{indent}{target} = {const(node.value)}"]
        steps = getattr(node, "plain_path", None)
        if steps is not None and len(steps) > 0:
            parent = prefix(tuple(steps[:-1]))
            last = const(steps[-1])
            return [f"{indent}{target} = {parent}.get({last}, U) if type({parent}) is dict else prop({parent}, {last})"]
        if depth < 4:
            concat = getattr(node, "concat_parts", None)
            if concat is not None:
                return emit_concat(concat, target, indent, depth)
            eval_is = getattr(node, "eval_is", None)
            if eval_is is not None:
                value_node, constant, negate = eval_is
                t = temp()
                k = const(constant)
                op = "!=" if negate else "=="
                return [
                    *emit(value_node, t, indent, depth + 1),
                    f"{indent}{target} = ({t} {op} {k}) if type({t}) is str else "
                    f"({'not ' if negate else ''}loose_equal({t}, {k}))",
                ]
            case_plan = getattr(node, "case_plan", None)
            if case_plan is not None and len(case_plan[0]) <= 8:
                return emit_case(case_plan, target, indent, depth)
        return [f"{indent}{target} = {const(node)}(v, c)"]

    def emit_concat(concat: Any, target: str, indent: str, depth: int) -> list[str]:
        sep, items = concat
        parts, present = temp(), temp()
        lines = [f"{indent}{parts} = []", f"{indent}{present} = False"]
        for item in items:
            if isinstance(item, Const) and not isinstance(item.value, (dict, list)):
                if item.value is not None:
                    text = to_string(item.value)
                    if text:
                        lines.append(f"{indent}{parts}.append({const(text)})")
                lines.append(f"{indent}{present} = True")
                continue
            t = temp()
            lines += emit(item, t, indent, depth + 1)
            lines += [
                f"{indent}if {t} is not U:",
                f"{indent}    {present} = True",
                f"{indent}    if {t} is not None:",
                f"{indent}        {t} = {t} if type({t}) is str else to_string({t})",
                f"{indent}        if {t}: {parts}.append({t})",
            ]
        lines.append(f"{indent}{target} = {const(sep)}.join({parts}) if {present} else U")
        return lines

    def emit_case(case_plan: Any, target: str, indent: str, depth: int) -> list[str]:
        cases, default = case_plan
        lines: list[str] = []
        for test, value in cases:
            if test is None:
                lines += emit(value, target, indent, depth + 1)
                return lines
            t = temp()
            lines += emit(test, t, indent, depth + 1)
            lines.append(f"{indent}if {t}:")
            lines += emit(value, target, indent + "    ", depth + 1)
            lines.append(f"{indent}else:")
            indent += "    "
        if default is None:
            lines.append(f"{indent}{target} = U")
        else:
            lines += emit(default, target, indent, depth + 1)
            lines.append(f"{indent}if {target} is None: {target} = U")
        return lines

    for key, node in entries:
        k = const(key)
        if isinstance(node, Const):
            body += emit(node, f"out[{k}]", "    ")
            continue
        body += emit(node, "x", "    ")
        body.append(f"    if x is not U: out[{k}] = x")
    source = "\n".join(["def build_object(v, c):", *prelude, "    out = {}", *body, "    return out if out else U"])
    exec(_compile_source(source), env)  # noqa: S102 - generated from the mapping's structure only
    return env["build_object"]  # type: ignore[no-any-return]


class Program:
    """A compiled mapping. `evaluate` may be called any number of times, from any thread."""

    __slots__ = ("source", "is_constant", "_fn", "_post")

    def __init__(self, source: str, node: Node, post: Callable[[Any], Any] | None = None) -> None:
        self.source = source
        self.is_constant = isinstance(node, Const)
        self._fn = to_fn(node)
        self._post = post

    def evaluate(self, variables: Any, *, resolvers: Resolvers | None = None) -> Any:
        """The mapping's value for these variables; a top-level undefined becomes None.

        Raises FormulaError (naming the file and the path in the mapping) for errors the
        mapping causes at evaluation time, e.g. a host formula without a resolver.
        """
        result = self._fn(variables, Ctx(resolvers))
        if self._post is not None:
            result = self._post(result)
        return None if result is UNDEFINED else result

    def __repr__(self) -> str:
        return f"Program(source={self.source!r}, is_constant={self.is_constant})"


def compile_mapping(value: Any, *, source: str = "<mapping>") -> Program:
    """Compile a mapping (any YAML value) once; raises FormulaError naming source and path."""
    from runtime._formulas._builtins import FORMULAS, make_copy_post

    compiler = Compiler(source, FORMULAS)
    node = compiler.node(value, ())
    post = make_copy_post(compiler) if compiler.uses_copy else None
    return Program(source, node, post)
