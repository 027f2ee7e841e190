"""Emails and phone numbers never reach an owner; dates and references do."""

from __future__ import annotations

import pytest

from domain.masking import mask_personal_data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Appelez-moi au 06 12 34 56 78 svp", "Appelez-moi au [téléphone] svp"),
        ("tél. 01.23.45.67.89.", "tél. [téléphone]."),
        ("+33 6 12 34 56 78", "[téléphone]"),
        ("0033 (0)1 23 45 67 89 ou 0612345678", "[téléphone] ou [téléphone]"),
        ("+44 20 7946 0958", "[téléphone]"),
        ("écrire à jean.dupont@finances.gouv.fr merci", "écrire à [e-mail] merci"),
        ("a.b+tag@sub.example.org, c@d.fr", "[e-mail], [e-mail]"),
        ("le 12/03/2026 à 10:30", "le 12/03/2026 à 10:30"),
        ("le 12.03.2026, ticket INC0012345678", "le 12.03.2026, ticket INC0012345678"),
        ("Très bien, 5 étoiles", "Très bien, 5 étoiles"),
    ],
)
def test_masks_only_contact_details(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


def test_markers_follow_the_reader_language() -> None:
    masked = mask_personal_data("x@y.fr 06 12 34 56 78", email="[email]", phone="[phone]")
    assert masked == "[email] [phone]"
