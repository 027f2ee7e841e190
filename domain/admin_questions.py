"""Questions from Slack: add, edit, reorder, archive, and a preview of the pulse they make."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import changed
from domain.charter import read_charter
from domain.charter_admin import (
    Change,
    Data,
    Problem,
    UnknownCode,
    active_kinds,
    change_charter,
    check_text,
    check_threshold,
    find_commitment,
    find_question,
    raise_problems,
)
from domain.charter_schema import MAX_QUESTION_TEXT, QUESTION_KINDS
from domain.pulse_view import BUTTON_KINDS, PulseView, QuestionView, localized
from domain.roles import Caller, OwnersOnly
from domain.selection import MAX_QUESTIONS
from storage.tables import Commitment, Question, Service


@dataclass(frozen=True)
class QuestionLine:
    """A question as lists and the edit form show it."""

    code: str
    kind: str
    text_fr: str
    text_en: str
    position: int
    active: bool


@dataclass(frozen=True)
class QuestionList:
    """A commitment's questions, the archived ones last."""

    commitment: str
    title: str
    questions: tuple[QuestionLine, ...]


async def list_questions(session: AsyncSession, *, caller: Caller, commitment: str) -> QuestionList:
    """Return every question of a commitment, archived ones included (owners and admins)."""
    data = (await read_charter(session)).model_dump(mode="json")
    found = find_commitment(data, commitment, locale=caller.locale)
    row = await _row(session, found["code"])
    if not caller.may_read(row.id or 0):
        raise OwnersOnly(locale=caller.locale)
    rows = (
        await session.exec(
            select(Question)
            .where(Question.commitment_id == row.id)
            .order_by(col(Question.active).desc(), col(Question.position), col(Question.id))
        )
    ).all()
    return QuestionList(
        commitment=row.code,
        title=localized(caller.locale, row.title, row.title_en),
        questions=tuple(
            QuestionLine(q.code, q.kind, q.text_fr, q.text_en, q.position, q.active) for q in rows
        ),
    )


async def find_question_line(session: AsyncSession, *, caller: Caller, code: str) -> QuestionLine:
    """Return one active question, to fill its edit form or its confirmation."""
    caller.require_admin()
    data = (await read_charter(session)).model_dump(mode="json")
    _, question = find_question(data, code, locale=caller.locale)
    return QuestionLine(
        question["code"],
        question["kind"],
        question["text"]["fr"],
        question["text"]["en"],
        question["position"],
        question["active"],
    )


async def add_question(
    session: AsyncSession,
    *,
    caller: Caller,
    commitment: str,
    kind: str | None,
    text_fr: str | None,
    text_en: str | None,
    now: datetime,
) -> Change:
    """Add a question at the end of a commitment's pulse."""
    caller.require_admin()
    taken = set((await session.exec(select(Question.code))).all())

    def edit(data: Data) -> tuple[Data | None, Data | None]:
        found = find_commitment(data, commitment, locale=caller.locale)
        problems: dict[str, Problem] = {}
        chosen = (kind or "").strip()
        if chosen not in QUESTION_KINDS:
            problems["kind"] = ("admin.field.choice", {"choices": ", ".join(QUESTION_KINDS)})
        elif chosen == "text" and "text" in active_kinds(found):
            problems["kind"] = ("admin.field.one_text", {})
        texts = _texts(problems, text_fr, text_en)
        raise_problems(problems, caller.locale)
        stem = found["code"]
        code = next(f"{stem}-Q{n}" for n in range(1, 1000) if f"{stem}-Q{n}" not in taken)
        position = max((q["position"] for q in found["questions"]), default=0) + 1
        question = {"code": code, "kind": chosen, "text": texts, "position": position}
        found["questions"].append({**question, "active": True})
        return None, question

    return await change_charter(
        session, caller=caller, action="question.add", target=commitment.upper(), edit=edit, now=now
    )


async def edit_question(
    session: AsyncSession,
    *,
    caller: Caller,
    code: str,
    text_fr: str | None,
    text_en: str | None,
    now: datetime,
) -> Change:
    """Change a question's wording (its kind stays: answers keep their meaning)."""
    caller.require_admin()

    def edit(data: Data) -> tuple[Data | None, Data | None]:
        _, question = find_question(data, code, locale=caller.locale)
        problems: dict[str, Problem] = {}
        texts = _texts(problems, text_fr, text_en)
        raise_problems(problems, caller.locale)
        before = dict(question["text"])
        question["text"] = texts
        return changed(before, texts)

    return await change_charter(
        session, caller=caller, action="question.edit", target=code.upper(), edit=edit, now=now
    )


