"""Build the payloads Slack sends an app: block_actions, view_submission, commands, events."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from bot.sandbox.errors import SandboxError
from bot.sandbox.models import Message, SandboxUser, View
from bot.sandbox.workspace import Workspace

# The legacy verification token: Bolt ignores it (it checks signatures), Slack still sends it.
VERIFICATION_TOKEN = "sandbox-verification-token"

_TEXT_TYPES = frozenset({"plain_text_input", "email_text_input", "url_text_input", "number_input"})
_ONE_OPTION = frozenset({"static_select", "external_select", "radio_buttons"})
_MANY_OPTIONS = frozenset({"multi_static_select", "multi_external_select", "checkboxes"})
_PICKED: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "users_select": ("selected_user", "initial_user"),
        "multi_users_select": ("selected_users", "initial_users"),
        "conversations_select": ("selected_conversation", "initial_conversation"),
        "multi_conversations_select": ("selected_conversations", "initial_conversations"),
        "channels_select": ("selected_channel", "initial_channel"),
        "multi_channels_select": ("selected_channels", "initial_channels"),
        "datepicker": ("selected_date", "initial_date"),
        "timepicker": ("selected_time", "initial_time"),
        "datetimepicker": ("selected_date_time", "initial_date_time"),
    }
)


def user_ref(user: SandboxUser, team_id: str) -> dict[str, Any]:
    """Return the `user` object of interaction payloads."""
    return {"id": user.id, "username": user.username, "name": user.username, "team_id": team_id}


def team_ref(ws: Workspace) -> dict[str, Any]:
    """Return the `team` object of interaction payloads."""
    return {"id": ws.team_id, "domain": ws.team_domain}


def all_options(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return an element's options, flattening option_groups."""
    found = list(element.get("options", []))
    for group in element.get("option_groups", []):
        found.extend(group.get("options", []))
    return found


def find_option(element: Mapping[str, Any], value: str) -> dict[str, Any]:
    """Return the option with `value`, or raise: a person cannot pick what is not offered."""
    for option in all_options(element):
        if option.get("value") == value:
            return option
    raise SandboxError(f"no option with value {value!r} in {element.get('action_id')!r}")


def block_id_of(block: Mapping[str, Any], index: int) -> str:
    """Return a block's block_id; Slack generates one when the app sent none."""
    return str(block.get("block_id") or f"sandbox-block-{index}")


