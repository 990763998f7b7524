"""Small connectors used by the core's integration tests (tests/core/).

Each is a directory (spec.yml + method files), not Python code; `path(name)` finds one.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def path(name: str) -> Path:
    """The directory of the test connector `name`."""
    found = HERE / name
    if not (found / "spec.yml").is_file():
        raise FileNotFoundError(f"no test connector {name!r} in {HERE}")
    return found
