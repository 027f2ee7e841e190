"""Measure pulses sent per minute against the sandbox's enforced ceiling, and the 429s received.

    .venv/bin/python benchmarks/dispatch.py [--ceiling 600] [--seconds 60] [--warmup 5]
                                            [--batch 50] [--interval 1.0] [--database-url URL]

The sandbox enforces Slack's limits (tiers, one post a second per channel, the workspace post
ceiling over a sliding minute); the bot's pacer is told the same ceiling
(ECOUTE_SLACK_POSTS_PER_MINUTE). A backlog larger than the window can drain is queued first,
then posts are counted over `--seconds` after `--warmup`. Targets: at least 95 % of the
ceiling, fewer than 0.1 % of calls answered 429 (exit 1 if missed). The ceiling is a
workspace's (300 a minute is Slack's order of magnitude); a higher one only shortens the run.
The bot runs in this process (pacing at tens of posts a second leaves the loop idle).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.runtime import running  # noqa: E402
from bot.sandbox import Limits, Sandbox, SandboxUser  # noqa: E402
from domain.charter import apply_charter, parse_charter  # noqa: E402
from domain.directory import DirectoryEntry, mark_directory_synced, store_entries  # noqa: E402
from handlers.intake.signature import decode_secret, sign  # noqa: E402
from storage.engine import open_database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

BOT_TOKEN = "xoxb-benchmark"
SIGNING_SECRET = "benchmark-signing-secret"
INTAKE_SECRET = "whsec_YmVuY2htYXJrLWRpc3BhdGNoLXNlY3JldC0xMjM0"
CHARTER = """\
version: 1
services:
  - code: BENCH
    name: Banc d'essai
    owners: [U0BENCHOWNER]
    delay: 0
    working_hours: any
    holidays: none
commitments:
  - code: BENCH-01
    service: BENCH
    title: "Réponse dans la journée"
    metric: csat
    threshold: 80
    min_responses: 5
    window_days: 30
    owners: [U0BENCHOWNER]
    questions:
      - kind: rating_5
        text: {fr: "Êtes-vous satisfait ?", en: "Are you satisfied?"}
"""


async def prepare(url: str, users: list[SandboxUser]) -> None:
    """Migrate, load the charter, and store the directory as the daily sync would."""
    database = open_database(url)
    now = datetime.now(UTC)
    try:
        await upgrade(database)
        async with database.begin() as session:
            await apply_charter(session, spec=parse_charter(CHARTER, filename="bench"), now=now)
        async with database.begin() as session:
            for start in range(0, len(users), 1000):
                entries = [
                    DirectoryEntry(u.id, u.email, u.locale, u.tz, False, False)
                    for u in users[start : start + 1000]
                ]
                await store_entries(session, entries=entries, now=now)
            await mark_directory_synced(session, now=now)
    finally:
        await database.dispose()


async def queue(bot_url: str, users: list[SandboxUser]) -> None:
    """Post one interaction per user through the signed intake API, 1,000 a request."""
    key = decode_secret(INTAKE_SECRET)
    now = datetime.now(UTC).isoformat()
    async with aiohttp.ClientSession() as http:
        for start in range(0, len(users), 1000):
            payloads: list[dict[str, Any]] = [
                {
                    "external_id": f"bench-{user.id}",
                    "service": "BENCH",
                    "beneficiary": {"slack_user_id": user.id},
                    "occurred_at": now,
                    "send_after": now,
                }
                for user in users[start : start + 1000]
            ]
            body = json.dumps({"interactions": payloads}).encode()
            msg_id, stamp = f"msg_{uuid.uuid4().hex}", int(time.time())
            headers = {
                "content-type": "application/json",
                "webhook-id": msg_id,
                "webhook-timestamp": str(stamp),
                "webhook-signature": sign(key, msg_id=msg_id, timestamp=stamp, body=body),
            }
            async with http.post(
                f"{bot_url}/api/v1/interactions", data=body, headers=headers
            ) as response:
                if response.status != 202:
                    raise SystemExit(f"intake answered {response.status}: {await response.text()}")


async def measure(args: argparse.Namespace) -> dict[str, float]:
    """Run the bot against the sandbox and return the figures."""
    backlog = int(args.ceiling * (args.seconds + args.warmup + 15) / 60 * 1.2)
    users = [SandboxUser(f"U{i:08d}", f"Agent {i}", f"a{i}@bench.gouv.fr") for i in range(backlog)]
    sandbox = Sandbox(
        users=users,
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        limits=Limits(post_workspace_per_minute=args.ceiling),
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        await prepare(url, users)
        await sandbox.start()
        settings = load_settings(
            None,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            ECOUTE_INTAKE_SECRETS=INTAKE_SECRET,
            ECOUTE_PSEUDONYM_KEY="benchmark-pseudonym-key",
            ECOUTE_DATABASE_URL=url,
            SLACK_API_URL=sandbox.api_url,
            ECOUTE_SLACK_POSTS_PER_MINUTE=args.ceiling,
            ECOUTE_DISPATCH_INTERVAL=args.interval,
            ECOUTE_DISPATCH_BATCH=args.batch,
        )
        try:
            async with running(settings, host="127.0.0.1", port=0, migrate=False) as bot:
                await queue(bot.url, users)
                await asyncio.sleep(args.warmup + args.seconds + 1)
        finally:
            await sandbox.stop()
    posts = [c for c in sandbox.calls if c.method == "chat.postMessage"]
    first = min(c.at for c in posts if c.ok)
    start, end = first + args.warmup, first + args.warmup + args.seconds
    sent = sum(1 for c in posts if c.ok and start <= c.at < end)
    limited = sum(1 for c in sandbox.calls if c.http_status == 429)
    return {
        "ceiling": args.ceiling,
        "per_minute": sent * 60 / args.seconds,
        "calls": len(sandbox.calls),
        "limited": limited,
        "violations": len(sandbox.violations),
    }


def main() -> None:
    """Parse options, measure, print the figures next to the ceiling and the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ceiling", type=int, default=600, help="posts a minute, both sides")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured window")
    parser.add_argument("--warmup", type=float, default=5.0, help="not measured")
    parser.add_argument("--batch", type=int, default=50, help="ECOUTE_DISPATCH_BATCH")
    parser.add_argument("--interval", type=float, default=1.0, help="ECOUTE_DISPATCH_INTERVAL")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    figures = asyncio.run(measure(args))
    share = figures["per_minute"] / figures["ceiling"]
    limited_share = figures["limited"] / max(1, figures["calls"])
    print("| measure | value | target |\n|---|---:|---:|")
    print(f"| sandbox ceiling, posts/min | {figures['ceiling']:,.0f} | |")
    print(
        f"| pulses sent, posts/min ({args.seconds:g} s window) | {figures['per_minute']:,.1f} | |"
    )
    print(f"| share of the ceiling | {share:.1%} | ≥ 95 % |")
    print(
        f"| calls answered 429 | {figures['limited']:,.0f} of {figures['calls']:,.0f} "
        f"({limited_share:.2%}) | < 0.1 % |"
    )
    print(f"| Block Kit or platform violations | {figures['violations']:,.0f} | 0 |")
    met = share >= 0.95 and limited_share < 0.001 and not figures["violations"]
    print("targets met" if met else "targets MISSED")
    raise SystemExit(0 if met else 1)


if __name__ == "__main__":
    main()
