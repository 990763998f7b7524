"""The packages' public surfaces: `__all__` sorted, complete and importable."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("name", ["runtime._http", "runtime._auth", "tests.fakeapi"])
def test_all_is_sorted_and_importable(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    for attr in module.__all__:
        assert getattr(module, attr) is not None, attr
