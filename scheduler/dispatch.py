"""Send due pulses: claim with a lease, render, post through the paced client, record."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.blocks.pulse import build_first_message, pulse_metadata
from bot.deps import Deps
from domain.dispatch import (
    Claimed,
    Outcome,
    Prepared,
    claim_due,
    keep_one_per_person,
    mark_in_doubt,
    mark_retry,
    mark_sent,
    mark_settled,
    prepare,
    release,
)
from scheduler.directory import DirectorySync
from scheduler.reconcile import find_sent_pulse
from storage.engine import DatabaseUnavailable
from storage.tables import PulseStatus

logger = logging.getLogger("ecoute.dispatch")

# Slack errors that no retry will fix for this recipient.
UNDELIVERABLE = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "channel_not_found",
        "cannot_dm_bot",
        "user_disabled",
        "account_inactive",
        "is_archived",
    }
)
CONCURRENT_SENDS = 8
MAX_PASSES_PER_RUN = 20
# While Slack is down, probe it at most this often (the pause doubles from 1 s up to this).
MAX_OUTAGE_PAUSE = 60.0


@dataclass(frozen=True)
class _Unavailable:
    """A send Slack could not take (5xx, unreachable, still throttled): not the pulse's fault."""

    claimed: Claimed
    error: BaseException


@dataclass
class Dispatcher:
    """Drains the pulse outbox; one pass at a time per process (APScheduler max_instances=1)."""

    deps: Deps
    directory: DirectorySync
    stopping: bool = False
    _pass: asyncio.Lock = field(default_factory=asyncio.Lock)
    _outage_pause: float = 0.0
    _resume_at: float = 0.0

    async def drain(self) -> None:
        """Stop claiming; let sends under way finish and give the rest of the batch back."""
        self.stopping = True
        async with self._pass:
            pass

    async def run_once(self) -> int:
        """Claim one batch of due pulses and settle each; return how many were claimed."""
        if self.stopping or time.monotonic() < self._resume_at:
            return 0
        total = 0
        async with self._pass:
            # A full batch means more are due: go on at once rather than idle until the next
            # tick (bounded, so one run always ends and a stop is never kept waiting long).
            for _ in range(MAX_PASSES_PER_RUN):
                claimed = await self._pass_once()
                total += claimed
                if claimed < self.deps.settings.dispatch_batch or self.stopping:
                    break
        return total

    async def _pass_once(self) -> int:
        settings = self.deps.settings
        try:
            async with self.deps.database.begin() as session:
                claimed = await claim_due(
                    session,
                    now=self.deps.now(),
                    limit=settings.dispatch_batch,
                    lease=timedelta(seconds=settings.dispatch_lease_seconds),
                )
                prepared = [
                    await prepare(
                        session,
                        claimed=item,
                        now=self.deps.now(),
                        pseudonymize=self.deps.pseudonymize,
                        default_locale=settings.default_locale,
                        etiquette=settings.etiquette,
                        zone=settings.zone,
                    )
                    for item in claimed
                ]
                ready = await keep_one_per_person(session, prepared=prepared, now=self.deps.now())
        except DatabaseUnavailable as exc:
            logger.warning("dispatch skipped, database unavailable: %s", exc)
            return 0
        waiting = [p.claimed for p in prepared if p.outcome is Outcome.WAIT_FOR_DIRECTORY]
        if waiting:
            await self._refresh_directory(waiting)
        limit = asyncio.Semaphore(CONCURRENT_SENDS)

        async def send(item: Prepared) -> bool | _Unavailable:
            async with limit:
                if self.stopping:
                    await self._give_back([item.claimed])
                    return False
                return await self._deliver(item)

        results = await asyncio.gather(*(send(item) for item in ready))
        await self._settle_unavailable(
            [r for r in results if isinstance(r, _Unavailable)],
            any_sent=any(r is True for r in results),
        )
        return len(claimed)

    async def _settle_unavailable(self, failures: list[_Unavailable], *, any_sent: bool) -> None:
        """Retry failed sends; if none of the pass went through, hold the queue instead."""
        if any_sent or not failures:
            for failure in failures:
                await self._record_failure(failure.claimed, failure.error)
            if any_sent:
                self._outage_pause = 0.0
            return
        # Slack refused every send of the pass: Slack is down, not these pulses. Spending their
        # attempts would fail them all after a few minutes, so they go back untouched and the
        # dispatcher waits, longer each time, before trying again.
        await self._give_back([failure.claimed for failure in failures])
        self._outage_pause = min(MAX_OUTAGE_PAUSE, max(1.0, self._outage_pause * 2))
        self._resume_at = time.monotonic() + self._outage_pause
        reason, _ = _classify(failures[0].error)
        logger.warning(
            "Slack unavailable (%s): %d pulses held, next try in %.0f s",
            reason,
            len(failures),
            self._outage_pause,
        )

    async def _give_back(self, claimed: list[Claimed]) -> None:
        """Return unsent pulses to the queue; those in doubt stay in doubt."""
        # Released, an in-doubt pulse would come back as new and be sent again without
        # looking for it in Slack first: it only gets its lease expired.
        async with self.deps.database.begin() as session:
            await release(session, pulse_ids=[c.pulse_id for c in claimed if not c.in_doubt])
            for item in claimed:
                if item.in_doubt:
                    await mark_in_doubt(
                        session, pulse_id=item.pulse_id, now=self.deps.now(), reason="in doubt"
                    )

    async def _refresh_directory(self, claimed: list[Claimed]) -> None:
        await self._give_back(claimed)
        try:
            await self.directory.refresh()
        except Exception:  # the pulses stay queued; the next pass tries again
            logger.exception("directory sync failed")

    async def _deliver(self, item: Prepared) -> bool | _Unavailable:
        """Send one pulse; return True if it reached Slack, or what made Slack refuse it."""
        assert item.view is not None
        pulse_id = item.claimed.pulse_id
        if item.claimed.in_doubt:
            found = await self._reconciled(item)
            if found is not None:
                return found
        message = build_first_message(item.view, self.deps.catalog)
        try:
            response = await self.deps.slack.chat_postMessage(
                channel=item.view.recipient,
                metadata=pulse_metadata(pulse_id),
                unfurl_links=False,
                **message.as_kwargs(),
            )
        except Exception as exc:  # every failure is classified, none may lose the pulse
            if _slack_unavailable(exc):
                return _Unavailable(item.claimed, exc)
            await self._record_failure(item.claimed, exc)
            return False
        async with self.deps.database.begin() as session:
            await mark_sent(
                session,
                pulse_id=pulse_id,
                channel=str(response["channel"]),
                ts=str(response["ts"]),
                now=self.deps.now(),
                response_window=self.deps.settings.etiquette.response_window,
            )
        return True

    async def _reconciled(self, item: Prepared) -> bool | None:
        """Look for an in-doubt pulse in Slack: True found, None not there, False cannot tell."""
        assert item.view is not None
        try:
            found = await find_sent_pulse(
                self.deps.slack, user_id=item.view.recipient, pulse_id=item.claimed.pulse_id
            )
        except Exception as exc:  # cannot tell: try again later rather than risk a duplicate
            await self._record_failure(item.claimed, exc, in_doubt=True)
            return False
        if found is None:
            return None
        channel, ts = found
        async with self.deps.database.begin() as session:
            await mark_sent(
                session,
                pulse_id=item.claimed.pulse_id,
                channel=channel,
                ts=ts,
                now=self.deps.now(),
                response_window=self.deps.settings.etiquette.response_window,
            )
        logger.info("pulse %s reconciled: it had reached Slack", item.claimed.pulse_id)
        return True

    async def _record_failure(
        self, claimed: Claimed, exc: BaseException, *, in_doubt: bool = False
    ) -> None:
        reason, status = _classify(exc)
        now = self.deps.now()
        async with self.deps.database.begin() as session:
            if status == "undeliverable":
                await mark_settled(
                    session,
                    pulse_id=claimed.pulse_id,
                    status=PulseStatus.UNDELIVERABLE,
                    now=now,
                    reason=reason,
                )
            elif status == "failed":
                await mark_settled(
                    session,
                    pulse_id=claimed.pulse_id,
                    status=PulseStatus.FAILED,
                    now=now,
                    reason=reason,
                )
            elif status == "in_doubt" or in_doubt:
                await mark_in_doubt(session, pulse_id=claimed.pulse_id, now=now, reason=reason)
            else:
                await mark_retry(
                    session,
                    pulse_id=claimed.pulse_id,
                    now=now,
                    reason=reason,
                    max_attempts=self.deps.settings.max_send_attempts,
                )
        logger.warning("pulse %s not sent (%s): %s", claimed.pulse_id, status, reason)


