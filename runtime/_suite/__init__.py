"""Connector test suites: case files, the loopback replay server, record mode, the runner.

The case-file format is described in the README and in CONTRACTS.md; `connector-runtime test`
(runtime/_cli/test.py) and the pytest plugin (`_pytest_plugin.py`) are thin layers over this.
"""

from __future__ import annotations

from runtime._suite._collect import Selection, select_cases
from runtime._suite._load import (
    CaseFileError,
    find_case_files,
    find_connectors,
    load_case_file,
    load_exchanges,
)
from runtime._suite._match import ReceivedRequest, closest_exchange, differences, request_mismatches
from runtime._suite._model import (
    ABSENT,
    Case,
    ConnectionSpec,
    ErrorExpectation,
    Exchange,
    Expectation,
    RequestMatcher,
    ResponseSpec,
)
from runtime._suite._record import RecordingTransport, record_case, write_recording
from runtime._suite._run import (
    CaseResult,
    Outcome,
    RuntimeInvoker,
    check_outcome,
    run_case,
    run_cases,
)
from runtime._suite._secrets import Redactor, secret_table, substitute
from runtime._suite._server import Replay, ReplayServer, ReplayTransport, ServerProcess, Unexpected

__all__ = [
    "ABSENT",
    "Case",
    "CaseFileError",
    "CaseResult",
    "ConnectionSpec",
    "ErrorExpectation",
    "Exchange",
    "Expectation",
    "Outcome",
    "ReceivedRequest",
    "RecordingTransport",
    "Redactor",
    "Replay",
    "ReplayServer",
    "ReplayTransport",
    "RequestMatcher",
    "ResponseSpec",
    "RuntimeInvoker",
    "Selection",
    "ServerProcess",
    "Unexpected",
    "check_outcome",
    "closest_exchange",
    "differences",
    "find_case_files",
    "find_connectors",
    "load_case_file",
    "load_exchanges",
    "record_case",
    "request_mismatches",
    "run_case",
    "run_cases",
    "secret_table",
    "select_cases",
    "substitute",
    "write_recording",
]
