"""The formula engine: mappings (YAML values with `$var`, `$case`, ...) compiled once, evaluated fast.

    program = compile_mapping(value, source="data/deals/fields-from-api.map.yml")
    program.evaluate({"record": {...}}, resolvers=Resolvers(lookup=...))

`compile_mapping` checks every formula's argument against its declared signature and parses
every locator, JSONata and JMESPath expression up front, raising `runtime._errors.FormulaError`
with the file and the path inside the mapping. `evaluate` runs closures only. Semantics are the
platform engine's (`@membranehq/sdk` `buildValue`); see SPEC section 5 and `_builtins.py`.

Modules: `_compiler` (Program, Resolvers, the walk over plain values), `_builtins` (every
formula), `_locator` (paths), `_js` (JavaScript value semantics), `_jmespath`, `_jsonata`,
`_dates`, `_names`, `_lint`, `_undefined`.
"""

from __future__ import annotations

from runtime._formulas._builtins import EVAL_OPERATORS, FILTER_OPERATORS, FORMULA_NAMES
from runtime._formulas._compiler import Program, Resolvers, compile_mapping
from runtime._formulas._lint import lint_mapping
from runtime._formulas._locator import Locator, LocatorSyntaxError
from runtime._formulas._undefined import UNDEFINED, UndefinedType

__all__ = [
    "EVAL_OPERATORS",
    "FILTER_OPERATORS",
    "FORMULA_NAMES",
    "Locator",
    "LocatorSyntaxError",
    "Program",
    "Resolvers",
    "UNDEFINED",
    "UndefinedType",
    "compile_mapping",
    "lint_mapping",
]
