"""Production scenarios' tools: bots as real processes, a sandbox of many people, signed intake."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import aiohttp
from sqlalchemy import func
from sqlmodel import col, select

from bot.sandbox import Limits, Sandbox, SandboxUser
from domain.directory import DirectoryEntry, mark_directory_synced, store_entries
from handlers.intake.signature import decode_secret, sign
from storage.engine import DatabaseUnavailable, open_database
from storage.tables import Interaction, Pulse
from tests.conftest import TEST_SECRETS
from tests.scenarios.conftest import interaction, load_test_charter

ROOT = Path(__file__).resolve().parents[2]
FINAL = frozenset({"sent", "answered", "expired", "failed"})
OPEN = frozenset({"pending", "sending"})


def people(count: int) -> list[SandboxUser]:
    """Return `count` distinct agents (one pulse each: no contact budget gets in the way)."""
    return [
        SandboxUser(f"U{i:08d}", f"Agent {i}", f"agent{i}@finances.gouv.fr") for i in range(count)
    ]


async def seed(database_url: str, users: Sequence[SandboxUser]) -> None:
    """Load the scenarios' charter and the directory, as the daily users.list sync would."""
    await load_test_charter(database_url)
    database = open_database(database_url)
    now = datetime.now(UTC)
    try:
        async with database.begin() as session:
            for start in range(0, len(users), 1000):
                entries = [
                    DirectoryEntry(u.id, u.email, u.locale, u.tz, u.deleted, u.is_bot)
                    for u in users[start : start + 1000]
                ]
                await store_entries(session, entries=entries, now=now)
            await mark_directory_synced(session, now=now)
    finally:
        await database.dispose()


def sandbox_for(users: Sequence[SandboxUser], posts_per_minute: int) -> Sandbox:
    """Return a sandbox (not started) holding `users`, with the given post ceiling."""
    return Sandbox(
        users=users,
        bot_token=TEST_SECRETS["SLACK_BOT_TOKEN"],
        signing_secret=TEST_SECRETS["SLACK_SIGNING_SECRET"],
        limits=Limits(post_workspace_per_minute=posts_per_minute),
    )


def bot_environment(database_url: str, api_url: str, **overrides: str) -> dict[str, str]:
    """Return a clean environment for `ecoute serve`: the test secrets, the sandbox as Slack."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ECOUTE_", "SLACK_"))}
    env.update(TEST_SECRETS)
    env.update(
        ECOUTE_DATABASE_URL=database_url,
        SLACK_API_URL=api_url,
        ECOUTE_DISPATCH_INTERVAL="0.1",
        ECOUTE_LOG_FORMAT="json",
        PYTHONPATH=str(ROOT),
    )
    env.update(overrides)
    return env


def ecoute_command() -> list[str]:
    """Return how to run the `ecoute` command installed with the project."""
    script = Path(sys.executable).with_name("ecoute")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


@dataclass
class BotProcess:
    """One `ecoute serve` process on a free port, its JSON logs in a file."""

    env: dict[str, str]
    workdir: Path
    args: Sequence[str] = ()
    process: asyncio.subprocess.Process | None = None
    url: str | None = None
    log: Path | None = None
    logs: list[Path] = field(default_factory=list)

    async def start(self, within: float = 30.0) -> str:
        """Start the process and wait until it listens; return its URL."""
        self.log = self.workdir / f"bot-{uuid.uuid4().hex[:8]}.log"
        self.logs.append(self.log)
        with self.log.open("wb") as sink:
            self.process = await asyncio.create_subprocess_exec(
                *ecoute_command(),
                "serve",
                "--port",
                "0",
                *self.args,
                env=self.env,
                cwd=self.workdir,
                stdout=sink,
                stderr=asyncio.subprocess.STDOUT,
            )
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            url = self._listening_url()
            if url is not None:
                self.url = url
                return url
            if self.process.returncode is not None:
                raise AssertionError(f"the bot exited at start:\n{self.log.read_text()[-3000:]}")
            await asyncio.sleep(0.05)
        raise AssertionError(f"the bot did not listen within {within} s")

    def _listening_url(self) -> str | None:
        assert self.log is not None
        for record in read_log(self.log):
            message = str(record.get("message", ""))
            if message.startswith("Écoute listening on "):
                return message.split()[3]
        return None

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """Send `sig` to the process."""
        assert self.process is not None
        self.process.send_signal(sig)
        self.url = None

    async def wait(self, within: float = 30.0) -> int:
        """Wait for the process to exit; return its code."""
        assert self.process is not None
        try:
            return await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            self.process.kill()
            raise AssertionError(f"the bot did not exit within {within} s") from None

    async def stop(self) -> int:
        """Stop with SIGTERM, as an orchestrator would; return the exit code."""
        if self.process is None:
            return 0
        if self.process.returncode is None:
            self.kill(signal.SIGTERM)
        return await self.wait()

    async def ensure_dead(self) -> None:
        """Kill the process if a failing test left it running."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


