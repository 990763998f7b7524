"""Integration tests of the runtime core: connections, method execution, auth flows, CLI `run`."""
