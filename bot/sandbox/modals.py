"""Keep modal stacks, Home tabs and trigger_ids, with Slack's rules for each."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import ApiError
from bot.sandbox.models import View
from bot.sandbox.workspace import Workspace

TRIGGER_TTL_SECONDS = 3.0
MAX_STACK = 3
ACK_METHOD = "view_submission.ack"


@dataclass
class _Trigger:
    user_id: str
    issued_at: float
    used: bool = False


class ViewStore:
    """Modal stacks and Home tabs per user, and the trigger_ids that open modals."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self.stacks: dict[str, list[View]] = {}
        self.homes: dict[str, View] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._version = 0

    # trigger_ids

    def issue_trigger(self, user_id: str) -> str:
        """Return a fresh trigger_id for an interaction by `user_id`."""
        serial = self.ws.new_id("")
        trigger_id = f"{serial}.{self.ws.team_id}.{hashlib.sha1(serial.encode()).hexdigest()[:16]}"
        self._triggers[trigger_id] = _Trigger(user_id, self.ws.clock())
        return trigger_id

    def redeem(self, trigger_id: str) -> str:
        """Spend a trigger_id and return its user; Slack allows one use within 3 s."""
        trigger = self._triggers.get(trigger_id)
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used:
            raise ApiError("exchanged_trigger_id")
        if self.ws.clock() - trigger.issued_at > TRIGGER_TTL_SECONDS:
            raise ApiError("expired_trigger_id")
        trigger.used = True
        return trigger.user_id

    # views.* methods

    def open(self, trigger_id: str, payload: dict[str, Any]) -> View:
        """Open a new modal stack (views.open)."""
        self.ws.check_view("views.open", payload)
        self._require_type("views.open", payload, "modal")
        user_id = self.redeem(trigger_id)
        self._require_unique_external_id(payload, replacing=None)
        view = self._new_view(user_id, payload, previous=None)
        self.stacks[user_id] = [view]
        return view

    def push(self, trigger_id: str, payload: dict[str, Any]) -> View:
        """Push a modal on the user's open stack (views.push)."""
        self.ws.check_view("views.push", payload)
        self._require_type("views.push", payload, "modal")
        user_id = self.redeem(trigger_id)
        stack = self.stacks.get(user_id, [])
        if not stack:
            raise ApiError("not_found")
        if len(stack) >= MAX_STACK:
            raise ApiError("push_limit_reached")
        self._require_unique_external_id(payload, replacing=None)
        view = self._new_view(user_id, payload, previous=stack[-1])
        stack.append(view)
        return view

    def update(
        self,
        view_id: str | None,
        external_id: str | None,
        hash_: str | None,
        payload: dict[str, Any],
    ) -> View:
        """Replace an open view's content (views.update), honouring the optional hash."""
        self.ws.check_view("views.update", payload)
        view = self._find(view_id, external_id)
        if hash_ is not None and hash_ != view.hash:
            raise ApiError("hash_conflict")
        self._require_type("views.update", payload, view.type)
        self._require_unique_external_id(payload, replacing=view)
        view.payload = payload
        view.hash = self._next_hash(view.id)
        return view

    def publish(self, user_id: str, payload: dict[str, Any], hash_: str | None) -> View:
        """Publish a user's Home tab (views.publish)."""
        self.ws.check_view("views.publish", payload)
        self._require_type("views.publish", payload, "home")
        self.ws.user(user_id)
        current = self.homes.get(user_id)
        if current is not None and hash_ is not None and hash_ != current.hash:
            raise ApiError("hash_conflict")
        if current is None:
            current = self._new_view(user_id, payload, previous=None)
            self.homes[user_id] = current
        else:
            current.payload = payload
            current.hash = self._next_hash(current.id)
        return current

    def top(self, user_id: str) -> View | None:
        """Return the modal the user sees, if any."""
        stack = self.stacks.get(user_id)
        return stack[-1] if stack else None

    # view_submission acknowledgements

    def after_submission(self, view: View, ack: dict[str, Any] | None, raw: str) -> None:
        """Apply a 2xx view_submission ack the way Slack's client does."""
        stack = self.stacks.get(view.user_id, [])
        if view not in stack:
            return
        if ack is None and raw.strip():
            self.ws.violate(ACK_METHOD, "body", "must be empty or a JSON response_action")
            return
        action = (ack or {}).get("response_action")
        if action is None:
            # An empty ack closes only the submitted view, revealing the one below it.
            stack.remove(view)
        elif action == "clear":
            stack.clear()
        elif action == "errors":
            self._check_errors(view, (ack or {}).get("errors"))
        elif action in ("update", "push"):
            self._respond_with_view(view, stack, str(action), (ack or {}).get("view"))
        else:
            self.ws.violate(ACK_METHOD, "response_action", f"unknown response_action {action!r}")

    def _respond_with_view(self, view: View, stack: list[View], action: str, new: Any) -> None:
        if not isinstance(new, dict):
            self.ws.violate(ACK_METHOD, "view", f"response_action {action} needs a view object")
            return
        try:
            self.ws.check_view(ACK_METHOD, new)
            self._require_type(ACK_METHOD, new, "modal")
        except ApiError:
            return
        if action == "update":
            view.payload = new
            view.hash = self._next_hash(view.id)
        elif len(stack) >= MAX_STACK:
            self.ws.violate(ACK_METHOD, "view", f"push beyond {MAX_STACK} stacked modals")
        else:
            stack.append(self._new_view(view.user_id, new, previous=stack[-1]))

    def _check_errors(self, view: View, errors: Any) -> None:
        if not isinstance(errors, dict) or not errors:
            self.ws.violate(ACK_METHOD, "errors", "must be a non-empty object")
            return
        inputs = {b.get("block_id") for b in view.blocks if b.get("type") == "input"}
        for block_id, message in errors.items():
            if block_id not in inputs:
                self.ws.violate(ACK_METHOD, f"errors.{block_id}", "names no input block_id")
            if not isinstance(message, str) or not message:
                self.ws.violate(ACK_METHOD, f"errors.{block_id}", "must be a non-empty string")

    # helpers

    def _new_view(self, user_id: str, payload: dict[str, Any], previous: View | None) -> View:
        view_id = self.ws.new_id("V")
        return View(
            id=view_id,
            user_id=user_id,
            payload=payload,
            hash=self._next_hash(view_id),
            root_view_id=previous.root_view_id if previous else view_id,
            team_id=self.ws.team_id,
            app_id=self.ws.app_id,
            bot_id=self.ws.bot_id,
            previous_view_id=previous.id if previous else None,
        )

    def _next_hash(self, view_id: str) -> str:
        self._version += 1
        digest = hashlib.sha1(f"{view_id}:{self._version}".encode()).hexdigest()[:8]
        return f"{self._version}.{digest}"

    def _open_views(self) -> list[View]:
        return [view for stack in self.stacks.values() for view in stack] + list(
            self.homes.values()
        )

    def _find(self, view_id: str | None, external_id: str | None) -> View:
        if view_id is None and external_id is None:
            raise ApiError("invalid_arguments")
        for view in self._open_views():
            if view.id == view_id or (external_id and view.external_id == external_id):
                return view
        raise ApiError("not_found")

    def _require_unique_external_id(self, payload: dict[str, Any], replacing: View | None) -> None:
        external_id = payload.get("external_id")
        if not external_id:
            return
        for view in self._open_views():
            if view is not replacing and view.external_id == external_id:
                raise ApiError("duplicate_external_id")

    def _require_type(self, method: str, payload: dict[str, Any], expected: str) -> None:
        if payload.get("type") != expected:
            self.ws.violate(method, "type", f"must be {expected} here")
            raise ApiError(
                "invalid_arguments",
                response_metadata={"messages": [f"[ERROR] type: must be {expected}"]},
            )