def _slack_unavailable(exc: BaseException) -> bool:
    """Tell whether Slack, not the message, made a send fail (so it may hold the whole queue)."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        return True
    if isinstance(exc, SlackApiError) and exc.response is not None:
        data: Any = exc.response.data
        error = data.get("error") if isinstance(data, dict) else None
        return exc.response.status_code >= 500 or error in ("ratelimited", "service_unavailable")
    return False


def _classify(exc: BaseException) -> tuple[str, str]:
    """Return (reason, what to do): undeliverable, failed, retry, or in_doubt."""
    if isinstance(exc, SlackApiError):
        data: Any = exc.response.data if exc.response is not None else {}
        error = str(data.get("error", "unknown")) if isinstance(data, dict) else "unknown"
        status_code = exc.response.status_code if exc.response is not None else 0
        if error in UNDELIVERABLE:
            return error, "undeliverable"
        if status_code >= 500 or error in ("ratelimited", "internal_error", "fatal_error"):
            return f"slack {status_code} {error}", "retry"
        return f"slack error {error}", "failed"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "slack unreachable", "retry"  # the request never left: safe to resend
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError, aiohttp.ClientError)):
        return f"outcome unknown ({type(exc).__name__})", "in_doubt"
    return f"{type(exc).__name__}: {exc}", "retry"
