"""Plan builders: both languages, Slack's limits, the note's preview within private_metadata."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.blocks.digest import DigestContent, build_digest
from bot.blocks.plan_forms import build_note_preview, build_plan_modal
from bot.blocks.plan_ids import parse_note_metadata
from bot.blocks.plan_notices import build_note_message
from bot.i18n import load_catalog
from bot.sandbox import validate_message, validate_view
from domain.plan_effects import AFTER_OPENED, PlanDigest, PlanEffect
from domain.plan_notes import MAX_NOTE, NotePreview, NoteToSend
from domain.plan_views import PlanLine
from domain.scoring import Figure, Status
from domain.stats_math import Interval
from domain.tallies import Span
from storage.tables import Commitment, PlanStatus
from tests.blocks.test_digest_blocks import card

CATALOG = load_catalog()
NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)


def _line() -> PlanLine:
    return PlanLine(
        id=7,
        commitment_id=1,
        code="SI-01",
        title="Incident traité dans la journée",
        title_en="Incident handled within the day",
        owner="U1",
        summary="Astreinte",
        status=PlanStatus.DONE,
        reason=None,
        window_days=30,
        opened_at=NOW - timedelta(days=40),
        closed_at=NOW - timedelta(days=10),
        actions=(),
        note=None,
    )


def test_the_digest_tells_a_done_plans_effect_in_english() -> None:
    fallen = card(1, Status.BREACHED)
    span = Span(NOW, NOW)
    effect = PlanEffect(
        before=Figure(12, 12, Interval(45.0, 30.0, 60.0), Status.BREACHED),
        after=Figure(9, 9, Interval(82.0, 70.0, 90.0), Status.OK),
        basis=AFTER_OPENED,
        before_span=span,
        after_span=span,
    )
    plan = PlanDigest(7, PlanStatus.DONE, NOW, NOW, 2, 3, effect)
    content = DigestContent(
        owner="U1",
        locale="en",
        period_date=date(2026, 3, 2),
        cards=[fallen],
        comments={},
        plans={1: plan},
    )
    message = build_digest(content, CATALOG)
    assert validate_message(message.as_kwargs()) == []
    text = str(message.blocks)
    assert "Plan #7 done on 2 March 2026: before the plan 45% (12 respondents)" in text
    assert "→ after 82% (9 respondents) (since it opened, same length)" in text
    assert "plan.open" in text  # still breached: a new plan may be opened


def test_the_plan_form_offers_five_actions_with_pickers() -> None:
    commitment = Commitment(id=1, code="SI-01", title="Incident", metric="csat", threshold=80)
    view = build_plan_modal(commitment, CATALOG, "en", today=date(2026, 3, 2))
    assert validate_view(view) == []
    kinds = [b["element"]["type"] for b in view["blocks"] if b["type"] == "input"]
    assert kinds.count("users_select") == kinds.count("datepicker") == 5
    assert view["title"]["text"] == "Action plan"


def test_the_longest_note_fits_in_its_preview() -> None:
    text, english = "é" * MAX_NOTE, "«»" * (MAX_NOTE // 2)
    preview = NotePreview(_line(), text, english, 7, 1, 2)
    view = build_note_preview(preview, CATALOG, "fr")
    assert validate_view(view) == []
    assert len(view["private_metadata"]) <= 3000
    assert parse_note_metadata(view["private_metadata"]) == (7, text, english)


def test_the_note_reads_in_the_recipients_language_and_names_nobody() -> None:
    note = NoteToSend(1, "U9", "en", "Lunch is covered", "SI-01", "Incident handled")
    message = build_note_message(note, CATALOG)
    assert validate_message(message.as_kwargs()) == []
    assert message.text == "You said, we did: Incident handled"
    assert "U9" not in str(message.blocks)
