"""`/ecoute review`: the pack arrives as files in the caller's DM, with the scoring's figures."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from sqlmodel import select

from bot.sandbox import Sandbox
from domain.scoring import score_cards
from storage.tables import Commitment, Question, Service
from tests.domain.score_fixtures import AnswerRow, PulseRow, Seeded, add_pulses
from tests.scenarios.admin_support import AGENT, SI_OWNER, admin_bot, command
from tests.scenarios.conftest import Stack


async def _seed_september(stack: Stack) -> None:
    assert stack.instance is not None
    deps = stack.instance.deps
    async with deps.database.begin() as session:
        service = (await session.exec(select(Service).where(Service.code == "SI"))).one()
        si = (await session.exec(select(Commitment).where(Commitment.code == "SI-01"))).one()
        questions = (
            await session.exec(select(Question).where(Question.commitment_id == si.id))
        ).all()
    seeded = Seeded(
        service_id=service.id or 0,
        commitment_ids=[si.id or 0],
        questions=[[(q.id or 0, q.kind) for q in questions]],
    )
    start = datetime(2026, 9, 3, 10, 0, tzinfo=deps.settings.zone)
    rows = [
        PulseRow(
            0,
            f"s{i}",
            "answered",
            start + timedelta(days=i),
            (AnswerRow(0, 1 + i % 5, start + timedelta(days=i)),),
        )
        for i in range(12)
    ]
    rows += [PulseRow(0, "x1", "expired", start), PulseRow(0, "u1", "unsettled", start)]
    await add_pulses(deps.database, seeded, rows)


async def test_the_pack_arrives_in_the_dm_with_the_scorings_figures(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with admin_bot(stack, sandbox) as instance:
        deps = instance.deps
        await _seed_september(stack)
        before = len(sandbox.uploaded_files())
        answer = await command(stack, sandbox, SI_OWNER, "revue 2026-09")
        await stack.until(lambda: len(sandbox.uploaded_files()) >= before + 5)
        files = {f.filename: f for f in sandbox.uploaded_files()[before:]}
        refused = await command(stack, sandbox, AGENT, "review 2026-09")
        wrong = await command(stack, sandbox, SI_OWNER, "review 2026-13")
        async with deps.database.begin() as session:
            cards = await score_cards(
                session, as_of=datetime(2026, 10, 1, tzinfo=deps.settings.zone)
            )
    assert "messagerie privée" in answer
    assert sorted(files) == [
        "review-2026-09-chart-1.png",
        "review-2026-09-plans.csv",
        "review-2026-09-scores.csv",
        "review-2026-09-series.csv",
        "review-2026-09.md",
    ]
    assert {upload.channel_ids[0] for upload in files.values()} == {sandbox.dm_channel(SI_OWNER)}
    text = files["review-2026-09-scores.csv"].content.decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))  # RH-01 is not the SI owner's to review
    expected = next(card for card in cards if card.commitment.code == "SI-01").current
    assert expected.interval is not None
    assert row["commitment"] == "SI-01"
    assert float(row["score"]) == round(expected.interval.estimate, 2)
    assert float(row["ci_low"]) == round(expected.interval.low, 2)
    assert float(row["ci_high"]) == round(expected.interval.high, 2)
    assert int(row["respondents"]) == expected.respondents == 12
    assert (row["sent"], row["answered"], row["unsettled"]) == ("13", "12", "1")
    document = files["review-2026-09.md"].content.decode()
    assert "# Revue d'engagements 2026-09" in document
    assert "![Revue 2026-09](review-2026-09-chart-1.png)" in document
    assert files["review-2026-09-chart-1.png"].content.startswith(b"\x89PNG")
    assert "Seuls les responsables" in refused
    assert "n'est pas une période" in wrong
