"""Errors shared by every layer."""

from __future__ import annotations

from typing import Any


class ConfigError(ValueError):
    """Bad user input: names the config key, the value given and what is allowed."""

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"config key '{key}' = {value!r} is invalid: allowed {allowed}")
