"""Every package's `__all__` is sorted, complete and importable (STYLE: the package `__init__`
is the whole public surface; everything else is private)."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "runtime",
    "runtime._auth",
    "runtime._bench",
    "runtime._elements",
    "runtime._formulas",
    "runtime._http",
    "runtime._loader",
    "runtime._spec",
    "runtime._suite",
    "sandbox",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_complete_and_importable(name: str) -> None:
    module = importlib.import_module(name)
    names = list(module.__all__)
    assert names == sorted(names)
    for attr in names:
        assert hasattr(module, attr), f"{name}.{attr} is in __all__ but not defined"
    # What the package defines or imports under a public name must be listed. (`@py_*` names
    # come from pytest's assertion rewriting, which covers every module of a pytest11 plugin's
    # distribution; submodules are reachable as attributes once imported.)
    public = {
        n
        for n, v in vars(module).items()
        if not n.startswith(("_", "@")) and n != "annotations" and not isinstance(v, type(importlib))
    }
    assert public <= set(names), sorted(public - set(names))
