"""The rights of the person: access to everything still linked to them, and erasure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Answer, Comment, Interaction, Person, PlanNote, Pulse, Role


@dataclass(frozen=True)
class ErasureReport:
    """How many rows erasure touched, by kind."""

    pulses: int
    interactions: int
    answers: int
    comments: int
    person: int
    roles: int


async def export_person(
    session: AsyncSession, *, user_id: str, pseudonymize: Callable[[str], str]
) -> dict[str, Any]:
    """Return everything the service holds about `user_id`, directly or through the pseudonym."""
    pseudonym = pseudonymize(user_id)
    person = await session.get(Person, user_id)
    pulses = (
        await session.exec(
            select(Pulse).where(
                or_(col(Pulse.recipient) == user_id, col(Pulse.respondent) == pseudonym)
            )
        )
    ).all()
    interactions = (
        await session.exec(
            select(Interaction).where(col(Interaction.beneficiary_user_id) == user_id)
        )
    ).all()
    answers = (await session.exec(select(Answer).where(col(Answer.respondent) == pseudonym))).all()
    comments = (
        await session.exec(select(Comment).where(col(Comment.respondent) == pseudonym))
    ).all()
    roles = (await session.exec(select(Role).where(col(Role.user_id) == user_id))).all()
    return {
        "user_id": user_id,
        "pseudonym": pseudonym,
        "person": person.model_dump(mode="json") if person else None,
        "roles": [r.model_dump(mode="json") for r in roles],
        "interactions": [i.model_dump(mode="json", exclude={"payload_hash"}) for i in interactions],
        "pulses": [p.model_dump(mode="json") for p in pulses],
        "answers": [a.model_dump(mode="json") for a in answers],
        "comments": [c.model_dump(mode="json") for c in comments],
    }


async def erase_person(
    session: AsyncSession, *, user_id: str, pseudonymize: Callable[[str], str]
) -> ErasureReport:
    """Erase the person: their answers and comments, their links, their directory entry."""
    pseudonym = pseudonymize(user_id)
    known = await session.get(Person, user_id)
    emails = [known.email] if known and known.email else []
    objected = bool(known and known.opted_out)
    answers = await session.exec(delete(Answer).where(col(Answer.respondent) == pseudonym))
    comments = await session.exec(delete(Comment).where(col(Comment.respondent) == pseudonym))
    linked = or_(
        col(Pulse.recipient) == user_id,
        col(Pulse.respondent) == pseudonym,
        col(Pulse.recipient_email).in_(emails),
    )
    pulse_ids = [i for i in (await session.exec(select(Pulse.id).where(linked))).all() if i]
    pulses = await session.exec(
        update(Pulse)
        .where(col(Pulse.id).in_(pulse_ids))
        .values(recipient=None, recipient_email=None, respondent=None, channel=None, ts=None)
    )
    interactions = await session.exec(
        update(Interaction)
        .where(
            or_(
                col(Interaction.beneficiary_user_id) == user_id,
                col(Interaction.beneficiary_email).in_(emails),
                col(Interaction.id).in_(
                    select(Pulse.interaction_id).where(col(Pulse.id).in_(pulse_ids))
                ),
            )
        )
        .values(beneficiary_user_id=None, beneficiary_email=None, reference=None, summary=None)
    )
    # Notes to contributors ("you said, we did") hold the pseudonym, and the id until delivered.
    await session.exec(
        delete(PlanNote).where(
            or_(col(PlanNote.respondent) == pseudonym, col(PlanNote.recipient) == user_id)
        )
    )
    roles = await session.exec(delete(Role).where(col(Role.user_id) == user_id))
    person = await session.exec(delete(Person).where(col(Person.user_id) == user_id))
    if objected:
        # Their objection outlives the erasure: the daily directory sync would otherwise bring
        # them back as someone who may be asked. Only the Slack id and the choice remain.
        session.add(Person(user_id=user_id, opted_out=True))
    return ErasureReport(
        pulses=pulses.rowcount or 0,
        interactions=interactions.rowcount or 0,
        answers=answers.rowcount or 0,
        comments=comments.rowcount or 0,
        person=person.rowcount or 0,
        roles=roles.rowcount or 0,
    )
