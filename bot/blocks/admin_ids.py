"""Identifiers of the administration surfaces, shared by the builders and their listeners."""

from __future__ import annotations

import re

COMMAND = "/ecoute"
# Every input of every form uses this action_id; its block_id names the field.
INPUT = "value"
COMMITMENT_ADD_VIEW = "admin.commitment.add"
COMMITMENT_EDIT_VIEW = "admin.commitment.edit"
QUESTION_ADD_VIEW = "admin.question.add"
QUESTION_EDIT_VIEW = "admin.question.edit"
CHARTER_IMPORT_VIEW = "admin.charter.import"
CHARTER_CONFIRM_VIEW = "admin.charter.confirm"
CONFIRM_VIEW = "admin.confirm"
RESULT_VIEW = "admin.result"
AUDIT_VIEW = "admin.audit"
YAML_BLOCK = "yaml"
COMMON_SERVICE = "-"
PREVIEW_ACTION_PREFIX = "admin.preview."
PREVIEW_ACTION = re.compile(r"^admin\.preview\.\d+$")
HOME_OPT_OUT = "home.opt_out"
HOME_OPT_IN = "home.opt_in"
HOME_EXPORT = "home.charter_export"
HOME_IMPORT = "home.charter_import"
HOME_AUDIT = "home.audit"


def preview_value(code: str, locale: str, index: int) -> str:
    """Encode where a preview stands as a button value."""
    return f"{code}:{locale}:{index}"


def parse_preview_value(value: str) -> tuple[str, str, int]:
    """Decode a preview button value into (code, locale, index); ValueError if malformed."""
    code, locale, index = value.rsplit(":", 2)
    return code, locale, int(index)