def block_elements(
    blocks: list[dict[str, Any]], *, with_inputs: bool = True
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (block_id, element) for the elements of blocks, in order."""
    for index, block in enumerate(blocks):
        block_id = block_id_of(block, index)
        candidates: list[Any] = []
        if block.get("type") == "input" and with_inputs:
            candidates.append(block.get("element"))
        elif block.get("type") == "section":
            candidates.append(block.get("accessory"))
        elif block.get("type") == "actions":
            candidates.extend(block.get("elements", []))
        yield from ((block_id, e) for e in candidates if isinstance(e, dict))


def stateful_elements(blocks: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (block_id, element) for every element that keeps state, in block order."""
    for block_id, element in block_elements(blocks):
        if is_stateful(str(element.get("type"))):
            yield block_id, element


def is_stateful(kind: str) -> bool:
    """Tell whether elements of this type appear in state.values."""
    return kind in _TEXT_TYPES or kind in _ONE_OPTION or kind in _MANY_OPTIONS or kind in _PICKED


def element_state(element: Mapping[str, Any], raw: Any = None) -> dict[str, Any]:
    """Return one element's state value: the person's input `raw`, else its initial value."""
    kind = str(element.get("type"))
    if isinstance(raw, dict) and "type" in raw:
        return dict(raw)
    if kind in _TEXT_TYPES:
        value = raw if raw is not None else element.get("initial_value")
        return {"type": kind, "value": None if value is None else str(value)}
    if kind in _ONE_OPTION:
        picked = (
            find_option(element, str(raw)) if raw is not None else element.get("initial_option")
        )
        return {"type": kind, "selected_option": picked}
    if kind in _MANY_OPTIONS:
        if raw is None:
            return {"type": kind, "selected_options": list(element.get("initial_options", []))}
        values = [raw] if isinstance(raw, str) else list(raw)
        return {"type": kind, "selected_options": [find_option(element, str(v)) for v in values]}
    key, initial = _PICKED[kind]
    return {"type": kind, key: raw if raw is not None else element.get(initial)}


def state_values(
    blocks: list[dict[str, Any]], chosen: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, dict[str, Any]]:
    """Return `state.values` for blocks, applying the person's choices by block and action."""
    chosen = chosen or {}
    values: dict[str, dict[str, Any]] = {}
    for block_id, element in stateful_elements(blocks):
        action_id = str(element.get("action_id", ""))
        raw = chosen.get(block_id, {}).get(action_id)
        values.setdefault(block_id, {})[action_id] = element_state(element, raw)
    return values


def _action_envelope(
    ws: Workspace, user: SandboxUser, action: dict[str, Any], trigger_id: str
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": user_ref(user, ws.team_id),
        "api_app_id": ws.app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "team": team_ref(ws),
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
    }


def block_actions(
    ws: Workspace,
    user: SandboxUser,
    message: Message,
    action: dict[str, Any],
    *,
    trigger_id: str,
    response_url: str,
    state: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """Return a block_actions payload for an action on a bot message in a DM or channel."""
    channel = ws.channels.get(message.channel)
    return {
        **_action_envelope(ws, user, action, trigger_id),
        "container": {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": message.channel,
            "is_ephemeral": False,
        },
        "channel": {"id": message.channel, "name": channel.name if channel else "directmessage"},
        # Interaction payloads carry the message without its metadata: do not rely on it here.
        "message": message.to_slack(include_metadata=False),
        "state": {"values": state},
        "response_url": response_url,
    }


def view_block_actions(
    ws: Workspace,
    user: SandboxUser,
    view: View,
    action: dict[str, Any],
    *,
    trigger_id: str,
    state: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """Return a block_actions payload for an action in a modal or Home tab (no response_url)."""
    return {
        **_action_envelope(ws, user, action, trigger_id),
        "container": {"type": "view", "view_id": view.id},
        "view": view.to_slack(state),
    }


def view_submission(
    ws: Workspace, user: SandboxUser, view: View, *, trigger_id: str, state: dict[str, Any]
) -> dict[str, Any]:
    """Return a view_submission payload for the person's top modal."""
    return {
        "type": "view_submission",
        "team": team_ref(ws),
        "user": user_ref(user, ws.team_id),
        "api_app_id": ws.app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": view.to_slack(state),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def slash_command(
    ws: Workspace,
    user: SandboxUser,
    *,
    command: str,
    text: str,
    channel_id: str,
    trigger_id: str,
    response_url: str,
) -> dict[str, str]:
    """Return the form fields of a slash command invocation."""
    channel = ws.channels.get(channel_id)
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": ws.team_id,
        "team_domain": ws.team_domain,
        "channel_id": channel_id,
        "channel_name": channel.name if channel else "directmessage",
        "user_id": user.id,
        "user_name": user.username,
        "command": command,
        "text": text,
        "api_app_id": ws.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def event_callback(ws: Workspace, event: dict[str, Any], event_id: str) -> dict[str, Any]:
    """Return an Events API envelope for `event`."""
    now = int(time.time())
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": ws.team_id,
        "context_team_id": ws.team_id,
        "context_enterprise_id": None,
        "api_app_id": ws.app_id,
        "event": {"event_ts": f"{time.time():.6f}", **event},
        "type": "event_callback",
        "event_id": event_id,
        "event_time": now,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": ws.team_id,
                "user_id": ws.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
