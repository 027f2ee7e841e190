"""Identifiers shared by the builders and the listeners that `register()` them."""

from __future__ import annotations

import re

ANSWER_ACTION_PREFIX = "pulse.answer."
ANSWER_ACTION = re.compile(r"^pulse\.answer\.\d+$")
COMMENT_ACTION = "pulse.comment"
COMMENT_VIEW = "pulse.comment"
COMMENT_BLOCK = "comment"
COMMENT_INPUT = "text"
SETTLED_ACTION = re.compile(r"^pulse\.settled\.(yes|no)$")
SETTLED_YES = "pulse.settled.yes"
SETTLED_NO = "pulse.settled.no"
OPT_OUT_ACTION = "pulse.opt_out"
OPT_IN_ACTION = "pulse.opt_in"
PULSE_METADATA_TYPE = "ecoute_pulse"


def answer_value(pulse_id: int, question_id: int, value: int) -> str:
    """Encode a choice as a button value."""
    return f"{pulse_id}:{question_id}:{value}"


def parse_answer_value(value: str) -> tuple[int, int, int]:
    """Decode a button value into (pulse id, question id, value); ValueError if malformed."""
    pulse_id, question_id, choice = value.split(":")
    return int(pulse_id), int(question_id), int(choice)
