"""GET /metrics in the Prometheus text format (version 0.0.4), written by hand: no dependency."""

from __future__ import annotations

import bisect
import logging
import math
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.deps import Deps
from bot.pacing import Pacer
from bot.slack_client import SlackCallStats
from domain.backlog import Backlog, read_backlog
from storage.engine import DatabaseUnavailable

logger = logging.getLogger("ecoute.metrics")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Slack wants an ack within 3 s: the buckets are dense below it and sparse after.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)


@dataclass
class Histogram:
    """Cumulative-bucket histogram of observations, in seconds."""

    bounds: Sequence[float] = ACK_BUCKETS
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * (len(self.bounds) + 1)

    def observe(self, value: float) -> None:
        """Record one observation."""
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.total += value
        self.count += 1


@dataclass
class Metrics:
    """What this process measures itself; database figures are read at each scrape."""

    started_at: float = field(default_factory=time.time)
    answer_latency: Histogram = field(default_factory=Histogram)
    responses: Counter[tuple[str, int]] = field(default_factory=Counter)

    def observe_response(self, route: str, status: int, seconds: float, *, slack: bool) -> None:
        """Count one HTTP answer; Slack's requests also feed the click-to-ack histogram."""
        self.responses[(route, status)] += 1
        if slack:
            self.answer_latency.observe(seconds)


class Exposition:
    """Accumulate metric families and render the text format."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str) -> None:
        """Start a family: its HELP and TYPE lines."""
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} {kind}")

    def sample(self, name: str, value: float, labels: Mapping[str, str] | None = None) -> None:
        """Add one sample line."""
        if labels:
            body = ",".join(f'{key}="{_escape(val)}"' for key, val in labels.items())
            name = f"{name}{{{body}}}"
        self.lines.append(f"{name} {_number(value)}")

    def histogram(self, name: str, histogram: Histogram) -> None:
        """Add a histogram's cumulative buckets, sum and count."""
        running = 0
        for bound, count in zip(histogram.bounds, histogram.counts, strict=False):
            running += count
            self.sample(f"{name}_bucket", running, {"le": _number(bound)})
        self.sample(f"{name}_bucket", histogram.count, {"le": "+Inf"})
        self.sample(f"{name}_sum", histogram.total)
        self.sample(f"{name}_count", histogram.count)

    def render(self) -> str:
        """Return the exposition, newline-terminated."""
        return "\n".join(self.lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


async def render_metrics(deps: Deps, metrics: Metrics) -> str:
    """Return every metric: the database's figures (cluster-wide), then this process's."""
    out = Exposition()
    backlog = await _backlog(deps)
    out.family("ecoute_database_up", "gauge", "1 if the database answered this scrape.")
    out.sample("ecoute_database_up", 1 if backlog is not None else 0)
    if backlog is not None:
        _database_figures(out, backlog, deps)
    stats = getattr(deps.slack, "stats", None)
    if isinstance(stats, SlackCallStats):
        _slack_figures(out, stats)
    pacer = getattr(deps.slack, "pacer", None)
    if isinstance(pacer, Pacer):
        out.family(
            "ecoute_slack_pacer_wait_seconds_total",
            "counter",
            "Time senders waited for the pacer before calling Slack (this process).",
        )
        out.sample("ecoute_slack_pacer_wait_seconds_total", pacer.waited_seconds)
    out.family(
        "ecoute_answer_latency_seconds",
        "histogram",
        "Click to ack: time from receiving a Slack request to answering it (this process).",
    )
    out.histogram("ecoute_answer_latency_seconds", metrics.answer_latency)
    out.family(
        "ecoute_http_responses_total", "counter", "HTTP answers by route and status (this process)."
    )
    for (route, status), count in sorted(metrics.responses.items()):
        out.sample("ecoute_http_responses_total", count, {"route": route, "status": str(status)})
    out.family("ecoute_process_start_time_seconds", "gauge", "Start time of this process.")
    out.sample("ecoute_process_start_time_seconds", round(metrics.started_at, 3))
    return out.render()


async def _backlog(deps: Deps) -> Backlog | None:
    try:
        async with deps.database.begin() as session:
            return await read_backlog(session, now=deps.now())
    except DatabaseUnavailable as exc:
        # The scrape still answers: Slack's figures matter most when the database is down.
        logger.warning("metrics without database figures: %s", exc)
        return None


def _database_figures(out: Exposition, backlog: Backlog, deps: Deps) -> None:
    out.family(
        "ecoute_interactions_accepted",
        "gauge",
        "Interactions accepted and stored (database, cluster-wide).",
    )
    out.sample("ecoute_interactions_accepted", backlog.interactions)
    out.family("ecoute_pulses", "gauge", "Pulses by status (database, cluster-wide).")
    for status, count in sorted(backlog.pulses.items()):
        out.sample("ecoute_pulses", count, {"status": status})
    out.family("ecoute_backlog_pulses", "gauge", "Pending pulses already due (database).")
    out.sample("ecoute_backlog_pulses", backlog.due)
    out.family(
        "ecoute_backlog_age_seconds",
        "gauge",
        "How long the oldest due pending pulse has waited; 0 when the backlog is empty.",
    )
    age = 0.0
    if backlog.oldest_due_at is not None:
        age = max(0.0, (deps.now() - backlog.oldest_due_at).total_seconds())
    out.sample("ecoute_backlog_age_seconds", round(age, 3))


def _slack_figures(out: Exposition, stats: SlackCallStats) -> None:
    out.family(
        "ecoute_slack_calls_total",
        "counter",
        "Slack Web API calls by method and outcome: ok, an error code, or ratelimited (this "
        "process).",
    )
    for (method, outcome), count in sorted(stats.calls.items()):
        out.sample("ecoute_slack_calls_total", count, {"method": method, "outcome": outcome})
    out.family(
        "ecoute_slack_ratelimited_total", "counter", "HTTP 429 answers from Slack (this process)."
    )
    out.sample("ecoute_slack_ratelimited_total", stats.ratelimited)
