"""Send each owner's digest once per period: claim, render, post, upload the chart, record."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.blocks.digest import (
    DIGEST_METADATA_TYPE,
    DigestContent,
    build_digest,
    digest_as_text,
    digest_metadata,
)
from bot.blocks.scores import scale_of, title_of
from bot.charts import ChartSeries, render_chart_async
from bot.deps import Deps
from bot.i18n import format_date
from domain.digest_runs import (
    DeliveryClaim,
    Refused,
    claim_delivery,
    claim_run,
    delivery_status,
    settle_delivery,
    settled_owners,
)
from domain.digests import DigestFigures, OwnerPlan, digest_figures, plan_digests
from domain.scoring import sort_cards
from domain.tallies import CommitmentInfo, load_commitments
from scheduler.dispatch import UNDELIVERABLE
from storage.tables import DeliveryStatus

logger = logging.getLogger("ecoute.digests")

# A digest missed while the bot was down still goes out if it restarts within this window.
GRACE = timedelta(hours=6)
CONCURRENT_OWNERS = 4
HISTORY_PAGE = 50
_SETTLED = {
    DeliveryStatus.SENT: Refused.ALREADY_SENT,
    DeliveryStatus.UNREACHABLE: Refused.UNREACHABLE,
}


@dataclass(frozen=True)
class OwnerOutcome:
    """What happened to one owner's digest: sent, dry_run, skipped, unreachable or failed."""

    owner: str
    outcome: str
    reason: str | None = None
    text: str | None = None
    period_start: datetime | None = None
    chart: bool = False


@dataclass(frozen=True)
class DigestReport:
    """The outcome of one digest run, owner by owner."""

    fire_time: datetime
    outcomes: tuple[OwnerOutcome, ...]

    def by_outcome(self, outcome: str) -> list[OwnerOutcome]:
        """Return the owners with this outcome."""
        return [o for o in self.outcomes if o.outcome == outcome]

    def summary(self) -> str:
        """Return one line counting each outcome."""
        counts: dict[str, int] = defaultdict(int)
        for item in self.outcomes:
            counts[item.outcome] += 1
        parts = ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
        return f"digests at {self.fire_time.isoformat()}: {parts or 'nobody to write to'}"


async def run_digests(
    deps: Deps,
    *,
    fire_time: datetime,
    owner: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    grace: timedelta | None = None,
) -> DigestReport:
    """Send every owner's digest for their period at `fire_time` that has not gone yet.

    Each owner's period (the claim) is their schedule's latest firing at or before `fire_time`;
    the figures are as of `fire_time`, so instances firing together compute the same digest.
    `grace` drops periods older than that (the scheduler's catch-up); None keeps them all.
    """
    async with deps.database.begin() as session:
        commitments = await load_commitments(session)
        plans = await plan_digests(
            session,
            fire_time=fire_time,
            zone=deps.settings.zone,
            commitments=commitments,
            owner=owner,
        )
    outcomes: list[OwnerOutcome] = []
    stranger = owner is not None and not plans
    if stranger:
        outcomes.append(OwnerOutcome(str(owner), "skipped", "not_an_owner"))
    if grace is not None:
        # Older periods belong to other schedules' fires, or were missed for good.
        plans = [p for p in plans if p.period_start >= fire_time - grace]
    if not force and not dry_run:
        # Most runs after the first find everything sent: say so without computing figures.
        async with deps.database.begin() as session:
            settled = await settled_owners(
                session, periods={(p.run_key, p.period_start) for p in plans}
            )
        done = {(p.run_key, p.period_start, p.owner) for p in plans} & settled.keys()
        outcomes += [
            OwnerOutcome(p.owner, "skipped", _SETTLED[settled[key]], None, p.period_start)
            for p in plans
            if (key := (p.run_key, p.period_start, p.owner)) in done
        ]
        plans = [p for p in plans if (p.run_key, p.period_start, p.owner) not in done]
    figures = await _figures(deps, plans, commitments, fire_time)
    sender = _Sender(deps, fire_time=fire_time, force=force, dry_run=dry_run)
    limit = asyncio.Semaphore(CONCURRENT_OWNERS)

    async def one(plan: OwnerPlan) -> OwnerOutcome:
        async with limit:
            assert figures is not None
            return await sender.deliver(plan, figures)

    outcomes += await asyncio.gather(*(one(plan) for plan in plans))
    report = DigestReport(fire_time=fire_time, outcomes=tuple(outcomes))
    for item in report.by_outcome("unreachable"):
        logger.warning("digest not delivered to %s: %s", item.owner, item.reason)
    if stranger:
        logger.warning("digest not sent: %s owns no commitment in the charter", owner)
    logger.info(report.summary())
    return report


