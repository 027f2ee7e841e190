"""The Web API over real sockets, driven by the real AsyncWebClient."""

from __future__ import annotations

import json

import aiohttp
import pytest
from sandbox_helpers import ALICE, BOB, GONE, TOKEN, WENDY, FakeClock, pulse_blocks
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox, SandboxUser


async def test_auth_test_identifies_the_bot(sandbox: Sandbox, client: AsyncWebClient) -> None:
    answer = await client.auth_test()
    assert answer["user_id"] == "U0ECOUTEBOT"
    assert answer["team_id"] == "T0ECOUTE"
    assert answer["bot_id"].startswith("B")
    assert answer["is_enterprise_install"] is False
    assert "chat:write" in answer.headers["X-OAuth-Scopes"]


async def test_wrong_or_missing_token_is_refused_like_slack(sandbox: Sandbox) -> None:
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=sandbox.api_url)
    with pytest.raises(SlackApiError) as refused:
        await wrong.chat_postMessage(channel=ALICE.id, text="hi")
    assert refused.value.response.status_code == 200
    assert refused.value.response["error"] == "invalid_auth"
    anonymous = AsyncWebClient(base_url=sandbox.api_url)
    with pytest.raises(SlackApiError, match="not_authed"):
        await anonymous.auth_test()
    assert sandbox.messages(ALICE.id) == []


async def test_unknown_method(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError, match="unknown_method"):
        await client.api_call("chat.frobnicate", json={"channel": "x"})


