"""French and English catalogs are complete, and every key the code names exists."""

from __future__ import annotations

import re
from pathlib import Path

from bot.i18n import format_percent, load_catalog

ROOT = Path(__file__).resolve().parents[2]
# Keys passed to Catalog.t(locale, "area.key", ...) and DomainError classes' `key = "..."`.
KEY_IN_CODE = re.compile(r"""(?:\.t\(\s*[^,()]+,\s*|\bkey\s*=\s*)["']([a-z_]+\.[a-z_.0-9]+)["']""")


def test_both_languages_define_the_same_keys() -> None:
    catalog = load_catalog()
    assert catalog.keys("fr") == catalog.keys("en")


def test_every_key_used_in_the_code_exists() -> None:
    catalog = load_catalog()
    used: set[str] = set()
    for folder in ("bot", "handlers", "scheduler", "domain"):
        for path in (ROOT / folder).rglob("*.py"):
            if "sandbox" in path.parts:
                continue
            used.update(KEY_IN_CODE.findall(path.read_text(encoding="utf-8")))
    missing = {key for key in used if key not in catalog.keys("fr")}
    # Prefixes built in code (f"pulse.hint.{kind}") are checked by their full names below.
    missing -= {key for key in missing if key.endswith(".")}
    assert missing == set()
    for kind in ("nps_10", "effort_7"):
        assert f"pulse.hint.{kind}" in catalog.keys("fr")


def test_percentages_are_written_the_french_way() -> None:
    assert format_percent(21.5, "fr") == "21,5\u202f%"
    assert format_percent(21.5, "en") == "21.5%"
