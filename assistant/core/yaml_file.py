"""One YAML file of intents/ with typed getters whose errors name the file and key."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from assistant.core.errors import DataError

T = TypeVar("T")


class YamlFile:
    """One YAML file's data with typed getters that fail naming the file and key."""

    def __init__(self, folder: Path, name: str, data: Mapping[str, Any]) -> None:
        self.path = str(folder / f"{name}.yaml")
        self.data = data

    def fail(self, key: str, problem: str) -> DataError:
        """The error for `key` in this file (raised by the caller)."""
        return DataError(self.path, key, problem)

    def get(self, mapping: Mapping[str, Any], key: str, kind: type[T], where: str) -> T:
        """`mapping[key]`, which must be there and be a `kind` (an int passes as a float)."""
        if key not in mapping:
            raise self.fail(f"{where}{key}", "missing")
        value = mapping[key]
        if kind is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(f"{where}{key}", f"must be a {kind.__name__}")
        return value

    def strings(self, value: Any, where: str) -> tuple[str, ...]:
        """A text or a non-empty list of texts, as a tuple."""
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or not value:
            raise self.fail(where, "must be a text or a non-empty list of texts")
        return tuple(value)
