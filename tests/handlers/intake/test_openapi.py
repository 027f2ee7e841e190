"""The OpenAPI document describes the API exactly: real answers, and fuzzed ones, match it."""

from __future__ import annotations

import http.client
import json
import re
import string
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from intake_support import IntakeClient, ThreadedIntake, interaction
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bot.config import Settings
from handlers.intake.openapi import build_document
from handlers.intake.schema import (
    DATE_TIME_PATTERN,
    EMAIL_PATTERN,
    SLACK_USER_PATTERN,
    SOURCE_PATTERN,
    validate_interaction,
)
from handlers.intake.signature import decode_secret, sign

DOCUMENT = build_document()
POST = DOCUMENT["paths"]["/api/v1/interactions"]["post"]
KNOWN_SERVICES = ("RH",)
RESOURCE = "urn:ecoute:intake-openapi"


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    # Python's `$` also matches before a final newline; ECMAScript's (and the server's) does not
    if isinstance(instance, str) and not re.search(pattern.removesuffix("$") + r"\Z", instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=(ValueError, OverflowError))
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    datetime.fromisoformat(value.upper()).astimezone(UTC)
    return True


Validator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _ecma_pattern}
)
REGISTRY: Registry = Registry().with_resource(
    RESOURCE, Resource.from_contents(DOCUMENT, default_specification=DRAFT202012)
)


def validator_for(schema: dict[str, Any]) -> Any:
    """Return a validator of `schema`, resolving the document's `#/components/...` refs."""
    rebased = json.loads(json.dumps(schema).replace('"#/components', f'"{RESOURCE}#/components'))
    return Validator(rebased, registry=REGISTRY, format_checker=FORMATS)


REQUEST = validator_for(POST["requestBody"]["content"]["application/json"]["schema"])


def assert_documented(status: int, headers: Any, body: bytes) -> Any:
    """Check that an answer is one the document promises, and return its JSON."""
    assert str(status) in POST["responses"], f"undocumented status {status}: {body!r}"
    response = POST["responses"][str(status)]
    assert headers["Content-Type"].startswith("application/json")
    for name, header in response.get("headers", {}).items():
        assert name in headers
        validator_for(header["schema"]).validate(headers[name])
    document = json.loads(body)
    validator_for(response["content"]["application/json"]["schema"]).validate(document)
    return document


def test_the_document_is_openapi_3_1_with_valid_schemas() -> None:
    assert DOCUMENT["openapi"] == "3.1.0"
    for schema in DOCUMENT["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    assert set(POST["responses"]) == {"202", "401", "409", "413", "415", "422", "503"}
    headers = {p["name"] for p in POST["parameters"] if p["in"] == "header"}
    assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}


def test_the_patterns_agree_with_the_parser() -> None:
    for pattern, good, bad in [
        (SOURCE_PATTERN, "glpi.prod-2", "GLPI"),
        (SLACK_USER_PATTERN, "W012ABC", "U1"),
        (EMAIL_PATTERN, "a.b@c.fr", "a b@c.fr"),
        (DATE_TIME_PATTERN, "2025-03-01T09:30:00.5+01:00", "2025-03-01T09:30:00"),
    ]:
        assert re.fullmatch(pattern.strip("^$"), good)
        assert not re.fullmatch(pattern.strip("^$"), bad)


async def test_real_answers_match_the_document(intake: IntakeClient) -> None:
    cases: list[tuple[Any, dict[str, str]]] = [
        (interaction("DOC-1"), {}),
        (interaction("DOC-1"), {}),
        (interaction("DOC-1", summary="changed"), {}),
        ({"interactions": [interaction("DOC-2"), interaction("DOC-3", service="XX")]}, {}),
        (b"{", {}),
        (interaction(), {"content-type": "text/plain"}),
        (interaction(), {"webhook-signature": "v1,AAAA"}),
        (interaction(), {"webhook-timestamp": "1"}),
    ]
    seen = set()
    for payload, headers in cases:
        response, _ = await intake.post(payload, headers=headers)
        assert_documented(response.status, response.headers, await response.read())
        seen.add(response.status)
    assert seen == {202, 409, 422, 415, 401}


# ---------------------------------------------------------------- fuzzing

NO_NUL = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))]
)


@st.composite
def instants(draw: st.DrawFn) -> str:
    moment = draw(
        st.datetimes(
            min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=ZONES
        )
    )
    text = moment.isoformat(sep=draw(st.sampled_from(["T", "t", " "])))
    if text.endswith("+00:00") and draw(st.booleans()):
        text = text.removesuffix("+00:00") + draw(st.sampled_from(["Z", "z"]))
    return text


