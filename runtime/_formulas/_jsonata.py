"""`$jsonata` through the `jsonatapy` library (Rust; imported lazily, on first use).

Chosen by measurement (benchmarks/RESULTS.md): on 32 representative expressions both
jsonatapy and the pure-Python `jsonata-python` agreed with the reference jsonata-js, and
jsonatapy evaluated ~35x faster (1-5 µs against 300-900 µs); it also scores higher on the
official suite (99.6% vs 95.8%, issue 3). Expressions are compiled once: a literal expression when the
mapping is compiled, a computed one (the argument is itself a formula) through a bounded cache.
"""

from __future__ import annotations

import functools
from typing import Any

from runtime._formulas._undefined import UNDEFINED

__all__ = ["JsonataSyntaxError", "compile_jsonata", "compile_jsonata_cached", "evaluate_jsonata"]

CACHE_SIZE = 256


class JsonataSyntaxError(ValueError):
    """The expression does not parse."""


def compile_jsonata(expression: str) -> Any:
    """A compiled expression object; raises JsonataSyntaxError."""
    import jsonatapy  # lazy: only mappings that use $jsonata pay for the import

    try:
        return jsonatapy.compile(expression)
    except Exception as exc:  # jsonatapy raises ValueError subclasses with the position
        raise JsonataSyntaxError(str(exc)) from exc


@functools.lru_cache(maxsize=CACHE_SIZE)
def compile_jsonata_cached(expression: str) -> Any:
    """compile_jsonata, remembering the last CACHE_SIZE distinct expressions."""
    return compile_jsonata(expression)


def evaluate_jsonata(compiled: Any, variables: Any) -> Any:
    """Evaluate; like the engine, any evaluation error yields undefined, and so does no result."""
    try:
        result = compiled.evaluate(variables)
    except Exception:  # the engine wraps evaluation in try/catch and returns undefined
        return UNDEFINED
    return UNDEFINED if result is None else result
