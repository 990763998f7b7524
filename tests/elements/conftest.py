"""Fixtures of the element integration tests: the loopback CRM and the crm test connector."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.elements._crm import API_KEY, Crm

CONNECTOR_DIR = Path(__file__).parent / "connectors" / "crm"


@pytest.fixture(scope="session")
def crm_server() -> Iterator[Crm]:
    api = Crm().start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
def crm(crm_server: Crm) -> Crm:
    """The CRM, emptied before each test."""
    crm_server.reset()
    return crm_server


@pytest.fixture(scope="session")
def connector() -> Any:
    from runtime import Connector

    return Connector.load(CONNECTOR_DIR)


@pytest.fixture
def connect(connector: Any, crm: Crm) -> Any:
    """connect(teamId=...) -> a new Connection to the CRM (create it inside the test's loop)."""

    def make(**connection_parameters: Any) -> Any:
        return connector.connect(
            connector_parameters={"baseUri": crm.url},
            connection_parameters={"apiKey": API_KEY, **connection_parameters},
            credentials={"apiKey": API_KEY, **connection_parameters},
        )

    return make
