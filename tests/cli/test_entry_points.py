"""Both ways in: the `ecoute` console script and `python -m bot`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def test_python_dash_m_bot_and_the_console_script_agree() -> None:
    module = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, check=True
    )
    script = subprocess.run(
        [str(BIN / "ecoute"), "--help"], capture_output=True, text=True, check=True
    )
    assert "demo" in module.stdout
    assert "serve" in module.stdout
    assert module.stdout.replace("__main__.py", "ecoute") == script.stdout


def test_a_missing_setting_is_one_clear_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "ECOUTE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/e.db",
        },
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == "ecoute: missing setting SLACK_BOT_TOKEN"
