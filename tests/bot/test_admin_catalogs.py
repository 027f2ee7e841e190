"""The admin, home and help catalogs: every key the code builds exists, and none is unused."""

from __future__ import annotations

import re
from pathlib import Path

from bot.blocks.help import ADMINS, EVERYONE, OWNERS
from bot.i18n import load_catalog
from domain.charter_schema import METRICS, QUESTION_KINDS

ROOT = Path(__file__).resolve().parents[2]
AREAS = ("admin.", "home.", "help.")
LITERAL = re.compile(r"""["']((?:admin|home|help)\.[a-z_.0-9]+)["']""")
FORM_KEY = re.compile(r"""\bt\("([a-z_]+)\"""")
# Actions the audit log records (domain.*: `action=` arguments and f"commitment.{field}").
ACTIONS = [
    *(f"commitment.{name}" for name in ("add", "edit", "threshold", "window_days")),
    *(f"commitment.{name}" for name in ("min_responses", "owners", "archive")),
    *(f"question.{name}" for name in ("add", "edit", "reorder", "archive")),
    "service.pause",
    "service.resume",
    "schedule.set",
    "role.grant",
    "role.revoke",
    "charter.import",
    *(f"plan.{name}" for name in ("open", "done", "dropped", "note")),
    *(f"plan.action_{name}" for name in ("done", "dropped")),
]


def _code() -> str:
    folders = ("bot", "handlers", "domain")
    return "\n".join(
        path.read_text(encoding="utf-8")
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
        if "sandbox" not in path.parts
    )


def _built_keys() -> set[str]:
    """Return the keys the code names literally or builds from a known family."""
    code = _code()
    keys = set(LITERAL.findall(code))
    forms = (ROOT / "bot" / "blocks" / "admin_forms.py").read_text(encoding="utf-8")
    keys |= {f"admin.form.{key}" for key in FORM_KEY.findall(forms)}
    keys |= {f"admin.kind.{kind}" for kind in QUESTION_KINDS}
    keys |= {f"admin.metric.{metric}" for metric in METRICS}
    keys |= {f"admin.role.{role}" for role in ("admin", "owner", "agent")}
    keys |= {f"admin.thing.{kind}" for kind in ("service", "commitment", "question", "schedule")}
    keys |= {f"admin.diff.{change}" for change in ("created", "updated", "archived")}
    for kind in ("commitment", "service", "question", "code"):
        keys |= {f"admin.unknown.{kind}", f"admin.unknown.{kind}_suggest"}
    keys |= {f"help.{name}" for name in (*EVERYONE, *OWNERS, *ADMINS)}
    keys |= {f"home.language.{language}" for language in ("fr", "en")}
    keys |= {f"admin.action.{action.replace('.', '_')}" for action in ACTIONS}
    return keys


def test_every_key_the_code_builds_exists_in_both_languages() -> None:
    catalog = load_catalog()
    built = {key for key in _built_keys() if key.startswith(AREAS)}
    # Block and action ids share the dotted style: only catalog-shaped families count here.
    ids = {"admin.audit", "admin.confirm", "admin.result", "admin.preview."}
    ids |= {key for key in built if key.startswith(("admin.charter.", "admin.commitment."))}
    ids |= {key for key in built if key.startswith(("admin.question.", "home.charter_"))}
    ids |= {"home.opt_out", "home.opt_in", "home.audit", "home.admin", "home.choices"}
    missing = {key for key in built - ids if key not in catalog.keys("fr")}
    assert missing == set()
    assert catalog.keys("fr") == catalog.keys("en")


def test_no_key_of_these_areas_is_unused() -> None:
    catalog = load_catalog()
    built = _built_keys()
    mine = {key for key in catalog.keys("fr") if key.startswith(AREAS)}
    # Field names are looked up by the name of whatever field changed.
    unused = {key for key in mine - built if not key.startswith("admin.field_name.")}
    assert unused == set()