@st.composite
def interactions(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {
        # a small pool of keys makes replays and conflicts frequent
        "external_id": draw(
            st.sampled_from(["K-1", "K-2", "K-3"]) | st.text(NO_NUL, min_size=1, max_size=200)
        ),
        "service": draw(st.sampled_from([*KNOWN_SERVICES * 5, "XX"])),
        "occurred_at": draw(instants()),
    }
    if draw(st.booleans()):
        body["source"] = draw(
            st.sampled_from(["api", "glpi"]) | st.from_regex(SOURCE_PATTERN, fullmatch=True)
        )
    slack = st.from_regex(SLACK_USER_PATTERN, fullmatch=True)
    email = st.emails().filter(
        lambda e: len(e) <= 254 and re.fullmatch(EMAIL_PATTERN.strip("^$"), e)
    )
    body["beneficiary"] = draw(
        st.fixed_dictionaries({"slack_user_id": slack}, optional={"email": st.none()})
        | st.fixed_dictionaries({"email": email}, optional={"slack_user_id": st.none()})
    )
    for name, size in (("reference", 200), ("summary", 500)):
        if draw(st.booleans()):
            body[name] = draw(st.none() | st.text(NO_NUL, max_size=size))
    if draw(st.booleans()):
        body["send_after"] = draw(st.none() | instants())
    return body


valid_bodies = interactions() | st.fixed_dictionaries(
    {"interactions": st.lists(interactions(), min_size=1, max_size=4)}
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    body = draw(interactions())
    target = body
    if draw(st.booleans()):
        body = {"interactions": [target]}
    action = draw(st.sampled_from(["drop", "add", "replace", "nest"]))
    key = draw(st.sampled_from(sorted(target)))
    if action == "drop":
        del target[key]
    elif action == "add":
        target[draw(st.text(string.ascii_lowercase, min_size=1, max_size=8))] = draw(json_values)
    elif action == "replace":
        target[key] = draw(json_values)
    else:
        target["beneficiary"] = draw(json_values)
    return body


class Model:
    """What the server should have stored: key -> (fingerprint, interaction id, pulse id)."""

    def __init__(self) -> None:
        self.stored: dict[tuple[str, str], tuple[str, int, int | None]] = {}

    def expect(self, document: Any) -> tuple[int, list[str] | None]:
        """Return the status a schema-valid body must get, and its receipts' statuses."""
        items = document.get("interactions", [document])
        normalised = [validate_interaction(item) for item in items]
        keys = [item.key for item in normalised]
        if len(set(keys)) != len(keys) or any(i.service not in KNOWN_SERVICES for i in normalised):
            return 422, None
        if any(
            k in self.stored and self.stored[k][0] != i.fingerprint()
            for k, i in zip(keys, normalised, strict=False)
        ):
            return 409, None
        return 202, ["duplicate" if k in self.stored else "accepted" for k in keys]

    def record(self, document: Any, answer: Any) -> None:
        items = document.get("interactions", [document])
        for item, receipt in zip(items, answer["interactions"], strict=True):
            new = validate_interaction(item)
            ids = (receipt["interaction_id"], receipt["pulse_id"])
            if new.key in self.stored:
                assert self.stored[new.key][1:] == ids
            self.stored[new.key] = (new.fingerprint(), *ids)


class Sender:
    """A keep-alive HTTP client signing as a source system would."""

    def __init__(self, port: int, secret: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.key = decode_secret(secret)
        self.count = 0

    def post(
        self, raw: bytes, *, content_type: str = "application/json", signing: str = "good"
    ) -> tuple[int, Any, bytes]:
        self.count += 1
        stamp = int(time.time()) - (3600 if signing == "stale" else 0)
        msg_id = f"msg_{self.count}"
        headers = {
            "Content-Type": content_type,
            "webhook-id": msg_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": sign(
                self.key if signing != "bad" else b"nope", msg_id=msg_id, timestamp=stamp, body=raw
            ),
        }
        if signing == "missing":
            del headers["webhook-signature"]
        self.connection.request("POST", "/api/v1/interactions", body=raw, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.headers, response.read()


FUZZ = hypothesis_settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[Sender, Model]]:
    """Run a fresh intake server for the fuzzers, with a model of what it stored."""
    with ThreadedIntake(settings, KNOWN_SERVICES) as running:
        yield Sender(running.port, settings.intake_secrets[0].get_secret_value()), Model()


@FUZZ
@given(body=valid_bodies)
def test_every_valid_body_gets_the_documented_verdict(
    server: tuple[Sender, Model], body: Any
) -> None:
    sender, model = server
    REQUEST.validate(body)
    expected, statuses = model.expect(body)
    status, headers, raw = sender.post(json.dumps(body).encode())
    answer = assert_documented(status, headers, raw)
    event(f"status {status}")
    assert status == expected, answer
    if status == 202:
        assert [r["status"] for r in answer["interactions"]] == statuses
        model.record(body, answer)


@FUZZ
@given(
    payload=json_values | mutated() | valid_bodies,
    raw_junk=st.none() | st.binary(max_size=64),
    content_type=st.sampled_from(
        ["application/json", "application/json; charset=utf-8", "text/plain"]
    ),
    signing=st.sampled_from(["good"] * 6 + ["bad", "stale", "missing"]),
)
def test_junk_never_breaks_the_server(
    server: tuple[Sender, Model],
    payload: Any,
    raw_junk: bytes | None,
    content_type: str,
    signing: str,
) -> None:
    sender, model = server
    raw = raw_junk if raw_junk is not None else json.dumps(payload).encode()
    status, headers, answer_raw = sender.post(raw, content_type=content_type, signing=signing)
    answer = assert_documented(status, headers, answer_raw)
    event(f"status {status}")
    if signing != "good":
        assert status == 401
        return
    if not content_type.startswith("application/json"):
        assert status == 415
        return
    try:
        document = json.loads(raw)
        valid = REQUEST.is_valid(document)
    except ValueError:
        valid = False
    if not valid:
        assert status == 422, answer
        return
    expected, _ = model.expect(document)
    assert status == expected, answer
    if status == 202:
        model.record(document, answer)