async def test_post_to_a_user_id_lands_in_their_dm(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    answer = await client.chat_postMessage(channel=ALICE.id, text="Bonjour", blocks=pulse_blocks())
    dm = sandbox.dm_channel(ALICE.id)
    assert answer["channel"] == dm
    assert dm.startswith("D")
    assert sandbox.dm_channel(ALICE.id) == dm
    [message] = sandbox.messages(ALICE.id)
    assert sandbox.messages(dm) == [message]
    assert message.ts == answer["ts"]
    assert message.user == "U0ECOUTEBOT"
    assert message.text == "Bonjour"
    assert message.blocks == pulse_blocks()
    assert sandbox.violations == []


async def test_enterprise_grid_user_ids_start_with_w(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    await client.chat_postMessage(channel=WENDY.id, text="Bonjour")
    assert [m.text for m in sandbox.messages(WENDY.id)] == ["Bonjour"]


async def test_post_errors_match_slack(sandbox: Sandbox, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_postMessage(channel="U0NOBODY", text="hi")
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_postMessage(channel="C0NOWHERE", text="hi")
    with pytest.raises(SlackApiError, match="cannot_dm_bot"):
        await client.chat_postMessage(channel="U0ECOUTEBOT", text="hi")
    with pytest.raises(SlackApiError, match="no_text"), pytest.warns(UserWarning, match="text"):
        await client.chat_postMessage(channel=ALICE.id)


async def test_a_deactivated_users_dm_still_accepts_posts(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    # Slack accepts these (python-slack-sdk#1156): the bot itself must skip deleted users.
    await client.chat_postMessage(channel=GONE.id, text="hi")
    assert len(sandbox.messages(GONE.id)) == 1


async def test_metadata_round_trips_through_history(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    metadata = {"event_type": "pulse_sent", "event_payload": {"pulse_id": 42}}
    sent = await client.chat_postMessage(channel=ALICE.id, text="Q", metadata=metadata)
    dm = sent["channel"]
    plain = await client.conversations_history(channel=dm)
    assert "metadata" not in plain["messages"][0]
    full = await client.conversations_history(channel=dm, include_all_metadata=True)
    assert full["messages"][0]["metadata"] == metadata
    assert full["messages"][0]["ts"] == sent["ts"]
    with pytest.raises(SlackApiError, match="invalid_metadata_format"):
        await client.chat_postMessage(channel=ALICE.id, text="Q", metadata={"event_type": "x"})


async def test_history_is_newest_first_and_paged(client: AsyncWebClient, clock: FakeClock) -> None:
    sent = []
    for n in range(5):
        clock.advance(1.0)  # stay under the per-channel posting rate
        sent.append((await client.chat_postMessage(channel=BOB.id, text=f"m{n}"))["ts"])
    dm = (await client.conversations_open(users=BOB.id))["channel"]["id"]
    first = await client.conversations_history(channel=dm, limit=2)
    assert [m["text"] for m in first["messages"]] == ["m4", "m3"]
    assert first["has_more"] is True
    cursor = first["response_metadata"]["next_cursor"]
    second = await client.conversations_history(channel=dm, limit=10, cursor=cursor)
    assert [m["text"] for m in second["messages"]] == ["m2", "m1", "m0"]
    assert second["has_more"] is False
    window = await client.conversations_history(channel=dm, oldest=sent[1], latest=sent[3])
    assert [m["text"] for m in window["messages"]] == ["m2"]
    inclusive = await client.conversations_history(
        channel=dm, oldest=sent[1], latest=sent[3], inclusive=True
    )
    assert [m["text"] for m in inclusive["messages"]] == ["m3", "m2", "m1"]
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.conversations_history(channel=BOB.id)


async def test_update_and_delete_are_reflected(sandbox: Sandbox, client: AsyncWebClient) -> None:
    sent = await client.chat_postMessage(channel=ALICE.id, text="Q", blocks=pulse_blocks())
    done = [{"type": "section", "text": {"type": "mrkdwn", "text": "Merci !"}}]
    await client.chat_update(channel=sent["channel"], ts=sent["ts"], text="Merci", blocks=done)
    [message] = sandbox.messages(ALICE.id)
    assert (message.text, message.blocks, message.edited) == ("Merci", done, True)
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_update(channel=sent["channel"], ts="1.000001", text="x")
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_update(channel=ALICE.id, ts=sent["ts"], text="x")
    await client.chat_delete(channel=sent["channel"], ts=sent["ts"])
    assert sandbox.messages(ALICE.id) == []


async def test_ephemeral_messages_are_per_user(sandbox: Sandbox, client: AsyncWebClient) -> None:
    dm = sandbox.dm_channel(ALICE.id)
    await client.chat_postEphemeral(channel=dm, user=ALICE.id, text="Only you")
    assert [e["text"] for e in sandbox.ephemerals(ALICE.id)] == ["Only you"]
    assert sandbox.messages(ALICE.id) == []
    with pytest.raises(SlackApiError, match="user_not_in_channel"):
        await client.chat_postEphemeral(channel=dm, user=BOB.id, text="Not yours")


async def test_conversations_open(sandbox: Sandbox, client: AsyncWebClient) -> None:
    opened = await client.conversations_open(users=[ALICE.id])
    assert opened["channel"]["id"] == sandbox.dm_channel(ALICE.id)
    with pytest.raises(SlackApiError, match="user_not_found"):
        await client.conversations_open(users="U0NOBODY")


async def test_users_info_gives_locale_only_when_asked(client: AsyncWebClient) -> None:
    plain = await client.users_info(user=BOB.id)
    assert "locale" not in plain["user"]
    user = (await client.users_info(user=BOB.id, include_locale=True))["user"]
    assert user["locale"] == "en-US"
    assert user["tz"] == "America/New_York"
    assert user["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert user["profile"]["email"] == BOB.email
    assert user["real_name"] == "Bob Smith"
    with pytest.raises(SlackApiError, match="user_not_found"):
        await client.users_info(user="U0NOBODY")


async def test_users_list_pages_with_a_cursor(sandbox: Sandbox, client: AsyncWebClient) -> None:
    for n in range(7):
        sandbox.add_user(SandboxUser(id=f"U0EXTRA{n}", name=f"Extra {n}", email=f"x{n}@a.fr"))
    seen: list[dict[str, object]] = []
    cursor = None
    pages = 0
    while True:
        page = await client.users_list(limit=3, cursor=cursor, include_locale=True)
        pages += 1
        assert len(page["members"]) <= 3
        seen.extend(page["members"])
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    ids = [member["id"] for member in seen]
    assert len(ids) == len(set(ids)) == 12  # the bot, four people, seven extras
    assert pages == 4
    assert all("locale" in member for member in seen)
    bot = next(member for member in seen if member["id"] == "U0ECOUTEBOT")
    assert bot["is_bot"] is True
    gone = next(member for member in seen if member["id"] == GONE.id)
    assert gone["deleted"] is True


async def test_users_list_caps_the_page_size(sandbox: Sandbox, client: AsyncWebClient) -> None:
    for n in range(250):
        sandbox.add_user(SandboxUser(id=f"U1{n:05d}", name=f"P {n}", email=f"p{n}@a.fr"))
    page = await client.users_list(limit=1000)
    assert len(page["members"]) == 200
    default = await client.users_list()
    assert len(default["members"]) == 100


async def test_lookup_by_email(client: AsyncWebClient) -> None:
    found = await client.users_lookupByEmail(email="ALICE@finances.gouv.fr")
    assert found["user"]["id"] == ALICE.id
    for missing in ("nobody@finances.gouv.fr", GONE.email):
        with pytest.raises(SlackApiError, match="users_not_found"):
            await client.users_lookupByEmail(email=missing)


async def test_form_get_and_token_param_are_accepted(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        form = {"token": TOKEN, "channel": ALICE.id, "text": "form", "blocks": "[]"}
        async with http.post(f"{sandbox.api_url}chat.postMessage", data=form) as response:
            assert (await response.json())["ok"] is True
        query = {"token": TOKEN, "user": ALICE.id}
        async with http.get(f"{sandbox.api_url}users.info", params=query) as response:
            assert (await response.json())["user"]["id"] == ALICE.id
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        async with http.post(
            f"{sandbox.api_url}chat.postMessage", data="{not json", headers=headers
        ) as response:
            assert (await response.json())["error"] == "invalid_json"
    assert [m.text for m in sandbox.messages(ALICE.id)] == ["form"]
    recorded = sandbox.calls[0]
    assert recorded.method == "chat.postMessage"
    assert "token" not in recorded.params


async def test_invalid_blocks_are_refused_and_recorded(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    blocks = pulse_blocks()
    blocks[1]["elements"][0]["text"]["text"] = "x" * 81
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=ALICE.id, text="Q", blocks=blocks)
    assert refused.value.response["error"] == "invalid_blocks"
    messages = refused.value.response["response_metadata"]["messages"]
    assert messages == ["[ERROR] blocks[1].elements[0].text.text: 81 chars > 75"]
    assert [str(v) for v in sandbox.violations] == [
        "chat.postMessage: blocks[1].elements[0].text.text: 81 chars > 75"
    ]
    assert sandbox.messages(ALICE.id) == []
    last = sandbox.calls[-1]
    assert (last.ok, last.error, last.http_status) == (False, "invalid_blocks", 200)


async def test_missing_fallback_is_accepted_but_recorded(sandbox: Sandbox) -> None:
    # Raw HTTP: slack_sdk itself warns about a missing `text`, and warnings are errors here.
    async with aiohttp.ClientSession() as http:
        body = {"channel": ALICE.id, "blocks": pulse_blocks()}
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with http.post(
            f"{sandbox.api_url}chat.postMessage", json=body, headers=headers
        ) as response:
            assert (await response.json())["ok"] is True
    assert len(sandbox.messages(ALICE.id)) == 1
    [violation] = sandbox.violations
    assert violation.path == "text"
    assert "fallback" in violation.message


async def test_long_text_is_refused(sandbox: Sandbox, client: AsyncWebClient) -> None:
    await client.chat_postMessage(channel=ALICE.id, text="x" * 40_000)
    with pytest.raises(SlackApiError, match="msg_too_long"):
        await client.chat_postMessage(channel=ALICE.id, text="x" * 40_001)
    assert len(sandbox.violations) == 1


async def test_form_encoded_blocks_and_metadata_are_decoded(sandbox: Sandbox) -> None:
    form = {
        "channel": ALICE.id,
        "text": "Q",
        "blocks": json.dumps(pulse_blocks()),
        "metadata": json.dumps({"event_type": "pulse", "event_payload": {"id": 1}}),
    }
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{sandbox.api_url}chat.postMessage",
            data=form,
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as response,
    ):
        assert (await response.json())["ok"] is True
    [message] = sandbox.messages(ALICE.id)
    assert message.blocks == pulse_blocks()
    assert message.metadata == {"event_type": "pulse", "event_payload": {"id": 1}}
