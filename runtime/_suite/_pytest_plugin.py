"""pytest plugin: `pytest connectors/` runs every connector test case as a pytest item.

Registered through the `pytest11` entry point (`connector_runtime`), so an installed runtime
makes pytest collect `<connector>/tests/**/*.yml` (a connector being a folder with a
`spec.yml`; files under `_folders` are data, not cases); the failure text is the same as
`connector-runtime test` prints.

What is NOT collected, so a project's own test fixtures never turn into items by accident: a
connector that sits inside a folder named `tests` (below the rootdir), unless that connector
(or one of its case files) is named on the command line. `connector_cases = false` in the ini
file turns collection off altogether.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime._suite._load import CASE_SUFFIXES, CaseFileError, is_case_file, is_connector_dir, load_case_file
from runtime._suite._model import Case
from runtime._suite._run import CaseResult, RuntimeInvoker, run_case
from runtime._suite._server import ReplayServer

_STATE = pytest.StashKey[dict[str, Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("connector_cases", "collect connector test cases (<connector>/tests/**/*.yml)", type="bool",
                  default=True)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_STATE] = {"server": None, "invoker": RuntimeInvoker()}


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state and state["server"] is not None:
        state["server"].stop()
        state["server"] = None


def _connector_for(file_path: Path) -> Path | None:
    """The connector a case file belongs to: the parent of its nearest `tests/` ancestor."""
    for parent in file_path.parents:
        if parent.name == "tests" and is_connector_dir(parent.parent):
            return parent.parent
    return None


def _named_on_command_line(config: pytest.Config, connector: Path, file_path: Path) -> bool:
    base = config.invocation_params.dir
    for arg in config.args:
        target = (base / arg.split("::", 1)[0]).resolve()
        if target == connector.resolve() or connector.resolve() in target.parents:
            return True
        if target == file_path.resolve():
            return True
    return False


def _wanted(config: pytest.Config, connector: Path, file_path: Path) -> bool:
    if not config.getini("connector_cases"):
        return False
    try:
        inner = connector.resolve().relative_to(config.rootpath.resolve()).parts[:-1]
    except ValueError:
        inner = ()
    if "tests" in inner:
        return _named_on_command_line(config, connector, file_path)
    return True


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in CASE_SUFFIXES:
        return None
    connector = _connector_for(file_path)
    if connector is None or not is_case_file(file_path, connector / "tests"):
        return None
    if not _wanted(parent.config, connector, file_path):
        return None
    return CaseFile.from_parent(parent, path=file_path)


class CaseFailed(Exception):
    """A connector case did not pass; carries the runner's verdict."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.report())
        self.result = result


class CaseFile(pytest.File):
    """A connector case file: one item per case (or one failing item if the file is invalid)."""

    def collect(self) -> Iterator[pytest.Item]:
        connector = _connector_for(self.path)
        assert connector is not None
        try:
            cases = load_case_file(self.path, connector_root=connector)
        except CaseFileError as exc:
            yield InvalidCaseFile.from_parent(self, name=self.path.name, error=exc)
            return
        for case in cases:
            yield CaseItem.from_parent(self, name=case.name, case=case)


class CaseItem(pytest.Item):
    """One connector test case, replayed through the loopback server."""

    def __init__(self, *, case: Case, **kw: Any) -> None:
        super().__init__(**kw)
        self.case = case

    def runtest(self) -> None:
        state = self.config.stash[_STATE]
        if state["server"] is None:
            state["server"] = ReplayServer().start()
        result = asyncio.run(run_case(self.case, state["server"], state["invoker"]))
        if not result.passed:
            raise CaseFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailed):
            return excinfo.value.result.report()
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"connector case {self.case.id}"


class InvalidCaseFile(pytest.Item):
    """Stands for a case file that cannot be loaded; fails with every problem (file + field)."""

    def __init__(self, *, error: CaseFileError, **kw: Any) -> None:
        super().__init__(**kw)
        self.error = error

    def runtest(self) -> None:
        raise self.error

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return "invalid case file:\n" + "\n".join("  " + p.message for p in self.error.problems)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"invalid case file {self.path.name}"
