"""Numbers, percentages and dates written the way each language writes them."""

from __future__ import annotations

from datetime import date, datetime

from bot.i18n.catalog import normalize_locale

_MONTHS = {
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
# French puts a narrow no-break space before % and between thousands.
_NNBSP = "\u202f"


def format_number(value: float, locale: str | None, decimals: int = 1) -> str:
    """Return `value` with the locale's decimal mark and thousands separator."""
    text = f"{value:,.{decimals}f}"
    if normalize_locale(locale) == "fr":
        text = text.replace(",", _NNBSP).replace(".", ",")
    return text


def format_percent(value: float, locale: str | None, decimals: int = 1) -> str:
    """Return a percentage (`value` in 0-100): `21,5 %` in French, `21.5%` in English."""
    number = format_number(value, locale, decimals)
    return f"{number}{_NNBSP}%" if normalize_locale(locale) == "fr" else f"{number}%"


def format_date(value: date | datetime, locale: str | None) -> str:
    """Return a long date: `3 février 2026` / `3 February 2026`."""
    language = normalize_locale(locale)
    return f"{value.day} {_MONTHS[language][value.month - 1]} {value.year}"
