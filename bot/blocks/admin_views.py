"""Confirmations before destructive changes, results of submitted forms, the charter import."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.blocks.admin_forms import modal, text_input
from bot.blocks.admin_ids import (
    CHARTER_CONFIRM_VIEW,
    CHARTER_IMPORT_VIEW,
    CONFIRM_VIEW,
    RESULT_VIEW,
    YAML_BLOCK,
)
from bot.blocks.admin_lists import packed
from bot.blocks.base import Block, clip, context, escape, plain, section
from bot.i18n import Catalog
from domain.admin_commitments import CommitmentLine
from domain.admin_questions import QuestionLine
from domain.charter_admin import Difference

# A pasted charter travels in the confirmation's private_metadata, which holds 3,000 characters.
MAX_YAML = 3000
MAX_DIFFERENCES = 60


def build_result_view(text: str, catalog: Catalog, locale: str | None) -> dict[str, Any]:
    """Return the modal that replaces a submitted form: what happened, and a close button."""
    return {
        "type": "modal",
        "callback_id": RESULT_VIEW,
        "title": plain(catalog.t(locale, "admin.form.result_title"), 24),
        "close": plain(catalog.t(locale, "admin.form.close"), 24),
        "blocks": [section(clip(text, 3000))],
    }


def build_archive_commitment(
    line: CommitmentLine, catalog: Catalog, locale: str | None
) -> dict[str, Any]:
    """Return the confirmation asked before archiving a commitment."""
    text = catalog.t(
        locale, "admin.confirm.commitment_archive", code=line.code, title=escape(line.title)
    )
    return _confirm("commitment.archive", {"code": line.code}, text, catalog, locale)


def build_archive_question(
    question: QuestionLine, catalog: Catalog, locale: str | None
) -> dict[str, Any]:
    """Return the confirmation asked before archiving a question."""
    wording = question.text_en if locale == "en" else question.text_fr
    text = catalog.t(
        locale, "admin.confirm.question_archive", code=question.code, text=escape(wording)
    )
    return _confirm("question.archive", {"code": question.code}, text, catalog, locale)


def build_revoke_role(user: str, role: str, catalog: Catalog, locale: str | None) -> dict[str, Any]:
    """Return the confirmation asked before taking a role back."""
    role_name = catalog.t(locale, f"admin.role.{role}")
    text = catalog.t(locale, "admin.confirm.role_revoke", user=user, role=role_name)
    return _confirm("role.revoke", {"user": user, "role": role}, text, catalog, locale)


def parse_confirmation(metadata: str) -> tuple[str, dict[str, str]]:
    """Return (action, arguments) from a confirmation's private_metadata; ValueError if bad."""
    data = json.loads(metadata)
    if not isinstance(data, dict) or not isinstance(data.get("action"), str):
        raise ValueError("malformed confirmation")
    arguments = data.get("arguments")
    if not isinstance(arguments, dict):
        raise ValueError("malformed confirmation")
    return data["action"], {str(k): str(v) for k, v in arguments.items()}


def _confirm(
    action: str, arguments: dict[str, str], text: str, catalog: Catalog, locale: str | None
) -> dict[str, Any]:
    blocks: list[Block] = [section(text), context(catalog.t(locale, "admin.confirm.hint"))]
    metadata = json.dumps({"action": action, "arguments": arguments})
    return modal(
        CONFIRM_VIEW,
        catalog.t(locale, "admin.confirm.title"),
        blocks,
        catalog,
        locale,
        metadata=metadata,
        submit=catalog.t(locale, "admin.confirm.submit"),
    )


def build_import_modal(catalog: Catalog, locale: str | None) -> dict[str, Any]:
    """Return the form where an admin pastes a charter file."""
    blocks: list[Block] = [
        text_input(
            YAML_BLOCK,
            catalog.t(locale, "admin.import.label"),
            multiline=True,
            max_length=MAX_YAML,
            hint=catalog.t(locale, "admin.import.hint"),
        ),
        context(catalog.t(locale, "admin.import.cli")),
    ]
    return modal(
        CHARTER_IMPORT_VIEW,
        catalog.t(locale, "admin.import.title"),
        blocks,
        catalog,
        locale,
        submit=catalog.t(locale, "admin.import.check"),
    )


def difference_lines(
    differences: Sequence[Difference], catalog: Catalog, locale: str | None
) -> list[str]:
    """Return one line per thing an import changes."""
    lines = [
        "• "
        + catalog.t(
            locale,
            f"admin.diff.{d.change}",
            kind=catalog.t(locale, f"admin.thing.{d.kind}"),
            code=escape(d.code),
            fields=", ".join(d.fields),
        )
        for d in differences[:MAX_DIFFERENCES]
    ]
    if len(differences) > MAX_DIFFERENCES:
        more = len(differences) - MAX_DIFFERENCES
        lines.append(catalog.t(locale, "admin.diff.more", count=more))
    return lines


def build_import_confirm(
    text: str, differences: Sequence[Difference], catalog: Catalog, locale: str | None
) -> dict[str, Any]:
    """Return what loading the pasted charter would change, to apply or cancel."""
    if not differences:
        return build_result_view(catalog.t(locale, "admin.import.nothing"), catalog, locale)
    title = catalog.t(locale, "admin.import.changes", count=len(differences))
    blocks = packed(f"*{title}*", difference_lines(differences, catalog, locale))
    blocks.append(context(catalog.t(locale, "admin.import.apply_hint")))
    return modal(
        CHARTER_CONFIRM_VIEW,
        catalog.t(locale, "admin.import.title"),
        blocks,
        catalog,
        locale,
        metadata=text,
        submit=catalog.t(locale, "admin.import.apply"),
    )


def build_import_done(
    differences: Sequence[Difference], catalog: Catalog, locale: str | None
) -> dict[str, Any]:
    """Return what the import changed."""
    title = catalog.t(locale, "admin.import.done", count=len(differences))
    lines = difference_lines(differences, catalog, locale)
    return build_result_view("\n".join([f"*{title}*", *lines]), catalog, locale)
