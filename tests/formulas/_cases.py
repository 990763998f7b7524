"""Loading the data-driven formula cases (tests/formulas/cases/*.yaml), shared by the test and the tools."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CASES_DIR = Path(__file__).parent / "cases"


def load_cases() -> list[dict[str, Any]]:
    """Every case of every case file, each with a unique `id` (file:name)."""
    cases: list[dict[str, Any]] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            case = dict(case)
            case["id"] = f"{path.stem}:{case['name']}"
            cases.append(case)
    return cases
