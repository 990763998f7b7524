"""The pytest plugin, run as `python -m pytest` in a subprocess on copies of the fixtures.

The plugin is loaded through the `pytest11` entry point declared in pyproject.toml, by its name
(`-p connector_runtime`, other plugins' autoloading off to keep the runs fast). A stand-in
dist-info on PYTHONPATH declares it when the project is not installed; when it is installed,
pytest finds the same name twice and loads it once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.suites.conftest import FIXTURES

REPO = Path(__file__).resolve().parents[2]


def _entry_point_site(tmp: Path) -> Path:
    """A folder holding a dist-info whose entry points are pyproject's pytest11 section."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    entries = project["entry-points"]["pytest11"]
    site = tmp / "site"
    dist = site / "connector_runtime_plugin_standin-0.0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: connector-runtime-plugin-standin\nVersion: 0.0\n")
    (dist / "entry_points.txt").write_text("[pytest11]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items()))
    return site


def run_pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    site = _entry_point_site(cwd.parent / f"{cwd.name}-site")
    # autoloading off, then `-p <entry point name>`: pytest loads exactly that pytest11 entry point
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(site)]), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "connector_runtime", "-p", "no:cacheprovider", "--rootdir", str(cwd),
         "-W", "error", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )


def test_pytest_collects_cases_as_items_with_the_runner_failure_text(connectors: Path, tmp_path: Path) -> None:
    listing = connectors / "plain" / "tests" / "list.yml"
    listing.write_text(listing.read_text().replace("cursor: c2", "cursor: c3"))
    (connectors / "echo" / "tests" / "broken.yml").write_text("method: x\nexpect: {outputs: 1}\n")
    (connectors / "echo" / "tests" / "_data").mkdir()
    (connectors / "echo" / "tests" / "_data" / "payload.yml").write_text("not: a case\n")  # data: not collected
    proc = run_pytest(tmp_path, "connectors", "-v")
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "connectors/echo/tests/contacts.yml::lists the first page PASSED" in out
    assert "connectors/echo/tests/notes.yml::creates a note with a JSON body PASSED" in out
    assert "connectors/plain/tests/list.yml::lists the first page FAILED" in out
    assert "connectors/echo/tests/broken.yml::broken.yml FAILED" in out
    assert ("FAILED plain::list.yml::lists the first page\n  file: plain/tests/list.yml\n  output differs (exact):\n"
            '    cursor: expected "c3", got "c2"') in out
    assert "invalid case file:\n  echo/tests/broken.yml: expect.outputs: unknown key (did you mean 'output'?)" in out
    assert "2 failed, 6 passed" in out


def test_fixtures_inside_a_tests_folder_are_not_collected_unless_named(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "plain", project / "tests" / "fixtures" / "plain")
    (project / "tests" / "test_nothing.py").write_text("def test_ok():\n    pass\n")
    case_item = "tests/fixtures/plain/tests/list.yml::lists the first page"
    proc = run_pytest(project, "tests", "--collect-only", "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tests/test_nothing.py::test_ok" in proc.stdout and case_item not in proc.stdout
    proc = run_pytest(project, "tests/fixtures/plain", "--collect-only", "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert case_item in proc.stdout  # named explicitly: collected
    (project / "pytest.ini").write_text("[pytest]\nconnector_cases = false\n")
    proc = run_pytest(project, "tests/fixtures/plain", "--collect-only", "-q")
    assert proc.returncode == 5, proc.stdout + proc.stderr  # turned off: nothing collected
