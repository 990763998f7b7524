"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
REQUIRE_SHARED_ENV = "CONNECTOR_RUNTIME_REQUIRE_SHARED"


def shared_path(*parts: str) -> Path:
    """A path under ../shared/ (external test data), or skip/fail when it is absent.

    A user's fresh clone has no ../shared/: the test skips with the reason. CI sets
    CONNECTOR_RUNTIME_REQUIRE_SHARED=1 (in .ci/run), which turns that skip into a failure.
    """
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = f"external test data not found at {path} (../shared/ sits beside the checkout in CI)"
        if os.environ.get(REQUIRE_SHARED_ENV):
            pytest.fail(f"{reason}; {REQUIRE_SHARED_ENV} is set, so this must not be skipped")
        pytest.skip(reason)
    return path


pytest_plugins = ["tests.fakeapi.fixtures"]
