"""Load the YAML catalogs (one file per area and language) and look messages up."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CATALOGS = Path(__file__).parent / "catalogs"
LOCALES = ("fr", "en")


def normalize_locale(locale: str | None, default: str = "fr") -> str:
    """Map a Slack locale (`fr-FR`, `en-GB`, ...) to a catalog language, else `default`."""
    if locale:
        language = locale.replace("_", "-").split("-")[0].lower()
        if language in LOCALES:
            return language
    return default


@dataclass(frozen=True)
class Catalog:
    """All messages, by language then dotted key (`area.key`)."""

    messages: dict[str, dict[str, str]]
    default_locale: str = "fr"

    def t(self, locale: str | None, key: str, **params: Any) -> str:
        """Return the message `key` in `locale` (or the default), filled with `params`."""
        language = normalize_locale(locale, self.default_locale)
        template = self.messages[language].get(key) or self.messages[self.default_locale][key]
        return template.format(**params) if params else template

    def keys(self, locale: str) -> set[str]:
        """Return every key the language defines."""
        return set(self.messages[locale])


def _flatten(prefix: str, tree: dict[str, Any], into: dict[str, str]) -> None:
    for key, value in tree.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            _flatten(name, value, into)
        else:
            into[name] = str(value)


@cache
def _read(directory: Path) -> dict[str, dict[str, str]]:
    messages: dict[str, dict[str, str]] = {}
    for locale in LOCALES:
        flat: dict[str, str] = {}
        for path in sorted((directory / locale).glob("*.yaml")):
            tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            _flatten(path.stem, tree, flat)
        messages[locale] = flat
    return messages


def load_catalog(default_locale: str = "fr", directory: Path = CATALOGS) -> Catalog:
    """Load every catalog file under `directory` (read once per process)."""
    return Catalog(messages=_read(directory), default_locale=default_locale)
