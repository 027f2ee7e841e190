"""Inject Slack outages, throttling and lost responses, reproducibly."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

Fault = Literal["server_error", "ratelimited", "timeout_after_accept"]


@dataclass
class Faults:
    """Per-call fault probabilities (0..1); mutable while the sandbox runs.

    `server_error` and `ratelimited` answer without doing the work; `timeout_after_accept` does the
    work and then holds the response for `timeout_seconds`, so the client cannot know the outcome.
    """

    server_error: float = 0.0
    ratelimited: float = 0.0
    timeout_after_accept: float = 0.0
    timeout_seconds: float = 30.0
    seed: int = 0
    _rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def draw(self) -> Fault | None:
        """Pick the fault for one call, if any."""
        # Roll only for enabled faults, so turning one kind on does not reshuffle the others.
        if self.server_error > 0 and self._rng.random() < self.server_error:
            return "server_error"
        if self.ratelimited > 0 and self._rng.random() < self.ratelimited:
            return "ratelimited"
        if self.timeout_after_accept > 0 and self._rng.random() < self.timeout_after_accept:
            return "timeout_after_accept"
        return None

    def server_status(self) -> int:
        """Pick 500 or 503, as Slack's outages show both."""
        return 503 if self._rng.random() < 0.5 else 500
