"""Digests through the sandbox Slack: once per owner and period, charts, unreachable owners."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.blocks.digest import digest_metadata
from bot.config import Settings
from scheduler.digests import GRACE, run_digests
from storage.engine import Database
from storage.tables import DeliveryStatus, DigestDelivery
from tests.domain.score_fixtures import AS_OF
from tests.scheduler.digest_stack import GHOST, digest_stack


async def test_each_owner_gets_one_digest_per_period(
    database: Database, settings: Settings
) -> None:
    async with digest_stack(database, settings) as stack:
        report = await run_digests(stack.deps, fire_time=AS_OF)
        outcomes = {o.owner: (o.outcome, o.reason) for o in report.outcomes}
        assert outcomes == {
            "UOWNER1": ("sent", None),
            "USERVICE": ("sent", None),
            "UQUIET1": ("sent", None),
            GHOST: ("unreachable", "channel_not_found"),
            "UGONE01": ("unreachable", "deactivated"),
        }
        sandbox = stack.sandbox
        digest, chart = sandbox.messages("UOWNER1")
        assert chart.files
        assert digest.metadata is not None
        assert digest.metadata["event_type"] == "ecoute_digest"
        first = digest.blocks[2]["text"]["text"]
        assert first.startswith(":red_circle:")  # CSAT is breached, listed first
        assert "*50\u202f%*" in first
        comments = str(digest.blocks[3])
        assert "[e-mail]" in comments
        assert "@finances" not in comments
        english, _ = sandbox.messages("USERVICE")
        assert "target missed" in english.blocks[2]["text"]["text"]
        [quiet] = sandbox.messages("UQUIET1")
        assert "rien à signaler" in quiet.text
        files = sandbox.uploaded_files()
        assert len(files) == 2  # the quiet owner has no chart
        assert all(f.content and f.content.startswith(b"\x89PNG") for f in files)
        assert {f.channel_ids[0] for f in files} == {
            sandbox.dm_channel("UOWNER1"),
            sandbox.dm_channel("USERVICE"),
        }
        assert not any(c.method == "conversations.open" for c in sandbox.calls)

        # a second run, a restart, another instance: nothing new
        again = await run_digests(stack.deps, fire_time=AS_OF + timedelta(minutes=3))
        assert {o.reason for o in again.outcomes} == {"already_sent", "unreachable"}
        assert len(sandbox.messages("UOWNER1")) == 2
        assert sandbox.violations == []


async def test_force_dry_run_and_one_owner(database: Database, settings: Settings) -> None:
    async with digest_stack(database, settings) as stack:
        await run_digests(stack.deps, fire_time=AS_OF, owner="UOWNER1")
        assert [m.channel for m in stack.sandbox.messages("USERVICE")] == []
        dry = await run_digests(stack.deps, fire_time=AS_OF, owner="UOWNER1", dry_run=True)
        [item] = dry.outcomes
        assert (item.outcome, item.reason) == ("dry_run", "already_sent")
        assert item.text is not None
        assert "[objectif manqué]" in item.text
        assert "IC 95 %" in item.text
        forced = await run_digests(stack.deps, fire_time=AS_OF, owner="UOWNER1", force=True)
        assert [o.outcome for o in forced.outcomes] == ["sent"]
        assert len([m for m in stack.sandbox.messages("UOWNER1") if m.blocks]) == 2
        stranger = await run_digests(stack.deps, fire_time=AS_OF, owner="UNOBODY")
        assert [(o.outcome, o.reason) for o in stranger.outcomes] == [("skipped", "not_an_owner")]
        assert stack.sandbox.violations == []


async def test_missed_period_is_caught_up_within_the_grace(
    database: Database, settings: Settings
) -> None:
    async with digest_stack(database, settings) as stack:
        late = await run_digests(
            stack.deps, fire_time=AS_OF + GRACE + timedelta(minutes=1), grace=GRACE
        )
        assert late.outcomes == ()
        caught = await run_digests(stack.deps, fire_time=AS_OF + timedelta(hours=5), grace=GRACE)
        assert {o.outcome for o in caught.outcomes} == {"sent", "unreachable"}
        assert all(o.period_start == AS_OF for o in caught.outcomes)


async def test_a_send_cut_short_is_reconciled_not_repeated(
    database: Database, settings: Settings
) -> None:
    async with digest_stack(database, settings) as stack:
        await run_digests(stack.deps, fire_time=AS_OF, owner="UOWNER1")
        async with database.begin() as session:
            row = (
                await session.exec(
                    select(DigestDelivery).where(col(DigestDelivery.owner) == "UOWNER1")
                )
            ).one()
            # as if the process died after Slack took the message, before recording it
            row.status = DeliveryStatus.SENDING
            row.claimed_at = AS_OF - timedelta(hours=1)
            session.add(row)
        report = await run_digests(stack.deps, fire_time=AS_OF, owner="UOWNER1")
        assert [(o.outcome, o.reason) for o in report.outcomes] == [("sent", "reconciled")]
        assert len([m for m in stack.sandbox.messages("UOWNER1") if m.blocks]) == 1
        # cut short before Slack took it: only another run's digest is there, so it goes again
        await stack.deps.slack.chat_postMessage(
            channel="UQUIET1", text="x", metadata=digest_metadata(row.run_id + 1, "UQUIET1")
        )
        async with database.begin() as session:
            session.add(
                DigestDelivery(run_id=row.run_id, owner="UQUIET1", claimed_at=AS_OF - GRACE)
            )
        report = await run_digests(stack.deps, fire_time=AS_OF, owner="UQUIET1")
        assert [(o.outcome, o.reason) for o in report.outcomes] == [("sent", None)]
        assert len(stack.sandbox.messages("UQUIET1")) == 2
        assert stack.sandbox.violations == []
