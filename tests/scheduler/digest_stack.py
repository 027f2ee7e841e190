"""A sandbox Slack, Deps pointing at it, and a charter with figures worth a digest."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from bot.config import Settings
from bot.deps import Deps
from bot.i18n import load_catalog
from bot.sandbox import Limits, Sandbox, SandboxUser
from bot.slack_client import build_slack_client
from domain.privacy import Pseudonymizer
from storage.engine import Database
from storage.tables import Comment, Person, Pulse
from tests.conftest import TEST_SECRETS
from tests.domain.score_fixtures import (
    AS_OF,
    AnswerRow,
    CommitmentSpec,
    PulseRow,
    Seeded,
    add_pulses,
    seed_charter,
)

FAST = 6000
OWNER = SandboxUser("UOWNER1", "Sophie Qualité", "sophie@finances.gouv.fr")
ENGLISH = SandboxUser("USERVICE", "Sarah Service", "sarah@finances.gouv.fr", locale="en-GB")
QUIET = SandboxUser("UQUIET1", "Quentin Calme", "quentin@finances.gouv.fr")
GONE = SandboxUser("UGONE01", "Parti", "gone@finances.gouv.fr", deleted=True)
GHOST = "UGHOST01"  # named in the charter, unknown to Slack
USERS = [OWNER, ENGLISH, QUIET, GONE]

CHARTER = (
    CommitmentSpec("CSAT", "csat", 80.0, ("rating_5", "text"), owners=("UOWNER1", GHOST)),
    CommitmentSpec("YES", "yes_rate", 70.0, ("yes_no",), owners=("UOWNER1", "UGONE01")),
    CommitmentSpec("QUIET", "nps", 0.0, ("nps_10",), owners=("UQUIET1",), service=False),
)


@dataclass
class DigestStack:
    """The sandbox, the deps and the seeded ids; `clock` moves the bot's now."""

    sandbox: Sandbox
    deps: Deps
    seeded: Seeded
    clock: list[datetime]


async def seed_figures(database: Database) -> Seeded:
    """CSAT breached with 12 respondents and comments, YES on target, QUIET without answers."""
    seeded = await seed_charter(database, CHARTER, service_owners=("USERVICE",))
    recent = AS_OF - timedelta(days=3)
    rows = [
        *(PulseRow(0, f"c{i}", "answered", recent, (AnswerRow(0, 2, recent),)) for i in range(12)),
        *(PulseRow(0, f"d{i}", "expired", recent) for i in range(6)),
        *(PulseRow(1, f"y{i}", "answered", recent, (AnswerRow(0, 1, recent),)) for i in range(6)),
    ]
    for week in range(1, 10):
        at = AS_OF - timedelta(weeks=week, days=1)
        rows += [
            PulseRow(0, f"w{week}-{i}", "answered", at, (AnswerRow(0, 5 - week % 3, at),))
            for i in range(6)
        ]
    await add_pulses(database, seeded, rows)
    async with database.begin() as session:
        pulses = (
            await session.exec(
                select(Pulse)
                .where(col(Pulse.status) == "answered")
                .where(col(Pulse.commitment_id) == seeded.commitment_ids[0])
                .order_by(col(Pulse.id))
                .limit(4)
            )
        ).all()
        for index, pulse in enumerate(pulses):
            session.add(
                Comment(
                    pulse_id=pulse.id,
                    commitment_id=pulse.commitment_id,
                    respondent=pulse.respondent,
                    text=f"Réponse lente, écrivez-moi à agent{index}@finances.gouv.fr",
                    created_at=recent + timedelta(minutes=index),
                )
            )
        session.add(Person(user_id="UGONE01", deleted=True))
        session.add(Person(user_id="USERVICE", locale="en-GB"))
    return seeded


@asynccontextmanager
async def digest_stack(
    database: Database, settings: Settings, *, users: list[SandboxUser] | None = None
) -> AsyncIterator[DigestStack]:
    """Start the sandbox and yield deps that talk to it, the clock at AS_OF."""
    sandbox = Sandbox(
        users=users or USERS,
        bot_token=TEST_SECRETS["SLACK_BOT_TOKEN"],
        signing_secret=TEST_SECRETS["SLACK_SIGNING_SECRET"],
        limits=Limits(post_workspace_per_minute=FAST),
    )
    await sandbox.start()
    clock = [AS_OF]
    now: Callable[[], datetime] = lambda: clock[0]  # noqa: E731
    configured = settings.model_copy(
        update={"slack_api_url": sandbox.api_url, "slack_posts_per_minute": FAST}
    )
    deps = Deps(
        settings=configured,
        database=database,
        slack=build_slack_client(configured),
        catalog=load_catalog(),
        pseudonymize=Pseudonymizer(b"k"),
        now=now,
    )
    try:
        yield DigestStack(sandbox, deps, await seed_figures(database), clock)
    finally:
        await sandbox.stop()
