"""Shared helpers of the scorer unit tests."""

import pytest

from spbe_scorer.frameworks import Framework, load_framework


@pytest.fixture(scope="session")
def spbe2020() -> Framework:
    return load_framework("spbe-2020")


@pytest.fixture(scope="session")
def spbe2018() -> Framework:
    return load_framework("spbe-2018")


@pytest.fixture(scope="session")
def pemdi2026() -> Framework:
    return load_framework("pemdi-2026")
