"""`/ecoute stats`: the scores of a service, a commitment, or all the caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.charter_admin import UnknownCode
from domain.roles import Caller, OwnersOnly
from domain.scoring import ScoreCard, score_cards, sort_cards
from domain.tallies import load_commitments
from storage.tables import Service


@dataclass(frozen=True)
class Stats:
    """Score cards, worst first, for everything the caller may see (`code` None) or one code."""

    code: str | None
    cards: tuple[ScoreCard, ...]
    as_of: datetime


async def stats_for(
    session: AsyncSession, *, caller: Caller, code: str | None, now: datetime
) -> Stats:
    """Score a commitment, a service's commitments, or all the caller's (owners and admins)."""
    caller.require_owner()
    commitments = await load_commitments(session)
    chosen = commitments
    wanted = code.strip().upper() if code else None
    if wanted is not None:
        services = {
            row.code: row.id
            for row in (
                await session.exec(select(Service).where(col(Service.archived_at).is_(None)))
            ).all()
        }
        if wanted in services:
            chosen = [c for c in commitments if c.service_id == services[wanted]]
        else:
            chosen = [c for c in commitments if c.code == wanted]
            if not chosen:
                known = sorted({*services, *(c.code for c in commitments)})
                raise UnknownCode("code", code or "", known, locale=caller.locale)
    visible = [c for c in chosen if caller.may_read(c.id)]
    if chosen and not visible:
        raise OwnersOnly(locale=caller.locale)
    cards = await score_cards(session, as_of=now, commitments=visible) if visible else []
    return Stats(code=wanted, cards=tuple(sort_cards(cards)), as_of=now)
