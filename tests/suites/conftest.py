"""Fixtures of the test-suite runner's tests.

`fixtures/` holds tiny connectors with their own `tests/*.yml` cases: they are data, never
collected here (the runner's pytest plugin would otherwise treat them as connector cases).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

collect_ignore = ["fixtures"]

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def connectors(tmp_path: Path) -> Path:
    """A writable copy of the fixture connectors (tests edit case files, record mode writes them)."""
    target = tmp_path / "connectors"
    shutil.copytree(FIXTURES, target)
    return target


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run `connector-runtime ARGS` in-process: (exit code, stdout, stderr)."""
    from runtime._cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
