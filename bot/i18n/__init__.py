"""Message catalogs (French default, English complete) and locale-aware formatting."""

from bot.i18n.catalog import Catalog, load_catalog, normalize_locale
from bot.i18n.formatting import format_date, format_number, format_percent

__all__ = [
    "Catalog",
    "format_date",
    "format_number",
    "format_percent",
    "load_catalog",
    "normalize_locale",
]
