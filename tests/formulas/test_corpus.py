"""The real-world corpus (../shared/corpus/unified-api-example): every formula compiles and runs.

Each YAML file is compiled whole (a mapping is any YAML value, so the whole export must
compile), then every top-most formula in it (`importValue.name: {$var: ...}`, a `$case`, an
`$iterate`, ...) is compiled on its own and evaluated against three generated inputs:
empty variables, variables filled along every locator the formula reads (lists of two
elements under `$iterate` sources), and the same with nulls at the leaves. Host formulas get
stub resolvers. Nothing may raise. The counts are printed (run with -s) and asserted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from runtime._formulas import FORMULA_NAMES, Resolvers, compile_mapping
from runtime._formulas._locator import INDEX, PROP, parse_locator
from tests.conftest import shared_path

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster over 2,494 files
STUBS = Resolvers(
    lookup=lambda args: {"lookedUp": args},
    record=lambda args: "record-id",
    find_external_record_id=lambda args: "external-id",
    find_app_record_id=lambda args: "app-id",
    data_schema_ref=lambda args: {"type": "object"},
)


def _is_formula(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and next(iter(value)) in FORMULA_NAMES


def top_formulas(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every formula not nested inside another formula, with its path."""
    if _is_formula(value):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from top_formulas(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from top_formulas(item, f"{path}[{i}]")


def count_formulas(value: Any) -> int:
    """Formula objects anywhere (nested ones included)."""
    own = 1 if _is_formula(value) else 0
    if isinstance(value, dict):
        return own + sum(count_formulas(v) for v in value.values())
    if isinstance(value, list):
        return own + sum(count_formulas(v) for v in value)
    return own


def _locators(value: Any, scope: str, out: list[tuple[str, str]]) -> None:
    """(scope, locator) for every locator read; scope is '' or 'item' inside `$iterate.item`."""
    if isinstance(value, list):
        for item in value:
            _locators(item, scope, out)
        return
    if not isinstance(value, dict):
        return
    if _is_formula(value):
        name = next(iter(value))
        args = value[name]
        if name in ("$var", "$copy") and isinstance(args, str):
            out.append((scope, args))
            return
        if name == "$iterate" and isinstance(args, dict):
            source = args.get("source")
            if isinstance(source, dict) and isinstance(source.get("$var"), str):
                out.append((scope, "@list:" + source["$var"]))
            if isinstance(args.get("locator"), str):
                out.append((scope, "@list:" + args["locator"]))
            _locators(source, scope, out)
            _locators(args.get("item"), "item", out)
            _locators(args.get("items"), scope, out)
            return
        if name == "$plain":
            return
    for key, item in value.items():
        if key == "filter" and isinstance(item, list):
            for condition in item:
                if isinstance(condition, dict) and isinstance(condition.get("field"), str):
                    out.append((scope, condition["field"]))
        _locators(item, scope, out)


def _set_path(root: dict[str, Any], locator: str, leaf: Any) -> None:
    try:
        steps = [s for s in parse_locator(locator) if s.kind in (PROP, INDEX)]
    except ValueError:
        return
    if not steps:
        return
    node: Any = root
    for step, nxt in zip(steps, steps[1:] + [None]):
        child: Any = leaf if nxt is None else ([] if nxt.kind == INDEX else {})
        if step.kind == PROP:
            if not isinstance(node, dict):
                return
            existing = node.get(step.key)
            if nxt is None:
                if existing is None or not isinstance(existing, (dict, list)):
                    node[step.key] = leaf
                return
            if not isinstance(existing, type(child)):
                node[step.key] = child
            node = node[step.key]
        else:
            if not isinstance(node, list):
                return
            while len(node) <= step.key:
                node.append({} if nxt is not None and nxt.kind == PROP else [])
            if nxt is None:
                node[step.key] = leaf
                return
            if not isinstance(node[step.key], type(child)):
                node[step.key] = child
            node = node[step.key]


def generated_inputs(formula: Any) -> list[Any]:
    """Variables that exercise the formula: empty, filled along its locators, filled with nulls."""
    found: list[tuple[str, str]] = []
    _locators(formula, "", found)
    outputs: list[Any] = [{}]
    for leaf in ("sample value", None):
        root: dict[str, Any] = {}
        item: dict[str, Any] = {}
        lists = [loc[6:] for scope, loc in found if loc.startswith("@list:")]
        for scope, loc in found:
            if loc.startswith("@list:"):
                continue
            if scope == "item" and (loc.startswith("item") or loc.startswith("$.item")):
                _set_path(item, loc.removeprefix("$.").removeprefix("item").lstrip(".") or "value", leaf)
            elif scope == "item" and (loc.startswith("parent.") or loc.startswith("$.parent.")):
                _set_path(root, loc.split("parent.", 1)[1], leaf)
            else:
                _set_path(root, loc, leaf)
        for loc in lists:
            elements = [dict(item, index=i) if item else {"value": f"element {i}"} for i in range(2)]
            _set_path(root, loc, elements)
        outputs.append(root)
    return outputs


def corpus_files() -> list[Path]:
    root = shared_path("corpus", "unified-api-example", "membrane")
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml"))


def test_every_corpus_formula_compiles_and_evaluates(capsys: pytest.CaptureFixture[str]) -> None:
    files = corpus_files()
    root = files[0].parents[len(files[0].relative_to(shared_path("corpus")).parts) - 2]
    n_files = n_with_formulas = n_values = n_formulas = n_evaluations = 0
    failures: list[str] = []
    for path in files:
        n_files += 1
        source = str(path.relative_to(root))
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        try:
            compile_mapping(document, source=source)
        except Exception as exc:  # report every file, not just the first
            failures.append(f"{source}: whole file: {exc!r}")
            continue
        values = list(top_formulas(document))
        if values:
            n_with_formulas += 1
        for where, value in values:
            n_values += 1
            n_formulas += count_formulas(value)
            try:
                program = compile_mapping(value, source=f"{source}#{where}")
                for variables in generated_inputs(value):
                    program.evaluate(variables, resolvers=STUBS)
                    n_evaluations += 1
            except Exception as exc:
                failures.append(f"{source}: {where}: {exc!r}")
    with capsys.disabled():
        print(
            f"\ncorpus: {n_files} files ({n_with_formulas} with formulas), {n_values} formula-bearing values, "
            f"{n_formulas} formulas, {n_evaluations} evaluations, {len(failures)} failures"
        )
    assert not failures, "\n".join(failures[:20])
    assert n_files > 2000
    assert n_formulas > 10000
    assert n_evaluations == 3 * n_values


def test_generated_inputs_reach_the_values() -> None:
    """The generator fills the paths the formulas read (otherwise the corpus test proves little)."""
    formula = {
        "$iterate": {
            "source": {"$var": "$.addresses"},
            "item": {"city": {"$var": "$.item.city"}, "who": {"$var": "parent.owner.name"}},
        }
    }
    _, filled, nulls = generated_inputs(formula)
    assert compile_mapping(formula).evaluate(filled) == [
        {"city": "sample value", "who": "sample value"},
        {"city": "sample value", "who": "sample value"},
    ]
    assert compile_mapping(formula).evaluate(nulls) == [{"city": None, "who": None}, {"city": None, "who": None}]
    case = {"$case": {"cases": [{"filter": [{"field": "a.b[1].c", "operator": "is_not_empty"}], "value": 1}]}}
    assert compile_mapping(case).evaluate(generated_inputs(case)[1]) == 1
