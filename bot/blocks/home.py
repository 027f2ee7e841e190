"""The App Home tab: an agent's pulses and choices, an owner's scoreboard, an admin's console."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.admin_ids import HOME_AUDIT, HOME_EXPORT, HOME_IMPORT, HOME_OPT_IN, HOME_OPT_OUT
from bot.blocks.admin_stats import card_text
from bot.blocks.admin_text import date_time, duration
from bot.blocks.base import Block, button, clip, context, escape, mrkdwn, plain, section
from bot.blocks.plan_messages import plan_button
from bot.i18n import Catalog, format_date, format_percent
from domain.admin_home import AdminHome, AgentHome, HomeData, OwnerHome, PulseWindow
from domain.scoring import Status

MAX_CARDS = 30


def build_home(
    data: HomeData, catalog: Catalog, zone: ZoneInfo, *, last_slack_error: str | None
) -> dict[str, Any]:
    """Return the Home tab of one person: everyone's part, then the owner's, then the admin's."""
    locale = data.caller.locale
    blocks: list[Block] = [_header(catalog.t(locale, "home.title"))]
    blocks += _agent(data.agent, catalog, locale)
    if data.owner is not None:
        blocks += [{"type": "divider"}, *_owner(data.owner, catalog, locale, zone)]
    if data.admin is not None:
        blocks += [{"type": "divider"}, *_admin(data, data.admin, catalog, zone, last_slack_error)]
    updated = date_time(data.as_of, zone, catalog, locale)
    blocks.append(context(catalog.t(locale, "home.updated", when=updated)))
    return {"type": "home", "blocks": blocks[:100]}


def _header(text: str) -> Block:
    return {"type": "header", "text": plain(text, 150)}


def _agent(agent: AgentHome, catalog: Catalog, locale: str) -> list[Block]:
    lines = [catalog.t(locale, "home.open_pulses", count=len(agent.open_pulses))]
    for pulse in agent.open_pulses:
        closes = format_date(pulse.expires_at, locale) if pulse.expires_at else "—"
        line = catalog.t(locale, "home.open_pulse", service=escape(pulse.service), closes=closes)
        lines.append(f"• {line}")
    if agent.open_pulses:
        lines.append(catalog.t(locale, "home.open_hint"))
    language = catalog.t(locale, f"home.language.{locale}")
    facts = [
        catalog.t(locale, "home.answered", count=agent.answered),
        catalog.t(locale, "home.your_language", language=language),
    ]
    if agent.opted_out:
        state = section(catalog.t(locale, "home.opted_out"))
        switch = button(catalog.t(locale, "home.opt_in"), action_id=HOME_OPT_IN, value="in")
        switch["style"] = "primary"
    else:
        state = section(catalog.t(locale, "home.opted_in"))
        switch = button(catalog.t(locale, "home.opt_out"), action_id=HOME_OPT_OUT, value="out")
        switch["confirm"] = {
            "title": plain(catalog.t(locale, "home.opt_out_confirm_title"), 100),
            "text": mrkdwn(catalog.t(locale, "home.opt_out_confirm"), 300),
            "confirm": plain(catalog.t(locale, "home.opt_out_confirm_yes"), 30),
            "deny": plain(catalog.t(locale, "home.opt_out_confirm_no"), 30),
        }
    return [
        section("\n".join(lines)),
        context(*facts),
        state,
        {"type": "actions", "block_id": "home.choices", "elements": [switch]},
    ]


def _owner(owner: OwnerHome, catalog: Catalog, locale: str, zone: ZoneInfo) -> list[Block]:
    blocks: list[Block] = [_header(catalog.t(locale, "home.owner_title"))]
    for card in owner.cards[:MAX_CARDS]:
        block = section(card_text(card, catalog, locale))
        open_plan = owner.open_plans.get(card.commitment.id)
        if open_plan is not None or card.current.status in (Status.BELOW, Status.BREACHED):
            # The owner acts where they look: open a plan, or follow the one under way.
            block["accessory"] = plan_button(
                card.commitment.id, catalog, locale, open_plan=open_plan
            )
        blocks.append(block)
    if len(owner.cards) > MAX_CARDS:
        left = len(owner.cards) - MAX_CARDS
        blocks.append(context(catalog.t(locale, "admin.stats.more", count=left)))
    if owner.next_digest is not None:
        when = date_time(owner.next_digest, zone, catalog, locale)
        text = catalog.t(locale, "home.next_digest", when=when, schedule=owner.schedule)
    else:
        text = catalog.t(locale, "home.no_digest", schedule=owner.schedule)
    blocks.append(context(text))
    return blocks


def _admin(
    data: HomeData, admin: AdminHome, catalog: Catalog, zone: ZoneInfo, last_error: str | None
) -> list[Block]:
    locale = data.caller.locale
    paused = ", ".join(admin.paused) or catalog.t(locale, "home.none")
    charter = catalog.t(
        locale,
        "home.charter",
        services=admin.services,
        commitments=admin.commitments,
        questions=admin.questions,
        paused=paused,
    )
    if admin.oldest_due is not None:
        age = duration(data.as_of - admin.oldest_due, catalog, locale)
        backlog = catalog.t(locale, "home.backlog", count=admin.backlog, age=age)
    else:
        backlog = catalog.t(locale, "home.backlog_empty")
    error = clip(escape(last_error), 300) if last_error else catalog.t(locale, "home.none")
    buttons = [
        button(catalog.t(locale, "home.export"), action_id=HOME_EXPORT, value="export"),
        button(catalog.t(locale, "home.import"), action_id=HOME_IMPORT, value="import"),
        button(catalog.t(locale, "home.audit"), action_id=HOME_AUDIT, value="audit"),
    ]
    return [
        _header(catalog.t(locale, "home.admin_title")),
        section(charter),
        {
            "type": "section",
            "fields": [mrkdwn(_window(w, catalog, locale), 2000) for w in admin.windows],
        },
        section(
            "\n".join(
                [
                    catalog.t(locale, "home.health"),
                    backlog,
                    catalog.t(locale, "home.last_error", error=error),
                ]
            )
        ),
        {"type": "actions", "block_id": "home.admin", "elements": buttons},
    ]


def _window(window: PulseWindow, catalog: Catalog, locale: str) -> str:
    rate = window.response_rate
    return catalog.t(
        locale,
        "home.window",
        days=window.days,
        sent=window.sent,
        answered=window.answered,
        failed=window.failed,
        rate=format_percent(rate, locale) if rate is not None else "—",
    )
