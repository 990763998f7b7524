"""The loopback fake API (tests/fakeapi) in a process of its own, for the benchmarks that
compare a call through the runtime with the same request made by raw httpx: in its own process
its threads do not compete with the client for the GIL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_SERVER = (
    "import sys; from tests.fakeapi import FakeApi; api = FakeApi().start(); "
    "print(api.url, api.state.api_key, flush=True); sys.stdin.read(); api.stop()"
)


def start_server() -> tuple[subprocess.Popen[str], str, str]:
    """(process, base URL, API key); the server stops when the process's stdin is closed."""
    proc = subprocess.Popen([sys.executable, "-c", _SERVER], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url, key = proc.stdout.readline().split()
    return proc, url, key
