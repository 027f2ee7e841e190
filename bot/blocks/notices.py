"""What an owner reads when a beneficiary says their request is not settled yet."""

from __future__ import annotations

from bot.blocks.base import Message, context, escape, section
from bot.i18n import Catalog, format_date
from domain.notices import NoticeToSend


def build_unsettled_notice(notice: NoticeToSend, catalog: Catalog) -> Message:
    """Return the owner's DM: which request, which service; never who said it."""
    reference = notice.reference or f"{notice.source}/{notice.external_id}"
    text = catalog.t(
        notice.locale,
        "notice.unsettled",
        reference=escape(reference),
        service=escape(notice.service_name),
    )
    when = catalog.t(
        notice.locale, "notice.reported_on", date=format_date(notice.reported_at, notice.locale)
    )
    return Message(text=text, blocks=[section(text), context(when)])
