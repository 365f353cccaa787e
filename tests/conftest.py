"""Shared fixtures: the English content, the matcher and the dialog engine."""

from __future__ import annotations

import pytest

from assistant.core.content import Content, load
from assistant.core.dialog import Triage
from assistant.core.matcher import Matcher


@pytest.fixture(scope="session")
def content() -> Content:
    return load()


@pytest.fixture(scope="session")
def matcher(content: Content) -> Matcher:
    return Matcher(content)


@pytest.fixture(scope="session")
def triage(content: Content) -> Triage:
    return Triage(content)
