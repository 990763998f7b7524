"""The suites and bench packages re-export their public names, sorted and importable."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("name", ["runtime._suite", "runtime._bench"])
def test_all_is_sorted_and_complete(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    for attr in module.__all__:
        assert getattr(module, attr) is not None
    defined = {k for k, v in vars(module).items() if not k.startswith("_") and getattr(v, "__module__", "").startswith(name)}
    assert defined <= set(module.__all__)
