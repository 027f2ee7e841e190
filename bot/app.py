"""Build the Bolt app: verification on, dependencies in the context, one error handler."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse

from bot.deps import Deps
from handlers.actions import digest as digest_actions
from handlers.actions import home as home_actions
from handlers.actions import opt_out as opt_out_actions
from handlers.actions import plans as plan_actions
from handlers.actions import preview as preview_actions
from handlers.actions import pulse as pulse_actions
from handlers.commands import router as ecoute_command
from handlers.events import home as home_events
from handlers.refusals import tell
from handlers.views import charter_import as charter_import_views
from handlers.views import comment as comment_views
from handlers.views import commitment_form as commitment_views
from handlers.views import confirm as confirm_views
from handlers.views import plans as plan_views
from handlers.views import question_form as question_views

logger = logging.getLogger("ecoute.slack")

SURFACES: tuple[Callable[[AsyncApp], None], ...] = (
    pulse_actions.register,
    opt_out_actions.register,
    digest_actions.register,
    comment_views.register,
    ecoute_command.register,
    home_events.register,
    home_actions.register,
    preview_actions.register,
    commitment_views.register,
    question_views.register,
    charter_import_views.register,
    confirm_views.register,
    plan_actions.register,
    plan_views.register,
)


def build_bolt_app(deps: Deps) -> AsyncApp:
    """Return the Bolt app with every listener registered."""
    app = AsyncApp(
        client=deps.slack,
        signing_secret=deps.settings.secret("slack_signing_secret"),
        # Bolt would otherwise log and answer 404 for events nobody listens to; we ack them.
        raise_error_for_unhandled_request=False,
    )

    @app.middleware
    async def provide_deps(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        context["deps"] = deps
        await next()

    app.error(_error_handler(deps))
    for register in SURFACES:
        register(app)
    return app


def _error_handler(deps: Deps) -> Callable[..., Awaitable[BoltResponse | None]]:
    async def handle_error(
        error: Exception, body: dict[str, Any], respond: AsyncRespond | None
    ) -> BoltResponse | None:
        # Listeners catch their own failures (handlers.refusals); this sees middleware errors.
        logger.exception("request failed before its listener", exc_info=error)
        await tell(deps, body, deps.catalog.t(None, "error.generic"), respond)
        return None

    return handle_error
