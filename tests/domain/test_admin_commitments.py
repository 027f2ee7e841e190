"""Commitments changed from Slack follow the charter's rules, and every change is audited."""

from __future__ import annotations

import pytest
from sqlmodel import select

from domain.admin_commitments import (
    CommitmentForm,
    add_commitment,
    archive_commitment,
    edit_commitment,
    list_commitments,
    set_min_responses,
    set_owners,
    set_threshold,
    set_window,
)
from domain.charter import read_charter
from domain.charter_admin import FieldErrors, UnknownCode
from domain.roles import AdminsOnly, OwnersOnly
from storage.engine import Database
from storage.tables import Question
from tests.domain.admin_fixtures import ADMIN, AGENT, NOW, audit_rows, commitment, load, owner

FORM = CommitmentForm(
    code="si-02",
    service="SI",
    title="Poste livré en 5 jours",
    title_en="Laptop delivered within 5 days",
    metric="csat",
    threshold="85,5",
    min_responses="10",
    window_days="60",
    owners=("<@U0SI0QUAL|sophie>",),
    kind="rating_5",
    text_fr="Êtes-vous satisfait de la livraison ?",
    text_en="Are you satisfied with the delivery?",
)


async def test_threshold_is_set_and_audited(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        change = await set_threshold(session, caller=ADMIN, code="si-01", value="85", now=NOW)
    assert change.before == {"threshold": 80.0}
    assert change.after == {"threshold": 85.0}
    assert (await commitment(database, "SI-01")).threshold == 85.0
    [entry] = await audit_rows(database)
    assert (entry.actor, entry.action, entry.target) == ("U0ADMIN", "commitment.threshold", "SI-01")
    assert (entry.before, entry.after) == ({"threshold": 80.0}, {"threshold": 85.0})


async def test_the_same_value_again_changes_nothing_and_writes_no_audit(
    database: Database,
) -> None:
    await load(database)
    async with database.begin() as session:
        change = await set_window(session, caller=ADMIN, code="SI-01", value="30", now=NOW)
    assert not change.changed
    assert await audit_rows(database) == []


@pytest.mark.parametrize(
    ("setter", "value", "field", "key"),
    [
        (set_threshold, "120", "threshold", "admin.field.range"),
        (set_threshold, "beaucoup", "threshold", "admin.field.number"),
        (set_window, "3", "window_days", "admin.field.range"),
        (set_window, "trente", "window_days", "admin.field.whole_number"),
        (set_min_responses, "2", "min_responses", "admin.field.range"),
    ],
)
async def test_wrong_values_are_refused_field_by_field(
    database: Database, setter, value: str, field: str, key: str
) -> None:
    await load(database)
    async with database.begin() as session:
        with pytest.raises(FieldErrors) as refused:
            await setter(session, caller=ADMIN, code="SI-01", value=value, now=NOW)
    assert refused.value.problems[field][0] == key
    assert refused.value.key == key
    assert await audit_rows(database) == []


async def test_nps_thresholds_may_be_negative(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        await set_threshold(session, caller=ADMIN, code="RH-01", value="-10", now=NOW)
    assert (await commitment(database, "RH-01")).threshold == -10.0


async def test_a_typo_gets_a_suggestion(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        with pytest.raises(UnknownCode) as unknown:
            await set_window(session, caller=ADMIN, code="SI01", value="30", now=NOW)
    assert unknown.value.key == "admin.unknown.commitment_suggest"
    assert unknown.value.params["suggestion"] == "SI-01"


async def test_agents_and_owners_cannot_change_commitments(database: Database) -> None:
    await load(database)
    si_owner = await owner(database)
    async with database.begin() as session:
        with pytest.raises(AdminsOnly):
            await set_threshold(session, caller=AGENT, code="SI-01", value="85", now=NOW)
        with pytest.raises(AdminsOnly):
            await set_threshold(session, caller=si_owner, code="SI-01", value="85", now=NOW)
        with pytest.raises(OwnersOnly):
            await list_commitments(session, caller=AGENT)
        listed = await list_commitments(session, caller=si_owner)
    assert [line.code for line in listed] == ["SI-01"]


async def test_add_creates_the_commitment_and_its_first_question(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        change = await add_commitment(session, caller=ADMIN, form=FORM, now=NOW)
    assert change.after is not None
    assert change.after["question"] == "SI-02-Q1"
    created = await commitment(database, "SI-02")
    assert (created.threshold, created.min_responses, created.window_days) == (85.5, 10, 60)
    assert created.owners == ["U0SI0QUAL"]
    async with database.begin() as session:
        question = (await session.exec(select(Question).where(Question.code == "SI-02-Q1"))).one()
    assert question.kind == "rating_5"
    assert [e.action for e in await audit_rows(database)] == ["commitment.add"]


async def test_add_reports_every_wrong_field_at_once(database: Database) -> None:
    await load(database)
    form = CommitmentForm(
        code="SI-01",
        service="XX",
        title="",
        metric="nps",
        threshold="50",
        min_responses="1",
        window_days="1000",
        owners=("nobody",),
        kind="rating_5",
        text_fr="ok",
        text_en="x" * 151,
    )
    async with database.begin() as session:
        with pytest.raises(FieldErrors) as refused:
            await add_commitment(session, caller=ADMIN, form=form, now=NOW)
    problems = {field: key for field, (key, _) in refused.value.problems.items()}
    assert problems == {
        "code": "admin.field.code_taken",
        "service": "admin.field.choice",
        "title": "admin.field.required",
        "metric": "admin.field.metric_kind",
        "min_responses": "admin.field.range",
        "window_days": "admin.field.range",
        "owners": "admin.field.user",
        "text_en": "admin.field.too_long",
    }


async def test_edit_changes_only_what_differs(database: Database) -> None:
    await load(database)
    form = CommitmentForm(
        title="Incident bloquant traité dans la journée",
        title_en="Blocking incident handled within the day",
        service="SI",
        metric="csat",
        threshold="80",
        min_responses="5",
        window_days="45",
        owners=("U0SI0QUAL", "U0RH0QUAL"),
    )
    async with database.begin() as session:
        change = await edit_commitment(session, caller=ADMIN, code="SI-01", form=form, now=NOW)
    assert change.before == {"window_days": 30, "owners": ["U0SI0QUAL"]}
    assert change.after == {"window_days": 45, "owners": ["U0SI0QUAL", "U0RH0QUAL"]}


async def test_owners_need_at_least_one_valid_user(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        with pytest.raises(FieldErrors) as refused:
            await set_owners(session, caller=ADMIN, code="SI-01", owners=[], now=NOW)
        assert refused.value.key == "admin.field.owners_required"
        await set_owners(session, caller=ADMIN, code="SI-01", owners=["<@U0RH0QUAL>"], now=NOW)
    assert (await commitment(database, "SI-01")).owners == ["U0RH0QUAL"]


async def test_archiving_keeps_the_rows_and_stops_the_questions(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        await archive_commitment(session, caller=ADMIN, code="RH-01", now=NOW)
    archived = await commitment(database, "RH-01")
    assert archived.archived_at == NOW
    async with database.begin() as session:
        questions = (
            await session.exec(select(Question).where(Question.commitment_id == archived.id))
        ).all()
        spec = await read_charter(session)
    assert [q.active for q in questions] == [False]
    assert [c.code for c in spec.commitments] == ["SI-01"]
    assert [e.action for e in await audit_rows(database)] == ["commitment.archive"]
