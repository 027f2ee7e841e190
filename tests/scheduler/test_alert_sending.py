"""Alerts through the sandbox: the owners of a commitment that fell hear of it, once."""

from __future__ import annotations

from datetime import timedelta

from bot.blocks.digest import DETAILS_ACTION
from bot.config import Settings
from scheduler.alerts import evaluate_alerts
from storage.engine import Database
from tests.domain.score_fixtures import AS_OF, AnswerRow, PulseRow, add_pulses
from tests.scheduler.digest_stack import GHOST, digest_stack


async def test_a_fall_alerts_every_owner_once(database: Database, settings: Settings) -> None:
    async with digest_stack(database, settings) as stack:
        first = await evaluate_alerts(stack.deps)
        # already breached when first seen: the digest tells, not an alert
        assert first.raised == ()
        assert first.evaluated == 3
        # YES falls: 6 yes, then 20 no
        at = AS_OF - timedelta(hours=1)
        rows = [PulseRow(1, f"n{i}", "answered", at, (AnswerRow(0, 0, at),)) for i in range(20)]
        await add_pulses(database, stack.seeded, rows)
        stack.clock[0] = AS_OF + timedelta(minutes=5)
        report = await evaluate_alerts(stack.deps)
        assert report.raised == (("YES", "breached"),)
        assert sorted(report.sent) == [("YES", "UOWNER1"), ("YES", "USERVICE")]
        assert report.unreachable == (("YES", "UGONE01", "deactivated"),)
        [alert] = stack.sandbox.messages("UOWNER1")
        assert "Engagement YES" in alert.text
        assert alert.blocks[1]["accessory"]["action_id"] == DETAILS_ACTION
        [english] = stack.sandbox.messages("USERVICE")
        assert "target missed" in english.blocks[0]["text"]["text"]
        # minutes later, nothing new
        stack.clock[0] = AS_OF + timedelta(minutes=10)
        quiet = await evaluate_alerts(stack.deps)
        assert (quiet.raised, quiet.sent) == ((), ())
        assert GHOST not in {owner for _, owner in report.sent}
        assert stack.sandbox.violations == []
