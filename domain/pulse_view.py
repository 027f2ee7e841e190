"""What a pulse shows its recipient, gathered from the charter in the recipient's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Commitment, Interaction, Pulse, Question, Service

BUTTON_KINDS = ("rating_5", "yes_no", "nps_10", "effort_7")
SCALES: dict[str, tuple[int, ...]] = {
    "rating_5": (1, 2, 3, 4, 5),
    "yes_no": (1, 0),
    "nps_10": tuple(range(11)),
    "effort_7": tuple(range(1, 8)),
}


@dataclass(frozen=True)
class QuestionView:
    """One question as the recipient reads it."""

    id: int
    kind: str
    text: str


@dataclass(frozen=True)
class PulseView:
    """Everything a pulse message needs, already in the recipient's language."""

    pulse_id: int
    recipient: str
    locale: str
    service_name: str
    reference: str | None
    summary: str | None
    commitment_title: str
    questions: tuple[QuestionView, ...]
    comment_prompt: str | None
    commented: bool = False
    channel: str | None = None
    ts: str | None = None
    ask_settled: bool = False

    def index_of(self, question_id: int) -> int:
        """Return the position of `question_id` in this pulse."""
        for index, question in enumerate(self.questions):
            if question.id == question_id:
                return index
        raise KeyError(question_id)


def localized(locale: str, french: str, english: str | None) -> str:
    """Pick the English text for English readers when there is one, else the French."""
    return english if locale == "en" and english else french


async def load_pulse_view(
    session: AsyncSession, *, pulse: Pulse, commented: bool = False
) -> PulseView:
    """Assemble the view of a prepared pulse (recipient, locale and questions chosen)."""
    assert pulse.id is not None
    assert pulse.commitment_id is not None
    locale = pulse.locale or "fr"
    interaction = await session.get_one(Interaction, pulse.interaction_id)
    service = await session.get_one(Service, pulse.service_id)
    commitment = await session.get_one(Commitment, pulse.commitment_id)
    questions = await _questions(session, pulse.question_ids)
    text_question = (
        await session.exec(
            select(Question)
            .where(Question.commitment_id == commitment.id, Question.kind == "text")
            .where(col(Question.active).is_(True))
        )
    ).first()
    prompt = (
        localized(locale, text_question.text_fr, text_question.text_en) if text_question else None
    )
    return PulseView(
        pulse_id=pulse.id,
        recipient=pulse.recipient or "",
        locale=locale,
        service_name=localized(locale, service.name, service.name_en),
        reference=interaction.reference,
        summary=interaction.summary,
        commitment_title=localized(locale, commitment.title, commitment.title_en),
        questions=tuple(
            QuestionView(id=q.id or 0, kind=q.kind, text=localized(locale, q.text_fr, q.text_en))
            for q in questions
        ),
        comment_prompt=prompt,
        commented=commented,
        channel=pulse.channel,
        ts=pulse.ts,
        ask_settled=service.settled_check and pulse.settled is None,
    )


async def _questions(session: AsyncSession, ids: Sequence[int]) -> list[Question]:
    rows = (await session.exec(select(Question).where(col(Question.id).in_(list(ids))))).all()
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]
