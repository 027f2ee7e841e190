"""Every check CI runs, in order, stopping at the first failure: `python3 run.py test`."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def run(name: str, command: list[str], env: dict[str, str] | None = None) -> None:
    """Run one check; exit with its code if it fails (pytest's 5, "no tests ran", included)."""
    print(f"\n== {name}: {' '.join(command)}", flush=True)
    started = time.monotonic()
    code = subprocess.call(command, cwd=ROOT, env=env)
    print(f"== {name}: exit {code} in {time.monotonic() - started:.1f} s", flush=True)
    if code != 0:
        sys.exit(code)


def main() -> None:
    """Parse options (the rest goes to pytest) and run the checks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sqlite-only", action="store_true", help="skip the PostgreSQL run of the test suite"
    )
    args, pytest_args = parser.parse_known_args()
    env = dict(os.environ)
    if args.sqlite_only:
        env.pop("ECOUTE_TEST_POSTGRES_URL", None)
    else:
        env.setdefault("ECOUTE_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    run("format", [str(BIN / "ruff"), "format", "--check", "."])
    run("lint", [str(BIN / "ruff"), "check", "."])
    run("types", [str(BIN / "mypy")])
    run("imports", [str(BIN / "lint-imports")])
    run("tests", [str(BIN / "pytest"), "-q", *pytest_args], env=env)


if __name__ == "__main__":
    main()
