"""Serve the views.* and files.* (external upload) Web API methods."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from bot.sandbox.api_params import ApiContext, Handler, Params
from bot.sandbox.errors import ApiError
from bot.sandbox.models import UploadedFile


def _view(p: Params) -> dict[str, Any]:
    view = p.structure("view", "invalid_arguments")
    if not isinstance(view, dict):
        raise ApiError("invalid_arguments")
    return view


def views_open(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """views.open: open a modal with a fresh trigger_id."""
    view = ctx.views.open(p.required("trigger_id", "invalid_trigger_id"), _view(p))
    return {"ok": True, "view": view.to_slack()}


def views_push(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """views.push: stack a modal on the open one."""
    view = ctx.views.push(p.required("trigger_id", "invalid_trigger_id"), _view(p))
    return {"ok": True, "view": view.to_slack()}


def views_update(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """views.update: replace an open view by view_id or external_id."""
    view = ctx.views.update(
        p.optional("view_id"), p.optional("external_id"), p.optional("hash"), _view(p)
    )
    return {"ok": True, "view": view.to_slack()}


def views_publish(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """views.publish: set a user's Home tab."""
    user_id = p.required("user_id", "user_not_found")
    view = ctx.views.publish(user_id, _view(p), p.optional("hash"))
    return {"ok": True, "view": view.to_slack()}


def get_upload_url(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """files.getUploadURLExternal: reserve a file id and an upload URL on the sandbox."""
    filename = p.required("filename", "invalid_arguments")
    length = p.number("length", 0)
    if length <= 0:
        raise ApiError("invalid_arguments")
    ws = ctx.workspace
    file_id = ws.new_id("F")
    ws.files[file_id] = UploadedFile(id=file_id, filename=filename, length=length)
    return {"ok": True, "upload_url": f"{ctx.base_url()}upload/{file_id}", "file_id": file_id}


def complete_upload(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """files.completeUploadExternal: finish uploads and share them, with a comment."""
    ws = ctx.workspace
    listed = p.structure("files", "invalid_arguments")
    if not isinstance(listed, list) or not listed:
        raise ApiError("invalid_arguments")
    channels = [c for c in (p.optional("channels") or "").split(",") if c]
    channel_id = p.optional("channel_id")
    if channel_id is not None:
        channels.append(channel_id)
    for channel in channels:
        if channel not in ws.channels:
            raise ApiError("channel_not_found")
    done: list[UploadedFile] = []
    for item in listed:
        upload = ws.files.get(str(item.get("id"))) if isinstance(item, dict) else None
        if upload is None or upload.content is None or upload.completed:
            raise ApiError("file_not_found")
        title = item.get("title")
        upload.title = title if isinstance(title, str) else upload.filename
        done.append(upload)
    comment = p.optional("initial_comment")
    for upload in done:
        upload.completed = True
        upload.channel_ids = list(channels)
        upload.initial_comment = comment
    for channel in channels:
        ws.post(channel, text=comment or "", blocks=[], files=[u.id for u in done])
    return {
        "ok": True,
        "files": [
            {"id": u.id, "name": u.filename, "title": u.title, "size": u.length} for u in done
        ],
    }


VIEW_AND_FILE_METHODS: Mapping[str, Handler] = MappingProxyType(
    {
        "views.open": views_open,
        "views.push": views_push,
        "views.update": views_update,
        "views.publish": views_publish,
        "files.getUploadURLExternal": get_upload_url,
        "files.completeUploadExternal": complete_upload,
    }
)