async def reorder_questions(
    session: AsyncSession, *, caller: Caller, commitment: str, codes: Sequence[str], now: datetime
) -> Change:
    """Put the named questions first, in this order; the others follow as they were."""
    caller.require_admin()

    def edit(data: Data) -> tuple[Data | None, Data | None]:
        found = find_commitment(data, commitment, locale=caller.locale)
        current = sorted(found["questions"], key=lambda q: q["position"])
        by_code = {q["code"]: q for q in current}
        first: list[Data] = []
        for text in codes:
            wanted = text.strip().upper()
            # `Q2` is short for the commitment's `IT-01-Q2`
            question = by_code.get(wanted) or by_code.get(f"{found['code']}-{wanted}")
            if question is None:
                _, question = find_question(data, wanted, locale=caller.locale)
                if question["code"] not in by_code:
                    raise_problems(
                        {"order": ("admin.field.not_in", {"code": question["code"]})},
                        caller.locale,
                    )
            if question not in first:
                first.append(question)
        ordered = first + [q for q in current if q not in first]
        before = {"order": [q["code"] for q in current]}
        for position, question in enumerate(ordered, start=1):
            question["position"] = position
        return changed(before, {"order": [q["code"] for q in ordered]})

    return await change_charter(
        session,
        caller=caller,
        action="question.reorder",
        target=commitment.upper(),
        edit=edit,
        now=now,
    )


async def archive_question(
    session: AsyncSession, *, caller: Caller, code: str, now: datetime
) -> Change:
    """Stop asking a question; its answers stay in past scores."""
    caller.require_admin()

    def edit(data: Data) -> tuple[Data | None, Data | None]:
        commitment, question = find_question(data, code, locale=caller.locale)
        question["active"] = False
        problems: dict[str, Problem] = {}
        check_threshold(problems, commitment["metric"], active_kinds(commitment), None)
        raise_problems(problems, caller.locale)
        return {"active": True, "text": question["text"]["fr"]}, {"active": False}

    return await change_charter(
        session, caller=caller, action="question.archive", target=code.upper(), edit=edit, now=now
    )


async def preview_pulse(
    session: AsyncSession, *, caller: Caller, code: str, locale: str
) -> PulseView:
    """Return the pulse of a commitment (or of a question's commitment) as an agent reads it.

    Its pulse id is 0: nothing is stored, and the service name is empty for common commitments.
    """
    data = (await read_charter(session)).model_dump(mode="json")
    try:
        found = find_commitment(data, code, locale=caller.locale)
    except UnknownCode as unknown:
        try:
            found, _ = find_question(data, code, locale=caller.locale)
        except UnknownCode:
            raise unknown from None
    row = await _row(session, found["code"])
    if not caller.may_read(row.id or 0):
        raise OwnersOnly(locale=caller.locale)
    questions = (
        await session.exec(
            select(Question)
            .where(Question.commitment_id == row.id, col(Question.active).is_(True))
            .order_by(col(Question.position), col(Question.id))
        )
    ).all()
    asked = [q for q in questions if q.kind in BUTTON_KINDS][:MAX_QUESTIONS]
    prompt = next((q for q in questions if q.kind == "text"), None)
    service = await session.get(Service, row.service_id) if row.service_id else None
    return PulseView(
        pulse_id=0,
        recipient=caller.user_id,
        locale=locale,
        service_name=localized(locale, service.name, service.name_en) if service else "",
        reference=None,
        summary=None,
        commitment_title=localized(locale, row.title, row.title_en),
        questions=tuple(
            QuestionView(id=q.id or 0, kind=q.kind, text=localized(locale, q.text_fr, q.text_en))
            for q in asked
        ),
        comment_prompt=localized(locale, prompt.text_fr, prompt.text_en) if prompt else None,
    )


def _texts(problems: dict[str, Problem], text_fr: str | None, text_en: str | None) -> Data:
    return {
        "fr": check_text(problems, "text_fr", text_fr, MAX_QUESTION_TEXT, required=True),
        "en": check_text(problems, "text_en", text_en, MAX_QUESTION_TEXT, required=True),
    }


async def _row(session: AsyncSession, code: str) -> Commitment:
    return (await session.exec(select(Commitment).where(Commitment.code == code))).one()
