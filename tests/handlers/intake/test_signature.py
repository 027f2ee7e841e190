"""Standard Webhooks signatures: the verifier alone, then the 401s over real HTTP."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import pytest
from aiohttp import web
from intake_support import IntakeClient, Signer, interaction, start_intake

from bot.config import Settings, SettingsError
from handlers.intake import register
from handlers.intake.signature import SignatureError, Verifier, decode_secret, sign
from storage.engine import Database

KEY = b"0123456789abcdef0123456789abcdef"
BODY = b'{"external_id": "T-1"}'


def headers_for(body: bytes, *, key: bytes = KEY, stamp: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if stamp is None else stamp
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(key, msg_id="msg_1", timestamp=stamp, body=body),
    }


def test_decode_secret_reads_whsec_base64_and_raw_secrets() -> None:
    assert decode_secret("whsec_" + base64.b64encode(KEY).decode()) == KEY
    assert decode_secret("plain-secret") == b"plain-secret"
    with pytest.raises(ValueError, match="base64"):
        decode_secret("whsec_not base64!")


def test_verifier_accepts_a_good_signature_and_returns_the_id() -> None:
    verifier = Verifier([KEY])
    assert verifier.verify(headers_for(BODY), BODY, now=time.time()) == "msg_1"


def test_verifier_accepts_any_secret_of_a_rotation() -> None:
    verifier = Verifier([b"old-secret", KEY])
    assert verifier.verify(headers_for(BODY, key=b"old-secret"), BODY, now=time.time())
    assert verifier.verify(headers_for(BODY, key=KEY), BODY, now=time.time())


def test_verifier_accepts_one_good_signature_among_several() -> None:
    headers = headers_for(BODY)
    headers["webhook-signature"] = "v1,AAAA v2,xyz " + headers["webhook-signature"]
    assert Verifier([KEY]).verify(headers, BODY, now=time.time())


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda h: h.pop("webhook-id"), "missing_signature"),
        (lambda h: h.pop("webhook-timestamp"), "missing_signature"),
        (lambda h: h.pop("webhook-signature"), "missing_signature"),
        (lambda h: h.update({"webhook-timestamp": "soon"}), "bad_signature"),
        (lambda h: h.update({"webhook-timestamp": "-5"}), "bad_signature"),
        (lambda h: h.update({"webhook-signature": "v1,!!notbase64"}), "bad_signature"),
        (lambda h: h.update({"webhook-signature": "v2,abc"}), "bad_signature"),
        (lambda h: h.update({"webhook-id": "msg_2"}), "bad_signature"),
    ],
)
def test_verifier_refuses_missing_and_bad_headers(
    change: Callable[[dict[str, str]], object], code: str
) -> None:
    headers = headers_for(BODY)
    change(headers)
    with pytest.raises(SignatureError) as caught:
        Verifier([KEY]).verify(headers, BODY, now=time.time())
    assert caught.value.code == code


def test_verifier_refuses_a_changed_body_and_an_unknown_secret() -> None:
    with pytest.raises(SignatureError, match="no v1 signature"):
        Verifier([KEY]).verify(headers_for(BODY), BODY + b" ", now=time.time())
    with pytest.raises(SignatureError, match="no v1 signature"):
        Verifier([b"other"]).verify(headers_for(BODY), BODY, now=time.time())
    with pytest.raises(SignatureError, match="no v1 signature"):
        Verifier([]).verify(headers_for(BODY), BODY, now=time.time())


@pytest.mark.parametrize("offset", [-301, 301, -86_400])
def test_verifier_refuses_stale_timestamps_past_and_future(offset: int) -> None:
    now = time.time()
    with pytest.raises(SignatureError) as caught:
        Verifier([KEY]).verify(headers_for(BODY, stamp=int(now) + offset), BODY, now=now)
    assert caught.value.code == "stale_timestamp"


@pytest.mark.parametrize("offset", [-299, 299])
def test_verifier_tolerates_five_minutes_of_skew(offset: int) -> None:
    now = time.time()
    assert Verifier([KEY]).verify(headers_for(BODY, stamp=int(now) + offset), BODY, now=now)


async def test_http_accepts_each_secret_of_a_rotation(
    settings: Settings, database: Database, service_id: int
) -> None:
    raw = "rotated-raw-secret"
    rotated = settings.model_copy(
        update={"intake_secrets": [*settings.intake_secrets, type(settings.intake_secrets[0])(raw)]}
    )
    http = await start_intake(rotated, database)
    try:
        for secret in (settings.intake_secrets[0].get_secret_value(), raw):
            response, body = await IntakeClient(http, Signer(secret)).post(interaction())
            assert response.status == 202, body
    finally:
        await http.close()


async def test_http_answers_401_naming_the_problem(intake: IntakeClient) -> None:
    cases = [
        ({"webhook-signature": ""}, "missing_signature"),
        ({"webhook-timestamp": "12ab"}, "bad_signature"),
        ({"webhook-timestamp": "1"}, "stale_timestamp"),
        ({"webhook-timestamp": str(int(time.time()) + 3600)}, "stale_timestamp"),
        ({"webhook-signature": "v1," + base64.b64encode(b"x" * 32).decode()}, "bad_signature"),
    ]
    for headers, code in cases:
        response, body = await intake.post(interaction(), headers=headers)
        assert response.status == 401
        assert body["error"] == code
        assert body["message"]


async def test_http_answers_401_for_a_body_signed_with_another_secret(
    intake: IntakeClient,
) -> None:
    intruder = IntakeClient(intake.http, Signer("whsec_" + base64.b64encode(b"guess").decode()))
    response, body = await intruder.post(interaction())
    assert (response.status, body["error"]) == (401, "bad_signature")


def test_register_refuses_a_malformed_whsec_secret(settings: Settings, database: Database) -> None:
    from intake_support import make_deps

    broken = settings.model_copy(
        update={"intake_secrets": [type(settings.intake_secrets[0])("whsec_%%%")]}
    )
    with pytest.raises(SettingsError, match="ECOUTE_INTAKE_SECRETS"):
        register(web.Application(), make_deps(broken, database))
