"""Fixtures for the sandbox tests: authenticated Platform clients on the session sandbox (session-scoped:
tests keep apart by unique names, see helpers.unique)."""

from __future__ import annotations

import pytest

from .helpers import Platform


@pytest.fixture(scope="session")
def platform(sandbox):
    p = Platform(sandbox)
    yield p
    p.close()


@pytest.fixture(scope="session")
def other_platform(sandbox):
    p = Platform(sandbox, sandbox.other_credentials)
    yield p
    p.close()