def read_log(path: Path) -> list[dict[str, Any]]:
    """Return a bot's JSON log records (a line that is not JSON fails the test)."""
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                records.append(json.loads(line))
            except ValueError as exc:
                raise AssertionError(f"a log line is not JSON: {line!r}") from exc
    return records


def assert_logs_clean(paths: Iterable[Path], users: Sequence[SandboxUser]) -> int:
    """Fail if a token, a secret or an email shows in the logs; return how many lines."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in paths)
    for secret in TEST_SECRETS.values():
        assert secret not in text, "a secret reached the logs"
    assert "xoxb-" not in text.replace("xox*-[redacted]", "")
    emails = [u.email for u in users[:50]]
    assert not any(email in text for email in emails), "an email reached the logs"
    return text.count("\n")


@dataclass
class Feeder:
    """A ticketing system: posts signed batches, retrying (same ids) until each is accepted."""

    batch: int = 50
    accepted: set[str] = field(default_factory=set)
    answers: list[tuple[float, int]] = field(default_factory=list)  # (monotonic time, status)
    retry_after: list[str] = field(default_factory=list)

    async def post(
        self, http: aiohttp.ClientSession, url: str, payloads: list[dict[str, Any]]
    ) -> int:
        """Post one batch; record the answer; return the status (0: no answer)."""
        key = decode_secret(TEST_SECRETS["ECOUTE_INTAKE_SECRETS"])
        body = json.dumps({"interactions": payloads}).encode()
        msg_id, stamp = f"msg_{uuid.uuid4().hex}", int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": sign(key, msg_id=msg_id, timestamp=stamp, body=body),
        }
        try:
            async with http.post(
                f"{url}/api/v1/interactions",
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=15),
            ) as response:
                status = response.status
                if status == 503:
                    self.retry_after.append(response.headers.get("Retry-After", ""))
                if status == 202:
                    for receipt in (await response.json())["interactions"]:
                        self.accepted.add(str(receipt["external_id"]))
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        self.answers.append((time.monotonic(), status))
        return status


def payloads_for(users: Sequence[SandboxUser], prefix: str) -> list[dict[str, Any]]:
    """Return one interaction per user, due now; the external id ends with `~user id`."""
    return [interaction(f"{prefix}-{i}~{user.id}", user.id) for i, user in enumerate(users)]


class PulseRow(NamedTuple):
    """What became of one interaction's pulse."""

    pulse_id: int
    external_id: str
    status: str
    reason: str | None
    channel: str | None
    ts: str | None


async def pulse_rows(database_url: str) -> list[PulseRow]:
    """Return (pulse id, external id, status, reason, channel, ts) for every pulse."""
    database = open_database(database_url)
    try:
        async with database.begin() as session:
            rows = (
                await session.exec(
                    select(
                        Pulse.id,
                        Interaction.external_id,
                        Pulse.status,
                        Pulse.reason,
                        Pulse.channel,
                        Pulse.ts,
                    ).join(Interaction, col(Interaction.id) == col(Pulse.interaction_id))
                )
            ).all()
    finally:
        await database.dispose()
    return [PulseRow(int(r[0] or 0), str(r[1]), str(r[2]), r[3], r[4], r[5]) for r in rows]


async def counts(database_url: str) -> dict[str, int] | None:
    """Return how many pulses stand in each status (None while the database is down)."""
    database = open_database(database_url)
    try:
        async with database.begin() as session:
            rows = (
                await session.exec(select(Pulse.status, func.count()).group_by(col(Pulse.status)))
            ).all()
        return {str(status): int(count) for status, count in rows}
    except DatabaseUnavailable:
        return None
    finally:
        await database.dispose()


async def until_settled(database_url: str, expected: int, within: float) -> dict[str, int]:
    """Wait until `expected` pulses exist and none is pending or sending; return the counts."""
    deadline = time.monotonic() + within
    seen: dict[str, int] | None = None
    while time.monotonic() < deadline:
        seen = await counts(database_url)
        if seen is not None and sum(seen.values()) >= expected and not OPEN & seen.keys():
            return seen
        await asyncio.sleep(0.5)
    raise AssertionError(f"not settled within {within} s: {seen}")


def dm_check(sandbox: Sandbox, rows: Sequence[PulseRow]) -> tuple[int, int]:
    """Return (lost, duplicated): sent pulses without their DM, and DMs beyond one per pulse."""
    lost = duplicated = 0
    for pulse_id, external_id, status, _reason, channel, ts in rows:
        user = external_id.rsplit("~", 1)[-1]
        messages = sandbox.messages(user)
        tagged = [
            m
            for m in messages
            if ((m.metadata or {}).get("event_payload") or {}).get("pulse_id") == pulse_id
        ]
        duplicated += max(0, len(messages) - 1)
        if status in ("sent", "answered", "expired"):
            if len(tagged) != 1 or tagged[0].ts != ts or tagged[0].channel != channel:
                lost += 1
        elif messages:
            duplicated += 1  # a DM for a pulse recorded as never sent
    return lost, duplicated


async def scrape(url: str) -> dict[str, float]:
    """Return the bot's /metrics as {sample with labels: value}."""
    async with aiohttp.ClientSession() as http, http.get(f"{url}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = await response.text()
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples
