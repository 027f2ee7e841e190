#!/usr/bin/env python3
"""Set up Écoute on a fresh machine (Python 3.11+ only) and run its main job or its checks.

python3 run.py demo        the whole loop against the built-in local Slack
python3 run.py test        format, lint, types, import contract, tests (SQLite + PostgreSQL)
python3 run.py ARGS...     any other `ecoute` command, e.g. `python3 run.py serve`
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".ecoute-installed"


def ensure_environment() -> None:
    """Create the virtual environment and install the project when pyproject.toml changed."""
    if sys.version_info < (3, 11):  # noqa: UP036  (run.py runs on whatever python3 is)
        sys.exit("Écoute needs Python 3.11 or newer.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("Creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    print("Installing Écoute and its development tools into .venv …", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    """Dispatch to the check script or to the `ecoute` command inside .venv."""
    ensure_environment()
    if argv[:1] == ["test"]:
        command = [str(BIN / "python"), str(ROOT / "scripts" / "check.py"), *argv[1:]]
    else:
        command = [str(BIN / "ecoute"), *(argv or ["--help"])]
    return subprocess.call(command, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
