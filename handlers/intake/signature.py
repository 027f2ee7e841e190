"""Standard Webhooks signatures: `v1,<base64 HMAC-SHA256>` over `id.timestamp.body`."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence

TOLERANCE_SECONDS = 5 * 60
SECRET_PREFIX = "whsec_"


class SignatureError(Exception):
    """The request is not signed by a known secret; `code` names why for the 401 body."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def decode_secret(secret: str) -> bytes:
    """Return the key bytes of a `whsec_<base64>` secret, or of a raw secret as given."""
    if secret.startswith(SECRET_PREFIX):
        encoded = secret[len(SECRET_PREFIX) :]
        try:
            # some generators leave the padding out
            return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except binascii.Error as exc:
            raise ValueError("an intake secret starting with whsec_ must be base64") from exc
    return secret.encode()


class Verifier:
    """Check Standard Webhooks signatures against every configured secret (rotation)."""

    def __init__(self, keys: Sequence[bytes], *, tolerance: int = TOLERANCE_SECONDS) -> None:
        self.tolerance = tolerance
        # keying once per secret and copying the state per request saves the key setup
        self._macs = tuple(hmac.new(key, digestmod=hashlib.sha256) for key in keys)

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: float) -> str:
        """Return the webhook id if `body` is signed and fresh, else raise SignatureError."""
        msg_id = headers.get("webhook-id")
        timestamp = headers.get("webhook-timestamp")
        signatures = headers.get("webhook-signature")
        if not msg_id or not timestamp or not signatures:
            raise SignatureError(
                "missing_signature",
                "send the webhook-id, webhook-timestamp and webhook-signature headers",
            )
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            raise SignatureError("bad_signature", "webhook-timestamp must be unix seconds")
        if abs(now - int(timestamp)) > self.tolerance:
            raise SignatureError(
                "stale_timestamp",
                f"webhook-timestamp is more than {self.tolerance} seconds from the server's clock",
            )
        expected = self._expected(msg_id, timestamp, body)
        for candidate in signatures.split(" "):
            version, _, value = candidate.partition(",")
            if version != "v1" or not value:
                continue
            try:
                given = base64.b64decode(value, validate=True)
            except binascii.Error:
                continue
            # every key is tried, so the time taken does not tell which one nearly matched
            matched = False
            for digest in expected:
                matched |= hmac.compare_digest(digest, given)
            if matched:
                return msg_id
        raise SignatureError("bad_signature", "no v1 signature matches a configured secret")

    def _expected(self, msg_id: str, timestamp: str, body: bytes) -> list[bytes]:
        prefix = f"{msg_id}.{timestamp}.".encode()
        digests = []
        for mac in self._macs:
            running = mac.copy()
            running.update(prefix)
            running.update(body)
            digests.append(running.digest())
        return digests


def sign(key: bytes, *, msg_id: str, timestamp: int, body: bytes) -> str:
    """Return the `webhook-signature` header value for `body` (senders and tests use it)."""
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()
