"""Pseudonyms: a keyed HMAC of the Slack user id, so stored answers name nobody."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass


@dataclass(frozen=True)
class Pseudonymizer:
    """Turn a Slack user id into a stable pseudonym that cannot be reversed without the key."""

    key: bytes

    def __call__(self, user_id: str) -> str:
        """Return the pseudonym of `user_id` (64 hex chars)."""
        return hmac.new(self.key, user_id.encode(), hashlib.sha256).hexdigest()
