"""Hide email addresses and phone numbers in free text before an owner reads it."""

from __future__ import annotations

import re

EMAIL_MASK = "[e-mail]"
PHONE_MASK = "[téléphone]"

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# French numbers (06 12 34 56 78, 06.12.34.56.78, +33 6 12 34 56 78, 0033 6...) and other
# international ones: at least 9 digits with spaces, dots, dashes or brackets between them.
# Dates (12/03/2026, 12.03.2026: 8 digits) and references glued to letters are left alone.
_PHONE = re.compile(
    r"(?<![\w])(?:\+|00)?\d(?:[\s.\-()]{0,2}\d){8,16}(?![\w])",
    re.UNICODE,
)


def mask_personal_data(text: str, *, email: str = EMAIL_MASK, phone: str = PHONE_MASK) -> str:
    """Return `text` with every email address and phone number replaced by a marker."""
    # Emails first: their digits must not be read as a phone number.
    masked = _EMAIL.sub(lambda _: email, text)
    return _PHONE.sub(lambda _: phone, masked)
