"""Failures a test asks the sandbox to inject into the bot's next calls."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

KINDS = ("429", "500", "timeout", "403", "400")


@dataclass(slots=True)
class Fault:
    """One kind of failure, for the next `times` calls of a method."""

    kind: str
    times: int
    retry_after: int = 1
    hang_seconds: float = 30.0
    deliver: bool = False
    description: str | None = None


class FaultPlan:
    """Faults waiting for their method to be called; "*" matches every method."""

    def __init__(self) -> None:
        self._faults: dict[str, deque[Fault]] = {}

    def add(self, method: str, fault: Fault) -> None:
        """Queue `fault` behind any earlier ones for `method`."""
        if fault.kind not in KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; expected one of {KINDS}")
        if fault.times < 1:
            raise ValueError("a fault must apply at least once")
        self._faults.setdefault(method.lower(), deque()).append(fault)

    def take(self, method: str) -> Fault | None:
        """The fault the next call of `method` suffers, if any (used up one time)."""
        for key in (method.lower(), "*"):
            queued = self._faults.get(key)
            if queued:
                fault = queued[0]
                fault.times -= 1
                if fault.times == 0:
                    queued.popleft()
                return fault
        return None

    def clear(self) -> None:
        """Forget every fault not yet used."""
        self._faults.clear()
