"""Which JSONata library `$jsonata` uses: jsonatapy (Rust) vs jsonata-python (pure Python).

For representative expressions (the corpus's, plus what mappings typically do: paths,
predicates, string and number functions, lambdas), each library's result is compared with the
reference JSONata (jsonata-js 1.8.9, the version the platform engine depends on, run by node)
and its evaluation time measured (compiled once, evaluated many times).

    pip install jsonata-python   # only for this comparison; not a project dependency
    cd /work/main && python benchmarks/formulas_jsonata.py [--n 2000]

Needs node and the reference engine install (see tests/formulas/tools/reference.js).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

DATA: dict[str, Any] = {
    "isActive": True,
    "isConfidential": False,
    "confidentiality": "confidential",
    "recurrence": ["RRULE:FREQ=WEEKLY"],
    "name": {"first": "Ann", "last": "Lee"},
    "items": [
        {"name": "a", "price": 5, "quantity": 2},
        {"name": "b", "price": 12.5, "quantity": 1},
        {"name": "c", "price": 30, "quantity": 3},
    ],
    "tags": ["x", "y", "z"],
    "status": "open",
    "email": "ann@example.com",
    "amount": 1234.5,
    "amountStr": "21",
    "props": {"a-b": 1, "c": 2},
    "full": "Ann Marie Lee",
    "phone": "+1 (555) 010-2000",
    "ratio": 0.123456,
}

EXPRESSIONS = [
    "$not($.isActive)",
    "$.isConfidential ? 'confidential' : 'non-confidential'",
    "$.confidentiality = 'confidential'",
    "$boolean($count($.recurrence)) > 0",
    "$count($.recurrence) > 0",
    "name.first & ' ' & name.last",
    "$sum(items.(price * quantity))",
    "items[price > 10].name",
    "$join(tags, ', ')",
    "$uppercase(status)",
    "$substringBefore(email, '@')",
    "$string(amount)",
    "$number(amountStr) * 2",
    "$exists(missing) ? 'y' : 'n'",
    '{"id": status, "tags": tags}',
    "$map(items, function($v) { $v.name })",
    "$lookup(props, 'a-b')",
    "$split(full, ' ')[0]",
    "items[0].price",
    "$replace(phone, /[^0-9]/, '')",
    "$round(ratio, 2)",
    "$toMillis('2024-03-05T10:20:30.000Z')",
    "$fromMillis(1700000000000)",
    "$keys(props)",
    "$filter(items, function($i) { $i.quantity > 1 }).name",
    "$contains(email, 'example')",
    "$type(amount)",
    "$reduce([1, 2, 3], function($a, $b) { $a + $b })",
    "($sort(items, function($a, $b) { $a.price < $b.price })).name",
    "missing.path",
    "items.name",
    "$count(items[quantity > 1])",
]

REFERENCE_JS = r"""
const jsonata = require(process.env.REF_JSONATA || '/tmp/ref-sdk/node_modules/jsonata');
const {data, expressions} = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(expressions.map(e => {
  try { const v = jsonata(e).evaluate(data); return v === undefined ? {undefined: true} : {value: v}; }
  catch (err) { return {error: String(err.message)}; }
})));
"""


def reference() -> list[dict[str, Any]]:
    proc = subprocess.run(["node", "-e", REFERENCE_JS], input=json.dumps({"data": DATA, "expressions": EXPRESSIONS}),
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def outcome(evaluate: Any) -> dict[str, Any]:
    try:
        value = evaluate()
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"undefined": True} if value is None else {"value": json.loads(json.dumps(value))}


def agrees(ours: dict[str, Any], ref: dict[str, Any]) -> bool:
    if "error" in ref or "error" in ours:  # the engine turns any error into undefined
        return ("error" in ref or ref.get("undefined", False)) and ("error" in ours or ours.get("undefined", False))
    if ref.get("undefined"):
        return bool(ours.get("undefined"))
    return ours.get("value") == ref["value"] and type(ours.get("value")) is type(ref["value"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    ns = parser.parse_args()
    import jsonata as jsonata_python
    import jsonatapy

    refs = reference()
    libs = {
        "jsonatapy": lambda e: jsonatapy.compile(e).evaluate,
        "jsonata-python": lambda e: jsonata_python.Jsonata(e).evaluate,
    }
    totals = {name: [0, 0.0, []] for name in libs}
    print(f"nproc={os.cpu_count()} python={sys.version.split()[0]} n={ns.n} evaluations per expression")
    print(f"{'expression':58} {'jsonatapy us':>13} {'jsonata-python us':>18}")
    for expression, ref in zip(EXPRESSIONS, refs):
        row = []
        for name, make in libs.items():
            try:
                evaluate = make(expression)
            except Exception as exc:
                result: dict[str, Any] = {"error": f"compile: {exc}"}
                evaluate = None
            else:
                result = outcome(lambda: evaluate(DATA))
            ok = agrees(result, ref)
            micros = float("nan")
            if evaluate is not None:
                start = time.perf_counter()
                for _ in range(ns.n):
                    try:
                        evaluate(DATA)
                    except Exception:
                        pass
                micros = (time.perf_counter() - start) / ns.n * 1e6
            totals[name][0] += ok
            totals[name][1] += 0 if micros != micros else micros
            if not ok:
                totals[name][2].append(f"{expression!r}: ref {ref} got {result}")
            row.append(f"{micros:9.1f} {'ok' if ok else 'XX'}")
        print(f"{expression[:58]:58} {row[0]:>13} {row[1]:>18}")
    for name, (ok, micros, bad) in totals.items():
        print(f"{name}: {ok}/{len(EXPRESSIONS)} agree with jsonata-js 1.8.9; total {micros:.0f} us for one pass")
        for line in bad:
            print("   ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
