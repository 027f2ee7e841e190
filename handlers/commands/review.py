"""`/ecoute review PERIOD [SERVICE]`: the commitment review pack, as files in the caller's DM."""

from __future__ import annotations

from bot.blocks.admin_text import notice
from bot.reports.review_pack import render_review
from domain.review_periods import parse_period
from domain.reviews import review_pack
from handlers.commands.request import CommandRequest, Usage


async def run(request: CommandRequest, args: list[str]) -> None:
    """Compute the review, tell the caller it is on its way, then upload the pack to their DM."""
    if not 1 <= len(args) <= 2:
        raise Usage("review")
    deps, locale = request.deps, request.locale
    period = parse_period(args[0], locale=locale)
    async with deps.database.begin() as session:
        pack = await review_pack(
            session,
            period=period,
            service=args[1] if len(args) > 1 else None,
            caller=request.caller,
            now=deps.now(),
            zone=deps.settings.zone,
            email_mask=deps.catalog.t(locale, "digest.email_mask"),
            phone_mask=deps.catalog.t(locale, "digest.phone_mask"),
        )
    await request.answer(notice(deps.catalog.t(locale, "review.coming", period=period.label)))
    files = await render_review(pack, deps.catalog, locale, deps.settings.zone)
    # Uploads need a conversation id, not a user id: open (or find) the DM once.
    opened = await deps.slack.conversations_open(users=request.caller.user_id)
    await deps.slack.files_upload_v2(
        channel=str(opened["channel"]["id"]),
        file_uploads=[
            {"content": f.content, "filename": f.filename, "title": f.title} for f in files
        ],
        initial_comment=deps.catalog.t(
            locale, "review.comment", period=period.label, count=len(pack.lines)
        ),
    )
