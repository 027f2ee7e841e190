"""A person's own choices: being asked or not."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Person


async def set_opt_out(session: AsyncSession, *, user_id: str, opted_out: bool) -> None:
    """Stop (or resume) asking this person, at once and across every service."""
    person = await session.get(Person, user_id)
    if person is None:
        person = Person(user_id=user_id)
    person.opted_out = opted_out
    session.add(person)


async def is_opted_out(session: AsyncSession, *, user_id: str) -> bool:
    """Tell whether this person asked not to be surveyed."""
    person = await session.get(Person, user_id)
    return bool(person and person.opted_out)
