"""From what a user typed (`connectors/`, one connector, one case file, `-k`) to the cases to run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from runtime._suite._load import CaseFileError, connector_of, find_case_files, find_connectors, load_case_file
from runtime._suite._model import Case
from runtime._suite._run import CaseResult

__all__ = ["Selection", "select_cases"]


@dataclass
class Selection:
    """The cases to run, the case files that could not be loaded, and paths that held nothing."""

    cases: list[Case] = field(default_factory=list)
    broken: list[CaseResult] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    files: set[Path] = field(default_factory=set)


def _matches(text: str, pattern: str | None) -> bool:
    return pattern is None or pattern.lower() in text.lower()


def select_cases(paths: list[str | Path], pattern: str | None = None, *, allow_missing_expect: bool = False) -> Selection:
    """Every case under `paths` whose id ("connector::file::name") contains `pattern`.

    A path is a folder of connectors, one connector, or a case file. A case file that fails to
    load counts as one failed result (id "connector::file"), unless `-k` excludes it by name.
    """
    sel = Selection()
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            files = [(connector_of(path), path)]
        else:
            connectors = find_connectors(path)
            if not connectors:
                sel.not_found.append(str(raw))
                continue
            files = [(c, f) for c in connectors for f in find_case_files(c)]
        for connector, file in files:
            key = file.resolve()
            if key in seen:
                continue
            seen.add(key)
            try:
                cases = load_case_file(file, connector_root=connector, allow_missing_expect=allow_missing_expect)
            except CaseFileError as exc:
                fid = f"{connector.name}::{exc.file.removeprefix(f'{connector.name}/tests/')}"
                if _matches(fid, pattern):
                    problems = "\n".join("  " + p.message for p in exc.problems)
                    sel.broken.append(CaseResult(id=fid, passed=False, file=exc.file,
                                                 failures=[f"invalid case file:\n{problems}"]))
                continue
            for case in cases:
                if _matches(case.id, pattern):
                    sel.cases.append(case)
                    sel.files.add(file)
    return sel
