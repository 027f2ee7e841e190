"""Questions changed from Slack: added at the end, reworded, reordered, archived, previewed."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from domain.admin_questions import (
    add_question,
    archive_question,
    edit_question,
    list_questions,
    preview_pulse,
    reorder_questions,
)
from domain.charter_admin import FieldErrors, UnknownCode
from domain.roles import OwnersOnly
from storage.engine import Database
from storage.tables import Answer, Question
from tests.domain.admin_fixtures import ADMIN, AGENT, NOW, audit_rows, load, owner


async def _questions(database: Database, prefix: str) -> list[Question]:
    async with database.begin() as session:
        rows = await session.exec(
            select(Question)
            .where(col(Question.code).startswith(prefix))
            .order_by(col(Question.position))
        )
        return list(rows.all())


async def test_add_puts_the_question_last_with_a_fresh_code(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        change = await add_question(
            session,
            caller=ADMIN,
            commitment="si-01",
            kind="yes_no",
            text_fr="Le technicien était-il aimable ?",
            text_en="Was the technician friendly?",
            now=NOW,
        )
    assert change.after is not None
    assert change.after["code"] == "SI-01-Q4"
    assert [q.code for q in await _questions(database, "SI-01")][-1] == "SI-01-Q4"


async def test_a_second_text_question_is_refused(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        with pytest.raises(FieldErrors) as refused:
            await add_question(
                session,
                caller=ADMIN,
                commitment="SI-01",
                kind="text",
                text_fr="Un mot ?",
                text_en="A word?",
                now=NOW,
            )
    assert refused.value.problems["kind"][0] == "admin.field.one_text"


async def test_edit_rewords_and_audits_the_difference(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        change = await edit_question(
            session,
            caller=ADMIN,
            code="SI-01-Q2",
            text_fr="L'incident a-t-il été résolu le jour même ?",
            text_en="Was the incident solved within the day?",
            now=NOW,
        )
    assert change.after == {"fr": "L'incident a-t-il été résolu le jour même ?"}
    [entry] = await audit_rows(database)
    assert entry.action == "question.edit"


async def test_reorder_accepts_short_codes_and_keeps_the_rest(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        await reorder_questions(
            session, caller=ADMIN, commitment="SI-01", codes=["q3", "SI-01-Q2"], now=NOW
        )
    assert [q.code for q in await _questions(database, "SI-01")] == [
        "SI-01-Q3",
        "SI-01-Q2",
        "SI-01-Q1",
    ]


async def test_reorder_refuses_another_commitments_question(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        with pytest.raises(FieldErrors) as refused:
            await reorder_questions(
                session, caller=ADMIN, commitment="SI-01", codes=["RH-01-Q1"], now=NOW
            )
        assert refused.value.key == "admin.field.not_in"
        with pytest.raises(UnknownCode):
            await reorder_questions(
                session, caller=ADMIN, commitment="SI-01", codes=["ZZ-99"], now=NOW
            )


async def test_archive_keeps_answers_and_refuses_to_leave_the_metric_blind(
    database: Database,
) -> None:
    await load(database)
    async with database.begin() as session:
        await archive_question(session, caller=ADMIN, code="SI-01-Q2", now=NOW)
        with pytest.raises(FieldErrors) as refused:
            await archive_question(session, caller=ADMIN, code="SI-01-Q1", now=NOW)
    assert refused.value.key == "admin.field.metric_kind"
    rows = {q.code: q.active for q in await _questions(database, "SI-01")}
    assert rows == {"SI-01-Q1": True, "SI-01-Q2": False, "SI-01-Q3": True}
    async with database.begin() as session:
        listed = await list_questions(session, caller=ADMIN, commitment="SI-01")
        assert (await session.exec(select(Answer))).all() == []
    assert [(q.code, q.active) for q in listed.questions][-1] == ("SI-01-Q2", False)


async def test_preview_speaks_the_chosen_language_and_stores_nothing(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        view = await preview_pulse(session, caller=ADMIN, code="SI-01-Q3", locale="en")
    assert view.pulse_id == 0
    assert view.service_name == "IT"
    assert [q.kind for q in view.questions] == ["rating_5", "yes_no"]
    assert view.comment_prompt == "A word for the IT team?"


async def test_owners_preview_their_own_commitments_only(database: Database) -> None:
    await load(database)
    si_owner = await owner(database)
    async with database.begin() as session:
        assert (await preview_pulse(session, caller=si_owner, code="SI-01", locale="fr")).questions
        with pytest.raises(OwnersOnly):
            await preview_pulse(session, caller=si_owner, code="RH-01", locale="fr")
        with pytest.raises(OwnersOnly):
            await list_questions(session, caller=AGENT, commitment="SI-01")
