"""Typed access to a call's parameters, answering 400 the way Telegram does when one is unusable."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.sandbox.errors import bad_request

if TYPE_CHECKING:
    from bot.sandbox.world import World


class Params:
    """The coerced parameters of one call."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def get(self, name: str, default: Any = None) -> Any:
        """The raw value, or `default` when absent."""
        return self.values.get(name, default)

    def integer(self, name: str) -> int:
        """A required Integer parameter."""
        value = self.optional_integer(name)
        if value is None:
            raise bad_request(f"parameter {name} is required")
        return value

    def optional_integer(self, name: str) -> int | None:
        """An Integer parameter, None when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request(f"invalid {name} specified")
        return value

    def text(self, name: str, default: str = "") -> str:
        """A String parameter."""
        value = self.values.get(name)
        return default if value is None else str(value)

    def optional_text(self, name: str) -> str | None:
        """A String parameter, None when absent or empty."""
        value = self.values.get(name)
        return None if value in (None, "") else str(value)

    def flag(self, name: str) -> bool:
        """A Boolean parameter; absent means False."""
        return self.values.get(name) is True

    def obj(self, name: str) -> dict[str, Any] | None:
        """A JSON object parameter."""
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad_request(f"can't parse {name} JSON object")
        return value

    def array(self, name: str) -> list[Any] | None:
        """A JSON array parameter."""
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, list):
            raise bad_request(f"can't parse {name} JSON array")
        return value


Handler = Callable[["World", Params], Awaitable[Any]]