async def _figures(
    deps: Deps, plans: Sequence[OwnerPlan], commitments: Sequence[CommitmentInfo], as_of: datetime
) -> DigestFigures | None:
    """Compute every digest's figures once, as of the fire time (the same on every instance)."""
    if not plans:
        return None
    locale = deps.settings.default_locale
    async with deps.database.begin() as session:
        return await digest_figures(
            session,
            as_of=as_of,
            commitments=commitments,
            email_mask=deps.catalog.t(locale, "digest.email_mask"),
            phone_mask=deps.catalog.t(locale, "digest.phone_mask"),
        )


def content_for(plan: OwnerPlan, figures: DigestFigures, deps: Deps) -> DigestContent:
    """Return what the owner's digest says, worst commitments first."""
    cards = sort_cards([figures.cards[i] for i in plan.commitment_ids if i in figures.cards])
    return DigestContent(
        owner=plan.owner,
        locale=plan.locale or deps.settings.default_locale,
        period_date=figures.as_of.astimezone(deps.settings.zone).date(),
        cards=cards,
        comments={c.commitment.id: figures.comments.get(c.commitment.id, []) for c in cards},
        plans={
            c.commitment.id: figures.plans[c.commitment.id]
            for c in cards
            if c.commitment.id in figures.plans
        },
    )


