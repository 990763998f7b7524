"""Shared helpers: one Sandbox for the package, a `run` that compiles and calls synchronously."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import Limits, Sandbox, compile_module

FAST = Limits(cpu_time=1.0, wall_time=3.0, memory=16 << 20)


@pytest.fixture(scope="session")
def sb() -> Sandbox:
    return Sandbox()


@pytest.fixture
def run(sb: Sandbox):
    def _run(source: str, *args: Any, filename: str = "method.js", **kw: Any) -> Any:
        module = compile_module(source, filename)
        kw.setdefault("limits", FAST)
        return sb.call_sync(module, args=list(args), **kw).value

    return _run
