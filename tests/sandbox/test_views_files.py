"""Modals, Home tabs, trigger_ids and the two-step file upload."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from sandbox_helpers import ALICE, BOB, FakeClock
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox


def modal(title: str = "Commentaire", **extra: Any) -> dict[str, Any]:
    """Return a one-input modal."""
    return {
        "type": "modal",
        "callback_id": "comment",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Envoyer"},
        "blocks": [
            {
                "type": "input",
                "block_id": "comment",
                "label": {"type": "plain_text", "text": "Votre avis"},
                "element": {"type": "plain_text_input", "action_id": "text", "multiline": True},
            }
        ],
        **extra,
    }


HOME = {
    "type": "home",
    "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "Écoute"}}],
}


async def test_views_open_needs_a_fresh_unused_trigger(
    sandbox: Sandbox, client: AsyncWebClient, clock: FakeClock
) -> None:
    trigger = sandbox.views.issue_trigger(ALICE.id)
    opened = await client.views_open(trigger_id=trigger, view=modal())
    assert opened["view"]["id"].startswith("V")
    assert opened["view"]["callback_id"] == "comment"
    assert [v.id for v in sandbox.views_for(ALICE.id)] == [opened["view"]["id"]]
    with pytest.raises(SlackApiError, match="exchanged_trigger_id"):
        await client.views_open(trigger_id=trigger, view=modal())
    stale = sandbox.views.issue_trigger(ALICE.id)
    clock.advance(3.01)
    with pytest.raises(SlackApiError, match="expired_trigger_id"):
        await client.views_open(trigger_id=stale, view=modal())
    with pytest.raises(SlackApiError, match="invalid_trigger_id"):
        await client.views_open(trigger_id="12345.67890.nope", view=modal())
    assert sandbox.violations == []


async def test_a_trigger_three_seconds_old_still_works(
    sandbox: Sandbox, client: AsyncWebClient, clock: FakeClock
) -> None:
    trigger = sandbox.views.issue_trigger(BOB.id)
    clock.advance(2.9)
    await client.views_open(trigger_id=trigger, view=modal())
    assert len(sandbox.views_for(BOB.id)) == 1
    assert sandbox.views_for(ALICE.id) == []


async def test_invalid_view_is_refused_with_invalid_arguments(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    trigger = sandbox.views.issue_trigger(ALICE.id)
    with pytest.raises(SlackApiError) as refused:
        await client.views_open(trigger_id=trigger, view=modal(title="x" * 25))
    assert refused.value.response["error"] == "invalid_arguments"
    assert refused.value.response["response_metadata"]["messages"] == [
        "[ERROR] title.text: 25 chars > 24"
    ]
    assert [(v.method, v.path) for v in sandbox.violations] == [("views.open", "title.text")]


async def test_views_update_by_id_or_external_id_with_hash(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    trigger = sandbox.views.issue_trigger(ALICE.id)
    opened = (await client.views_open(trigger_id=trigger, view=modal(external_id="ext-1")))["view"]
    updated = await client.views_update(
        view_id=opened["id"], hash=opened["hash"], view=modal(title="Merci", external_id="ext-1")
    )
    assert updated["view"]["id"] == opened["id"]
    assert updated["view"]["hash"] != opened["hash"]
    assert sandbox.views_for(ALICE.id)[0].title == "Merci"
    with pytest.raises(SlackApiError, match="hash_conflict"):
        await client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())
    by_external = await client.views_update(external_id="ext-1", view=modal(title="Encore"))
    assert by_external["view"]["id"] == opened["id"]
    with pytest.raises(SlackApiError, match="not_found"):
        await client.views_update(view_id="V0NOPE", view=modal())


async def test_views_push_stacks_up_to_three(sandbox: Sandbox, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError, match="not_found"):
        await client.views_push(trigger_id=sandbox.views.issue_trigger(ALICE.id), view=modal())
    root = await client.views_open(trigger_id=sandbox.views.issue_trigger(ALICE.id), view=modal())
    for _ in range(2):
        pushed = await client.views_push(
            trigger_id=sandbox.views.issue_trigger(ALICE.id), view=modal()
        )
        assert pushed["view"]["root_view_id"] == root["view"]["id"]
    with pytest.raises(SlackApiError, match="push_limit_reached"):
        await client.views_push(trigger_id=sandbox.views.issue_trigger(ALICE.id), view=modal())
    assert len(sandbox.views_for(ALICE.id)) == 3


async def test_views_publish_sets_the_home_tab(sandbox: Sandbox, client: AsyncWebClient) -> None:
    assert sandbox.home(ALICE.id) is None
    published = await client.views_publish(user_id=ALICE.id, view=HOME)
    home = sandbox.home(ALICE.id)
    assert home is not None
    assert home["type"] == "home"
    assert home["id"] == published["view"]["id"]
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_publish(user_id=ALICE.id, view=modal())
    with pytest.raises(SlackApiError, match="user_not_found"):
        await client.views_publish(user_id="U0NOBODY", view=HOME)


async def test_file_upload_pair_through_files_upload_v2(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    dm = sandbox.dm_channel(ALICE.id)
    content = b"service;score\nIT;4.2\n"
    done = await client.files_upload_v2(
        channel=dm,
        content=content,
        filename="digest.csv",
        title="Digest",
        initial_comment="Votre synthèse",
    )
    assert done["file"]["title"] == "Digest"
    [upload] = sandbox.uploaded_files()
    assert (upload.filename, upload.title, upload.content) == ("digest.csv", "Digest", content)
    assert upload.channel_ids == [dm]
    assert upload.initial_comment == "Votre synthèse"
    [shared] = sandbox.messages(ALICE.id)
    assert shared.files == [upload.id]
    assert shared.text == "Votre synthèse"


async def test_upload_length_must_match_and_complete_needs_the_bytes(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    reserved = await client.files_getUploadURLExternal(filename="a.txt", length=10)
    async with (
        aiohttp.ClientSession() as http,
        http.post(reserved["upload_url"], data=b"too short") as response,
    ):
        assert response.status == 400
    with pytest.raises(SlackApiError, match="file_not_found"):
        await client.files_completeUploadExternal(
            files=[{"id": reserved["file_id"], "title": "A"}],
            channel_id=sandbox.dm_channel(ALICE.id),
        )
    assert sandbox.uploaded_files() == []


async def test_upload_to_an_unknown_channel_fails(sandbox: Sandbox, client: AsyncWebClient) -> None:
    with pytest.raises((SlackApiError, SlackRequestError), match="channel_not_found"):
        await client.files_upload_v2(channel="C0NOWHERE", content=b"x", filename="x.txt")
    sandbox.add_channel("C0QUALITY", "qualite")
    await client.files_upload_v2(channel="C0QUALITY", content=b"x", filename="x.txt")
    assert [u.channel_ids for u in sandbox.uploaded_files()] == [["C0QUALITY"]]