@dataclass
class _Sender:
    deps: Deps
    fire_time: datetime
    force: bool
    dry_run: bool

    async def deliver(self, plan: OwnerPlan, figures: DigestFigures) -> OwnerOutcome:
        content = content_for(plan, figures, self.deps)
        text = digest_as_text(content, self.deps.catalog)
        if self.dry_run:
            async with self.deps.database.begin() as session:
                status = await delivery_status(
                    session, key=plan.run_key, period_start=plan.period_start, owner=plan.owner
                )
            reason = "already_sent" if status == DeliveryStatus.SENT else None
            return OwnerOutcome(plan.owner, "dry_run", reason, text, plan.period_start)
        claim = await self._claim(plan)
        if isinstance(claim, Refused):
            return OwnerOutcome(plan.owner, "skipped", claim.value, text, plan.period_start)
        if plan.deactivated:
            await self._settle(claim, DeliveryStatus.UNREACHABLE, reason="deactivated")
            return OwnerOutcome(plan.owner, "unreachable", "deactivated", text, plan.period_start)
        if claim.in_doubt and await self._reconciled(plan, claim):
            return OwnerOutcome(plan.owner, "sent", "reconciled", text, plan.period_start)
        return await self._post(plan, claim, content, figures, text)

    async def _claim(self, plan: OwnerPlan) -> DeliveryClaim | Refused:
        now = self.deps.now()
        async with self.deps.database.begin() as session:
            run_id = await claim_run(
                session,
                key=plan.run_key,
                period_start=plan.period_start,
                fire_time=self.fire_time,
                now=now,
            )
            return await claim_delivery(
                session, run_id=run_id, owner=plan.owner, now=now, force=self.force
            )

    async def _settle(self, claim: DeliveryClaim, status: DeliveryStatus, **values: Any) -> None:
        async with self.deps.database.begin() as session:
            await settle_delivery(
                session, delivery_id=claim.delivery_id, status=status, now=self.deps.now(), **values
            )

    async def _post(
        self,
        plan: OwnerPlan,
        claim: DeliveryClaim,
        content: DigestContent,
        figures: DigestFigures,
        text: str,
    ) -> OwnerOutcome:
        message = build_digest(content, self.deps.catalog)
        try:
            # Posting to the user id opens the DM; its channel id comes back for the upload.
            response = await self.deps.slack.chat_postMessage(
                channel=plan.owner,
                metadata=digest_metadata(claim.run_id, plan.owner),
                unfurl_links=False,
                **message.as_kwargs(),
            )
        except SlackApiError as exc:
            error = str((exc.response.data or {}).get("error", "unknown"))
            status = DeliveryStatus.UNREACHABLE if error in UNDELIVERABLE else DeliveryStatus.FAILED
            await self._settle(claim, status, reason=error)
            return OwnerOutcome(plan.owner, status.value, error, text, plan.period_start)
        except Exception as exc:  # a timeout may hide a delivered message: next run reconciles
            logger.warning("digest to %s has an unknown outcome: %r", plan.owner, exc)
            return OwnerOutcome(plan.owner, "failed", type(exc).__name__, text, plan.period_start)
        channel, ts = str(response["channel"]), str(response["ts"])
        file_id, reason = await self._chart(channel, content, figures)
        await self._settle(
            claim, DeliveryStatus.SENT, channel=channel, ts=ts, file_id=file_id, reason=reason
        )
        return OwnerOutcome(
            plan.owner, "sent", reason, text, plan.period_start, chart=file_id is not None
        )

    async def _chart(
        self, channel: str, content: DigestContent, figures: DigestFigures
    ) -> tuple[str | None, str | None]:
        series = chart_series(content, figures)
        if not series:
            return None, None
        catalog, locale = self.deps.catalog, content.locale
        labels = week_labels(figures.as_of, len(series[0].points), self.deps, locale)
        png = await render_chart_async(
            series,
            title=catalog.t(locale, "digest.chart_title"),
            week_labels=labels,
            threshold_label=catalog.t(locale, "digest.chart_threshold"),
        )
        try:
            upload = await self.deps.slack.files_upload_v2(
                channel=channel,
                file=png,
                filename="ecoute-12-weeks.png",
                title=catalog.t(locale, "digest.chart_file"),
            )
        except Exception as exc:  # the digest itself went: a lost chart is not worth a resend
            logger.warning("digest chart not uploaded to %s: %r", channel, exc)
            return None, f"chart not uploaded: {type(exc).__name__}"
        files = upload.get("files") or [upload.get("file") or {}]
        return (str(files[0].get("id")) if files and files[0].get("id") else None), None

    async def _reconciled(self, plan: OwnerPlan, claim: DeliveryClaim) -> bool:
        """Look for the digest in the owner's DM before sending it again."""
        try:
            opened = await self.deps.slack.conversations_open(users=plan.owner)
            channel = str(opened["channel"]["id"])
            history = await self.deps.slack.conversations_history(
                channel=channel, limit=HISTORY_PAGE, include_all_metadata=True
            )
        except Exception as exc:  # cannot tell: send, a duplicate beats a silent loss
            logger.warning("digest for %s could not be reconciled: %r", plan.owner, exc)
            return False
        for message in history.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == DIGEST_METADATA_TYPE
                and payload.get("run_id") == claim.run_id
                and payload.get("owner") == plan.owner
            ):
                await self._settle(
                    claim, DeliveryStatus.SENT, channel=channel, ts=str(message["ts"])
                )
                return True
        return False


def chart_series(content: DigestContent, figures: DigestFigures) -> list[ChartSeries]:
    """Return the panels of an owner's chart: their worst commitments that have weekly points."""
    series: list[ChartSeries] = []
    for card in content.cards:
        points = figures.weekly.get(card.commitment.id) or []
        if not any(p is not None for p in points):
            continue
        low, high = scale_of(card.commitment)
        title = f"{card.commitment.code} · {title_of(card.commitment, content.locale)}"
        series.append(ChartSeries(title, points, card.commitment.threshold, low, high))
    return series


def week_labels(as_of: datetime, weeks: int, deps: Deps, locale: str | None) -> list[str]:
    """Return the first day of each charted week, `2 March` style (no year)."""
    local = as_of.astimezone(deps.settings.zone)
    return [
        format_date(local - timedelta(weeks=weeks - k), locale).rsplit(" ", 1)[0]
        for k in range(weeks)
    ]
