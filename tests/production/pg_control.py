"""Stop and start the PostgreSQL cluster the tests use (Debian's pg_ctlcluster, run as root)."""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import make_url


@dataclass(frozen=True)
class Cluster:
    """A Debian PostgreSQL cluster: version, name, port."""

    version: str
    name: str
    port: int

    async def _ctl(self, action: str) -> None:
        process = await asyncio.create_subprocess_exec(
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            self.version,
            self.name,
            action,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            raise AssertionError(f"pg_ctlcluster {action} failed: {output.decode()}")

    async def stop(self) -> None:
        """Stop the server (fast mode: clients are disconnected)."""
        await self._ctl("stop")

    async def start(self, url: str, within: float = 30.0) -> None:
        """Start the server and wait until it accepts connections."""
        await self._ctl("start")
        deadline = time.monotonic() + within
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        while True:
            try:
                connection = await asyncpg.connect(dsn, timeout=2)
            except (OSError, asyncpg.PostgresError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
            else:
                await connection.close()
                return

    async def ensure_running(self, url: str) -> None:
        """Start the server if it is down (the finally of a test that stopped it)."""
        if not await self.is_online():
            await self.start(url)

    async def is_online(self) -> bool:
        """Tell whether pg_lsclusters reports the cluster online."""
        return any(c == self and online for c, online in await _clusters())


async def _clusters() -> list[tuple[Cluster, bool]]:
    process = await asyncio.create_subprocess_exec(
        "pg_lsclusters", "--no-header", stdout=asyncio.subprocess.PIPE
    )
    output, _ = await process.communicate()
    found = []
    for line in output.decode().splitlines():
        fields = line.split()
        if len(fields) >= 4:
            found.append((Cluster(fields[0], fields[1], int(fields[2])), fields[3] == "online"))
    return found


async def cluster_for(url: str) -> Cluster:
    """Return the local cluster serving `url` (matched by port), or fail saying what is missing."""
    if shutil.which("pg_ctlcluster") is None:
        raise AssertionError(
            "this scenario stops PostgreSQL with pg_ctlcluster (Debian), not found"
        )
    port = make_url(url).port or 5432
    for cluster, _online in await _clusters():
        if cluster.port == port:
            return cluster
    raise AssertionError(f"no local PostgreSQL cluster listens on port {port}")
