"""What every edge (listener, route, job) needs, built once per process and passed explicitly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.i18n import Catalog
from domain.privacy import Pseudonymizer
from storage.engine import Database


@dataclass(frozen=True)
class Deps:
    """The process's shared services; listeners receive it through Bolt's context."""

    settings: Settings
    database: Database
    slack: AsyncWebClient
    catalog: Catalog
    pseudonymize: Pseudonymizer
    now: Callable[[], datetime]
