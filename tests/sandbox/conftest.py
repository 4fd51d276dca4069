"""Fixtures for the sandbox tests: authenticated Platform clients on the session sandbox."""

from __future__ import annotations

import pytest

from .helpers import Platform


@pytest.fixture
def platform(sandbox):
    p = Platform(sandbox)
    yield p
    p.close()


@pytest.fixture
def other_platform(sandbox):
    p = Platform(sandbox, sandbox.other_credentials)
    yield p
    p.close()
