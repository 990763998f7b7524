"""Differential check of compile_mapping against the platform's own engine (development time only).

Not collected by pytest (no test_ prefix; needs node and the npm package). Usage:
    cd /work/main && python -m tests.formulas.tools.differential [--fuzz N] [--seed S]
Runs every case of tests/formulas/cases/*.yaml not marked `engine: false`, plus N random
mappings built from the formulas the engine has, through tools/reference.js (buildData of
@membranehq/sdk) and through compile_mapping, and prints every disagreement.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from runtime._errors import FormulaError
from runtime._formulas import compile_mapping
from tests.formulas._cases import load_cases

HERE = Path(__file__).parent


def run_reference(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    proc = subprocess.run(
        ["node", str(HERE / "reference.js")], input=json.dumps(items), capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)


def run_ours(mapping: Any, variables: Any) -> dict[str, Any]:
    try:
        value = compile_mapping(mapping).evaluate(variables)
        if value is None and compile_mapping({"k": mapping}).evaluate(variables) is None:
            return {"undefined": True}
    except FormulaError as exc:
        return {"error": str(exc)}
    return {"value": value}


def same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def agree(ours: dict[str, Any], ref: dict[str, Any]) -> bool:
    if "error" in ref or "error" in ours:
        return "error" in ref and "error" in ours
    if ref.get("undefined") or ours.get("undefined"):
        return bool(ref.get("undefined")) and bool(ours.get("undefined"))
    return same(ours.get("value"), ref.get("value"))


# ---- random mappings --------------------------------------------------------------------------
SCALARS: list[Any] = [None, True, False, 0, 1, -1, 2.5, "0", "1", "", " ", "a", "A b", "x@y.z", "2024-03-05T10:20:30Z",
                      "John van Smith", "1,2", "10px", "true", [], {}, [1, "a"], {"a": 1}]
KEYS = ["a", "b", "c", "n", "s", "l"]


def rand_vars(rng: random.Random, depth: int = 0) -> Any:
    if depth > 2 or rng.random() < 0.4:
        return rng.choice(SCALARS)
    if rng.random() < 0.5:
        return [rand_vars(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {k: rand_vars(rng, depth + 1) for k in rng.sample(KEYS, rng.randint(1, 4))}


def rand_locator(rng: random.Random) -> str:
    parts = [rng.choice(KEYS) for _ in range(rng.randint(1, 3))]
    out = ("$." if rng.random() < 0.3 else "") + parts[0]
    for p in parts[1:]:
        out += f"[{rng.randint(0, 2)}]" if rng.random() < 0.3 else "." + p
    return out


def rand_formula(rng: random.Random, depth: int = 0) -> Any:
    if depth > 2 or rng.random() < 0.3:
        return {"$var": rand_locator(rng)} if rng.random() < 0.7 else rng.choice(SCALARS)
    sub = lambda: rand_formula(rng, depth + 1)  # noqa: E731
    kind = rng.choice(["var", "concat", "concat2", "eval", "and", "or", "case", "map", "iterate", "first", "last",
                       "fne", "merge", "domain", "date", "time", "tpl", "obj", "list", "plain"])
    if kind == "var":
        return {"$var": rand_locator(rng)}
    if kind == "concat":
        return {"$concat": [sub() for _ in range(rng.randint(1, 3))]}
    if kind == "concat2":
        return {"$concat": {"values": [sub() for _ in range(rng.randint(1, 3))], "delimiter": rng.choice([", ", "-", 0])}}
    if kind == "eval":
        op = rng.choice(["is", "isNot", "isEmpty", "isNotEmpty", "contains", "doesNotContain", "oneOf", "noneOf",
                         "gt", "gte", "lt", "lte"])
        operand = [sub(), sub()] if op in ("oneOf", "noneOf") else sub()
        return {"$eval": sub(), op: operand}
    if kind in ("and", "or"):
        return {f"${kind}": [sub() for _ in range(rng.randint(1, 3))]}
    if kind == "case":
        cases = []
        for _ in range(rng.randint(1, 3)):
            case: dict[str, Any] = {"value": sub()}
            r = rng.random()
            if r < 0.4:
                case["filter"] = {"$and": [sub()]} if rng.random() < 0.5 else {"$eval": sub(), "is": sub()}
            elif r < 0.8:
                case["filter"] = [{"field": rand_locator(rng), "operator": rng.choice(
                    ["is", "is_not", "contains", "is_empty", "is_not_empty", "less_than", "is_one_of", "is_true"]),
                    "value": rng.choice(SCALARS)}]
            cases.append(case)
        return {"$case": {"cases": cases, "default": sub()}}
    if kind == "map":
        return {"$map": {"value": sub(), "mapping": [{"from": rng.choice(SCALARS), "to": sub()}], "default": sub()}}
    if kind == "iterate":
        return {"$iterate": {"source": {"$var": rand_locator(rng)},
                             "item": rng.choice([{"$var": "item"}, {"x": {"$var": "item.a"}, "i": {"$var": "index"}},
                                                 {"$var": "parent." + rng.choice(KEYS)}])}}
    if kind == "first":
        return {"$firstName": sub()}
    if kind == "last":
        return {"$lastName": sub()}
    if kind == "fne":
        return {"$firstNotEmpty": [sub() for _ in range(rng.randint(1, 3))]}
    if kind == "merge":
        return {"$mergeObjects": [sub() for _ in range(rng.randint(1, 3))]}
    if kind == "domain":
        return {"$domainFromEmail": sub()}
    if kind == "date":
        return {"$extractDate": sub()}
    if kind == "time":
        return {"$extractTime": sub()}
    if kind == "tpl":
        return {"$tpl": {"template": "x{a}y{b}", "values": {"a": sub(), "b": sub()}}}
    if kind == "obj":
        return {k: sub() for k in rng.sample(KEYS, rng.randint(1, 3))}
    if kind == "list":
        return [sub() for _ in range(rng.randint(1, 3))]
    return {"$plain": sub()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fuzz", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=30)
    parser.add_argument("--objects", action="store_true", help="random mappings are objects of 2-6 formulas")
    ns = parser.parse_args()
    items: list[dict[str, Any]] = []
    labels: list[str] = []
    for case in load_cases():
        if case.get("engine", True) is False:
            continue
        items.append({"mapping": case["mapping"], "variables": case.get("variables", {})})
        labels.append(case["id"])
    rng = random.Random(ns.seed)
    for i in range(ns.fuzz):
        mapping = ({k: rand_formula(rng) for k in rng.sample(KEYS, rng.randint(2, 6))} if ns.objects
                   else rand_formula(rng))
        items.append({"mapping": mapping, "variables": rand_vars(rng) if rng.random() < 0.2 else
                      {k: rand_vars(rng) for k in KEYS}})
        labels.append(f"fuzz#{i}")
    refs = run_reference(items)
    bad = 0
    for label, item, ref in zip(labels, items, refs):
        ours = run_ours(item["mapping"], item["variables"])
        if not agree(ours, ref):
            bad += 1
            if bad <= ns.show:
                print(f"--- {label}\n mapping:   {json.dumps(item['mapping'])}\n variables: {json.dumps(item['variables'])}"
                      f"\n engine:    {json.dumps(ref)}\n ours:      {json.dumps(ours, default=str)}")
    print(f"{len(items)} mappings, {bad} disagreements")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
