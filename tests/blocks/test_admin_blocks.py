"""Admin, Home and help builders stay within Slack's limits in both languages, whatever the data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.blocks.admin_forms import build_commitment_modal, build_question_modal
from bot.blocks.admin_lists import (
    build_commitments,
    build_done,
    build_questions,
    build_roles,
    build_schedule,
    build_schedules,
    build_services,
)
from bot.blocks.admin_stats import build_stats
from bot.blocks.admin_views import (
    build_archive_commitment,
    build_archive_question,
    build_import_confirm,
    build_import_done,
    build_import_modal,
    build_result_view,
    build_revoke_role,
    parse_confirmation,
)
from bot.blocks.audit import build_audit, build_audit_modal
from bot.blocks.help import build_help, build_unknown_command, build_usage
from bot.blocks.home import build_home
from bot.blocks.preview import build_preview
from bot.i18n import load_catalog
from bot.sandbox import validate_message, validate_view
from domain.admin_commitments import CommitmentChoices, CommitmentLine
from domain.admin_home import AdminHome, AgentHome, HomeData, OpenPulse, OwnerHome, PulseWindow
from domain.admin_questions import QuestionLine, QuestionList
from domain.admin_services import ScheduleInfo, ServiceLine
from domain.admin_stats import Stats
from domain.charter_admin import Change, Difference
from domain.pulse_view import PulseView, QuestionView
from domain.roles import Caller, RoleLine
from domain.scoring import Status
from storage.tables import AuditEntry
from tests.blocks.test_digest_blocks import card

CATALOG = load_catalog()
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
LONG = "Délai de traitement des demandes <urgentes> & « complexes » " * 10
LINE = CommitmentLine("SI-01", "SI", LONG[:300], None, "csat", 85.5, 5, 30, ("U1", "U2"), 3)
QUESTION = QuestionLine("SI-01-Q1", "rating_5", LONG[:150], "How was it?", 1, True)
LOCALES = ["fr", "en"]


def _modal_ok(view: dict[str, Any]) -> None:
    assert validate_view(view) == []
    assert view["type"] == "modal"


@pytest.mark.parametrize("locale", LOCALES)
def test_forms_and_confirmations_are_valid_modals(locale: str) -> None:
    services = (*((f"S{i:03d}", LONG) for i in range(150)), ("SI", "Informatique"))
    choices = CommitmentChoices(services=services)
    add = build_commitment_modal(choices, CATALOG, locale)
    edit = build_commitment_modal(choices, CATALOG, locale, line=LINE)
    for view in (
        add,
        edit,
        build_question_modal("SI-01", CATALOG, locale),
        build_question_modal("SI-01", CATALOG, locale, question=QUESTION),
        build_archive_commitment(LINE, CATALOG, locale),
        build_archive_question(QUESTION, CATALOG, locale),
        build_revoke_role("U0SOMEONE", "admin", CATALOG, locale),
        build_import_modal(CATALOG, locale),
        build_result_view(LONG * 10, CATALOG, locale),
    ):
        _modal_ok(view)
    inputs = {b["block_id"]: b["element"] for b in edit["blocks"] if b["type"] == "input"}
    assert inputs["threshold"]["initial_value"] == ("85,5" if locale == "fr" else "85.5")
    assert len(inputs["service"]["options"]) == 100
    assert inputs["service"]["initial_option"]["value"] == "SI"
    confirm = build_revoke_role("U0SOMEONE", "owner", CATALOG, locale)
    assert parse_confirmation(confirm["private_metadata"]) == (
        "role.revoke",
        {"user": "U0SOMEONE", "role": "owner"},
    )


def test_a_malformed_confirmation_is_refused() -> None:
    for metadata in ("", "[]", '{"action": "x"}', '{"action": 1, "arguments": {}}'):
        with pytest.raises(ValueError):
            parse_confirmation(metadata)


@pytest.mark.parametrize("locale", LOCALES)
def test_lists_and_results_fit_in_a_message(locale: str) -> None:
    many = 400
    messages = [
        build_services(
            [ServiceLine(f"S{i}", LONG, None, i % 2 == 0, ("U1",), i) for i in range(many)],
            CATALOG,
            locale,
        ),
        build_commitments([LINE] * many, CATALOG, locale),
        build_questions(QuestionList("SI-01", LONG, tuple([QUESTION] * many)), CATALOG, locale),
        build_roles([RoleLine("U1", "admin", None, None, True)] * many, CATALOG, locale),
        build_schedules([ScheduleInfo("U1", "mon 09:00", None)] * many, CATALOG, locale),
        build_schedule(ScheduleInfo("U1", "mon 09:00", NOW), PARIS, CATALOG, locale),
        build_done(
            Change("commitment.owners", "SI-01", {"owners": ["U1"]}, {"owners": ["U2"]}),
            CATALOG,
            locale,
        ),
        build_done(Change("commitment.window_days", "SI-01", {"x": 1}, {"x": 1}), CATALOG, locale),
        build_help("admin", CATALOG, locale),
        build_usage("commitment_threshold", CATALOG, locale),
        build_unknown_command("x" * 3000, "help", CATALOG, locale),
        build_stats(
            Stats(None, tuple(card(i, Status.BELOW) for i in range(60)), NOW), CATALOG, locale
        ),
        build_stats(Stats("SI", (), NOW), CATALOG, locale),
    ]
    for message in messages:
        assert validate_message(message.as_kwargs()) == [], message.text


def test_changes_read_the_locale_s_way() -> None:
    change = Change("commitment.threshold", "SI-01", {"threshold": 80.0}, {"threshold": 85.5})
    assert "80 → 85,5" in build_done(change, CATALOG, "fr").text
    assert "80 → 85.5" in build_done(change, CATALOG, "en").text
    owners = Change("commitment.owners", "SI-01", {"owners": ["U0A1"]}, {"owners": ["U0B2"]})
    assert "<@U0A1> → <@U0B2>" in build_done(owners, CATALOG, "fr").text
    role = Change("role.revoke", "U0A1", {"role": "admin"}, None)
    assert "<@U0A1>" in build_done(role, CATALOG, "fr").text
    service = Change("service.pause", "URSSAF", {"paused": False}, {"paused": True})
    assert "*URSSAF*" in build_done(service, CATALOG, "fr").text
    assert "non → oui" in build_done(service, CATALOG, "fr").text


@pytest.mark.parametrize("locale", LOCALES)
def test_audit_and_imports_fit_whatever_their_size(locale: str) -> None:
    entries = [
        AuditEntry(
            id=i,
            at=NOW,
            actor="U1",
            action="charter.import",
            target="charter",
            before=None,
            after={"changes": [{"kind": "question", "code": LONG[:48], "change": "created"}] * 80},
        )
        for i in range(30)
    ]
    assert validate_message(build_audit(entries, PARIS, CATALOG, locale).as_kwargs()) == []
    _modal_ok(build_audit_modal(entries, PARIS, CATALOG, locale))
    _modal_ok(build_audit_modal([], PARIS, CATALOG, locale))
    differences = [Difference("commitment", f"C{i}", "updated", ("threshold",)) for i in range(200)]
    confirm = build_import_confirm("version: 1\n" * 300, differences, CATALOG, locale)
    _modal_ok(confirm)
    assert len(confirm["private_metadata"]) <= 3000
    _modal_ok(build_import_confirm("x", [], CATALOG, locale))
    _modal_ok(build_import_done(differences, CATALOG, locale))


def _home(locale: str, cards: int, *, opted_out: bool = False) -> HomeData:
    caller = Caller("U1", locale, admin=True, owner=True, owned=frozenset({1}))
    agent = AgentHome(
        open_pulses=tuple(OpenPulse(LONG, NOW, NOW + timedelta(days=7)) for _ in range(10)),
        answered=3,
        slack_locale="fr-FR",
        opted_out=opted_out,
    )
    owner = OwnerHome(tuple(card(i, Status.OK) for i in range(cards)), "mon 09:00", NOW)
    admin = AdminHome(
        services=5,
        paused=tuple(f"S{i}" for i in range(50)),
        commitments=13,
        questions=30,
        windows=(PulseWindow(7, 200, 43, 2), PulseWindow(30, 0, 0, 0)),
        backlog=12,
        oldest_due=NOW - timedelta(hours=2, minutes=5),
    )
    return HomeData(caller, agent, owner, admin, NOW)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_home_tab_stays_within_100_blocks_and_formats_for_the_reader(locale: str) -> None:
    view = build_home(_home(locale, 80), CATALOG, PARIS, last_slack_error="x" * 5000)
    assert validate_view(view) == []
    assert len(view["blocks"]) <= 100
    text = str(view)
    if locale == "fr":
        assert "21,5\\u202f%" in text  # 43 answered of 200 sent
        assert "2 h 05" in text
    else:
        assert "21.5%" in text
    opted = build_home(_home(locale, 0, opted_out=True), CATALOG, PARIS, last_slack_error=None)
    assert validate_view(opted) == []
    assert "home.opt_in" in str(opted)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_preview_is_marked_and_its_buttons_are_not_pulse_buttons(locale: str) -> None:
    view = PulseView(
        pulse_id=0,
        recipient="U1",
        locale=locale,
        service_name="",
        reference=None,
        summary=None,
        commitment_title=LONG[:300],
        questions=(QuestionView(7, "nps_10", "Recommanderiez-vous ?"),),
        comment_prompt="Un mot ?",
    )
    first = build_preview(view, 0, "SI-01", CATALOG)
    assert validate_message(first.as_kwargs()) == []
    actions = [e for b in first.blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(actions) == 11
    assert all(e["action_id"].startswith("admin.preview.") for e in actions)
    assert {e["value"] for e in actions} == {f"SI-01:{locale}:0"}
    end = build_preview(view, 1, "SI-01", CATALOG)
    assert validate_message(end.as_kwargs()) == []
    assert "Un mot ?" in str(end.blocks)
    empty = build_preview(
        PulseView(0, "U1", locale, "IT", None, None, "T", (), None), 0, "X", CATALOG
    )
    assert validate_message(empty.as_kwargs()) == []
