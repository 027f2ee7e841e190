"""Simulate people (and Slack's delivery of their actions) against the bot's request URL."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.errors import ApiError, SandboxError
from bot.sandbox.models import Delivery, Message, View
from bot.sandbox.payloads import (
    block_actions,
    block_elements,
    block_id_of,
    element_state,
    event_callback,
    find_option,
    is_stateful,
    slash_command,
    state_values,
    stateful_elements,
    view_block_actions,
    view_submission,
)

if TYPE_CHECKING:
    from bot.sandbox.sandbox import Sandbox

ACK_DEADLINE_SECONDS = 3.0
POST_TIMEOUT_SECONDS = 10.0
FORM = "application/x-www-form-urlencoded"
_BUTTON = frozenset({"button"})
_SELECTABLE = frozenset(
    {"static_select", "multi_static_select", "radio_buttons", "checkboxes", "overflow"}
)


def _find(
    blocks: list[dict[str, Any]],
    kinds: frozenset[str],
    action_id: str,
    block_id: str | None,
    value: str | None,
    where: str,
) -> tuple[str, dict[str, Any]]:
    """Return the one element a person means, or raise: they cannot click what is not there."""
    matches = [
        (found_block, element)
        for found_block, element in block_elements(blocks, with_inputs=False)
        if element.get("type") in kinds
        and element.get("action_id") == action_id
        and (block_id is None or found_block == block_id)
        and (value is None or element.get("value") == value)
    ]
    if not matches:
        raise SandboxError(
            f"no {'/'.join(sorted(kinds))} with action_id={action_id!r}, value={value!r}, "
            f"block_id={block_id!r} in {where}"
        )
    if len(matches) > 1:
        raise SandboxError(f"{len(matches)} elements match {action_id!r}: pass block_id/value")
    return matches[0]


def _button_action(block_id: str, button: dict[str, Any]) -> dict[str, Any]:
    action: dict[str, Any] = {
        "action_id": button.get("action_id"),
        "block_id": block_id,
        "text": button.get("text"),
        "type": "button",
    }
    for key in ("value", "style"):
        if key in button:
            action[key] = button[key]
    return action


class SimulatedAgent:
    """One workspace member who clicks, picks, submits modals, types commands, opens Home."""

    def __init__(self, sandbox: Sandbox, user_id: str) -> None:
        self.sandbox = sandbox
        self.user = sandbox.workspace.require_user(user_id)
        self.ack_deadline = ACK_DEADLINE_SECONDS

    @property
    def dm_channel(self) -> str:
        """Return this person's DM channel with the bot."""
        return self.sandbox.dm_channel(self.user.id)

    def latest_message(self) -> Message:
        """Return the newest bot message in this person's DM."""
        messages = self.sandbox.messages(self.user.id)
        if not messages:
            raise SandboxError(f"{self.user.id} has no message from the bot")
        return messages[-1]

    # block_actions

    async def click(
        self,
        message: Message | None = None,
        *,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
    ) -> Delivery:
        """Click a button of a bot message (default: the newest in the DM)."""
        message = message or self.latest_message()
        where = f"message {message.ts} of {message.channel}"
        found = _find(message.blocks, _BUTTON, action_id, block_id, value, where)
        return await self._act(message, _button_action(*found), state_values(message.blocks))

    async def click_in_view(
        self,
        *,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
        home: bool = False,
    ) -> Delivery:
        """Click a button in the top modal, or in the Home tab when `home` is true."""
        sb = self.sandbox
        view = sb.views.homes.get(self.user.id) if home else sb.views.top(self.user.id)
        if view is None:
            raise SandboxError(f"{self.user.id} has no {'Home tab' if home else 'open modal'}")
        found = _find(view.blocks, _BUTTON, action_id, block_id, value, f"view {view.id}")
        payload = view_block_actions(
            sb.workspace,
            self.user,
            view,
            _button_action(*found),
            trigger_id=sb.views.issue_trigger(self.user.id),
            state=state_values(view.blocks),
        )
        return await self._post_payload(payload)

    async def select(
        self,
        message: Message | None = None,
        *,
        action_id: str,
        value: str | list[str],
        block_id: str | None = None,
    ) -> Delivery:
        """Pick option(s) in a menu, radio group, checkbox group or overflow of a bot message."""
        message = message or self.latest_message()
        where = f"message {message.ts} of {message.channel}"
        found_block, element = _find(message.blocks, _SELECTABLE, action_id, block_id, None, where)
        kind = str(element["type"])
        action: dict[str, Any] = {"action_id": action_id, "block_id": found_block, "type": kind}
        if kind in ("multi_static_select", "checkboxes"):
            values = [value] if isinstance(value, str) else value
            action["selected_options"] = [find_option(element, v) for v in values]
        elif isinstance(value, str):
            action["selected_option"] = find_option(element, value)
        else:
            raise SandboxError(f"{kind} takes one value, got {value!r}")
        state = state_values(message.blocks)
        if kind != "overflow":
            state.setdefault(found_block, {})[action_id] = element_state(element, value)
        return await self._act(message, action, state)

    async def _act(
        self, message: Message, action: dict[str, Any], state: dict[str, dict[str, Any]]
    ) -> Delivery:
        sb = self.sandbox
        try:
            sb.workspace.find(message.channel, message.ts)
        except ApiError as error:
            raise SandboxError(f"message {message.ts} is gone: nobody can click it") from error
        token = sb.response_urls.issue(self.user.id, message.channel, message.ts)
        payload = block_actions(
            sb.workspace,
            self.user,
            message,
            action,
            trigger_id=sb.views.issue_trigger(self.user.id),
            response_url=f"{sb.base_url}response/{token}",
            state=state,
        )
        return await self._post_payload(payload)

    async def _post_payload(self, payload: dict[str, Any]) -> Delivery:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.sign_and_post(body, FORM)

    # view_submission

    async def submit_view(
        self, view: View | None = None, values: Mapping[str, Mapping[str, Any]] | None = None
    ) -> Delivery:
        """Submit a modal (default: the top one) with `{block_id: {action_id: input}}`.

        An input is either Slack's state value (`{"type": ..., "value": ...}`) or a plain value:
        text for text inputs, an option value (or list) for menus, an id for pickers.
        """
        sb = self.sandbox
        view = view or sb.views.top(self.user.id)
        if view is None or view not in sb.views.stacks.get(self.user.id, []):
            raise SandboxError(f"{self.user.id} has no such open modal")
        values = values or {}
        self._check_inputs(view, values)
        payload = view_submission(
            sb.workspace,
            self.user,
            view,
            trigger_id=sb.views.issue_trigger(self.user.id),
            state=state_values(view.blocks, values),
        )
        delivery = await self._post_payload(payload)
        if 200 <= delivery.status < 300:
            sb.views.after_submission(view, delivery.ack, delivery.body)
        return delivery

    @staticmethod
    def _check_inputs(view: View, values: Mapping[str, Mapping[str, Any]]) -> None:
        """Refuse what Slack's client would refuse before sending anything."""
        elements = {
            (block_id, str(element.get("action_id", ""))): element
            for block_id, element in stateful_elements(view.blocks)
        }
        for block_id, actions in values.items():
            for action_id in actions:
                if (block_id, action_id) not in elements:
                    raise SandboxError(f"the modal has no input {block_id}.{action_id}")
        for index, block in enumerate(view.blocks):
            element = block.get("element")
            if block.get("type") != "input" or block.get("optional") or not element:
                continue
            if not is_stateful(str(element.get("type"))):
                continue
            block_id = block_id_of(block, index)
            raw = values.get(block_id, {}).get(str(element.get("action_id", "")))
            state = element_state(element, raw)
            filled = [v for k, v in state.items() if k != "type" and v not in (None, "", [])]
            if not filled:
                raise SandboxError(f"required input {block_id} is empty: Slack would not submit")
            text = state.get("value")
            if element.get("type") == "plain_text_input" and isinstance(text, str):
                low, high = element.get("min_length", 0), element.get("max_length", 3000)
                if not low <= len(text) <= high:
                    raise SandboxError(f"input {block_id}: {len(text)} chars outside {low}..{high}")

    # slash commands and events

    async def slash(
        self, command: str, text: str = "", *, channel_id: str | None = None
    ) -> Delivery:
        """Type a slash command (default: in the DM with the bot) and show its ack like Slack."""
        sb = self.sandbox
        channel = channel_id or self.dm_channel
        token = sb.response_urls.issue(self.user.id, channel, None)
        form = slash_command(
            sb.workspace,
            self.user,
            command=command,
            text=text,
            channel_id=channel,
            trigger_id=sb.views.issue_trigger(self.user.id),
            response_url=f"{sb.base_url}response/{token}",
        )
        delivery = await self.sign_and_post(urlencode(form).encode(), FORM)
        if 200 <= delivery.status < 300 and delivery.body.strip():
            self._show_command_ack(channel, delivery)
        return delivery

    def _show_command_ack(self, channel: str, delivery: Delivery) -> None:
        ws = self.sandbox.workspace
        ack = delivery.ack or {"text": delivery.body}
        try:
            ws.check_message("slash_command.ack", ack)
        except ApiError:
            return
        text = str(ack.get("text") or "")
        listed = ack.get("blocks")
        blocks: list[dict[str, Any]] = listed if isinstance(listed, list) else []
        if ack.get("response_type") == "in_channel":
            ws.post(channel, text=text, blocks=blocks)
        else:
            shown = {"channel": channel, "text": text, "blocks": blocks, "source": "command_ack"}
            ws.add_ephemeral(self.user.id, shown)

    async def open_home(self, tab: str = "home") -> Delivery:
        """Open the app's Home tab: Slack sends app_home_opened."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": self.user.id,
            "channel": self.dm_channel,
            "tab": tab,
        }
        home = self.sandbox.home(self.user.id)
        if home is not None:
            event["view"] = home
        return await self.send_event(event)

    async def send_event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> Delivery:
        """Deliver an Events API envelope, optionally as Slack's retry number `retry_num`."""
        ws = self.sandbox.workspace
        envelope = event_callback(ws, event, event_id or ws.new_id("Ev"))
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return await self.sign_and_post(json.dumps(envelope).encode(), "application/json", headers)

    # transport

    async def sign_and_post(
        self,
        body: bytes,
        content_type: str,
        extra_headers: Mapping[str, str] | None = None,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        secret: str | None = None,
    ) -> Delivery:
        """POST `body` to events_url signed like Slack (override any part to forge requests)."""
        sb = self.sandbox
        if sb.events_url is None:
            raise SandboxError("set sandbox.events_url to the bot's /slack/events URL first")
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        verifier = SignatureVerifier(secret if secret is not None else sb.signing_secret)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature
            or verifier.generate_signature(timestamp=stamp, body=body)
            or "",
            **(extra_headers or {}),
        }
        started = time.monotonic()
        try:
            async with sb.http.post(
                sb.events_url,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT_SECONDS),
            ) as response:
                text = await response.text()
                status = response.status
        except TimeoutError:
            status, text = 0, "operation_timeout"
        except aiohttp.ClientError as error:
            status, text = 0, f"connection_failed: {error}"
        elapsed = time.monotonic() - started
        if elapsed > self.ack_deadline:
            # Slack gives up after 3 s and shows the person an error, whatever comes later.
            message = f"answered in {elapsed:.2f} s > {self.ack_deadline:g} s"
            sb.workspace.violate("ack", sb.events_url, message)
        return Delivery(status=status, body=text, elapsed=elapsed)
