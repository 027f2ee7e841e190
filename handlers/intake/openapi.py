"""The OpenAPI 3.1 document of the intake API, built from the same patterns the parser uses."""

from __future__ import annotations

from typing import Any

from domain.intake import MAX_BATCH
from handlers.intake.schema import (
    CALLBACK_PATTERN,
    DATE_TIME_PATTERN,
    DEFAULT_SOURCE,
    EMAIL_PATTERN,
    SLACK_USER_PATTERN,
    SOURCE_PATTERN,
    TEXT_PATTERN,
)
from handlers.intake.signature import TOLERANCE_SECONDS

INTERACTIONS_PATH = "/api/v1/interactions"
OPENAPI_PATH = "/api/v1/openapi.json"
RETRY_AFTER_SECONDS = 5

_REF = "#/components/schemas/"


def _text(max_length: int, description: str, *, nullable: bool = False) -> dict[str, Any]:
    return {
        "type": ["string", "null"] if nullable else "string",
        "maxLength": max_length,
        "pattern": TEXT_PATTERN,
        "description": description,
    }


def _instant(description: str, *, nullable: bool = False) -> dict[str, Any]:
    return {
        "type": ["string", "null"] if nullable else "string",
        "format": "date-time",
        "pattern": DATE_TIME_PATTERN,
        "description": description + " A real calendar instant that exists in UTC (year 1-9999);"
        " fractions beyond microseconds are dropped.",
        "examples": ["2025-03-01T09:30:00+01:00"],
    }


def _error(codes: list[str], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "error": {"type": "string", "enum": codes},
        "message": {"type": "string"},
    }
    required = ["error", "message"]
    for name, schema in (extra or {}).items():
        properties[name] = schema
        required.append(name)
    return {
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }


SCHEMAS: dict[str, Any] = {
    "Beneficiary": {
        "type": "object",
        "description": "Whom to ask: exactly one of a Slack user id or an email address.",
        "additionalProperties": False,
        "properties": {
            "slack_user_id": {"type": ["string", "null"], "pattern": SLACK_USER_PATTERN},
            "email": {"type": ["string", "null"], "maxLength": 254, "pattern": EMAIL_PATTERN},
        },
        "oneOf": [
            {"required": ["slack_user_id"], "properties": {"slack_user_id": {"type": "string"}}},
            {"required": ["email"], "properties": {"email": {"type": "string"}}},
        ],
    },
    "Interaction": {
        "type": "object",
        "additionalProperties": False,
        "required": ["external_id", "service", "beneficiary", "occurred_at"],
        "properties": {
            "external_id": {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "pattern": TEXT_PATTERN,
                "description": "The interaction's id in the source system: the idempotency key "
                "together with `source`.",
            },
            "source": {
                "type": "string",
                "pattern": SOURCE_PATTERN,
                "default": DEFAULT_SOURCE,
                "description": "The reporting system (glpi, servicenow, ...).",
            },
            "service": {
                "type": "string",
                "minLength": 1,
                "maxLength": 32,
                "pattern": TEXT_PATTERN,
                "description": "The code of a charter service that exists and is not archived.",
            },
            "beneficiary": {"$ref": _REF + "Beneficiary"},
            "occurred_at": _instant("When the service was rendered (RFC 3339, with an offset)."),
            "reference": _text(200, "The ticket number people know.", nullable=True),
            "summary": _text(500, "A short description shown in the pulse.", nullable=True),
            "send_after": _instant(
                "Do not ask before this instant; default: occurred_at plus the service's delay.",
                nullable=True,
            ),
            "callback_url": {
                "type": ["string", "null"],
                "maxLength": 2000,
                "pattern": CALLBACK_PATTERN,
                "description": "Where to POST (signed like this API's requests) an "
                "`interaction.not_settled` event if the beneficiary says it is not settled.",
            },
        },
    },
    "Batch": {
        "type": "object",
        "description": "Up to 1000 interactions, accepted or refused as a whole; each "
        "(source, external_id) at most once.",
        "additionalProperties": False,
        "required": ["interactions"],
        "properties": {
            "interactions": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_BATCH,
                "items": {"$ref": _REF + "Interaction"},
            }
        },
    },
    "Receipt": {
        "type": "object",
        "additionalProperties": False,
        "required": ["source", "external_id", "interaction_id", "pulse_id", "status"],
        "properties": {
            "source": {"type": "string"},
            "external_id": {"type": "string"},
            "interaction_id": {"type": "integer"},
            "pulse_id": {
                "type": ["integer", "null"],
                "description": "null only if the pulse has since been purged.",
            },
            "status": {
                "type": "string",
                "enum": ["accepted", "duplicate"],
                "description": "duplicate: the same payload was already stored; nothing new.",
            },
        },
    },
    "Accepted": {
        "type": "object",
        "additionalProperties": False,
        "required": ["interactions"],
        "properties": {
            "interactions": {
                "type": "array",
                "minItems": 1,
                "description": "One receipt per interaction, in the order sent.",
                "items": {"$ref": _REF + "Receipt"},
            }
        },
    },
    "Unauthorized": _error(["missing_signature", "bad_signature", "stale_timestamp"]),
    "Invalid": _error(
        ["invalid"],
        {
            "fields": {
                "type": "array",
                "minItems": 1,
                "description": "Every offending field; `body` when the body as a whole is wrong.",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["path", "reason"],
                    "properties": {
                        "path": {"type": "string", "examples": ["interactions[3].service"]},
                        "reason": {"type": "string"},
                    },
                },
            }
        },
    ),
    "Conflict": _error(
        ["conflict"],
        {
            "items": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["path", "source", "external_id", "reason"],
                    "properties": {
                        "path": {"type": "string", "examples": ["interactions[3]"]},
                        "source": {"type": "string"},
                        "external_id": {"type": "string"},
                        "reason": {"type": "string"},
                    },
                },
            }
        },
    ),
    "TooLarge": _error(["too_large"]),
    "UnsupportedMediaType": _error(["unsupported_media_type"]),
    "Unavailable": _error(["unavailable"]),
}


def _response(description: str, schema: str, headers: dict[str, Any] | None = None) -> Any:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _REF + schema}}},
    }
    if headers:
        response["headers"] = headers
    return response


def _header(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": True,
        "description": description,
        "schema": schema,
    }


def build_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of the intake API."""
    post = {
        "operationId": "submitInteractions",
        "summary": "Report one interaction, or a batch, for a satisfaction pulse.",
        "description": (
            "Signed per Standard Webhooks. Idempotent per (source, external_id): a replay "
            "with the same payload answers the same ids with status `duplicate`; a different "
            "payload under a known key is a 409. A batch is all or nothing. 202 is sent only "
            "after a durable commit."
        ),
        "parameters": [
            _header("webhook-id", "The message id, signed.", {"type": "string", "minLength": 1}),
            _header(
                "webhook-timestamp",
                f"Unix seconds; refused more than {TOLERANCE_SECONDS} s from the server's clock.",
                {"type": "string", "pattern": "^[0-9]+$"},
            ),
            _header(
                "webhook-signature",
                "Space-separated `v1,<base64 HMAC-SHA256(secret, id.timestamp.body)>`; any "
                "configured secret (`whsec_<base64>`) may match.",
                {"type": "string", "minLength": 1},
            ),
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"oneOf": [{"$ref": _REF + "Interaction"}, {"$ref": _REF + "Batch"}]}
                }
            },
        },
        "responses": {
            "202": _response(
                "Stored (or already stored): one receipt per interaction.", "Accepted"
            ),
            "401": _response("Missing, bad or stale signature.", "Unauthorized"),
            "409": _response(
                "A key was already received with a different payload; nothing stored.", "Conflict"
            ),
            "413": _response("The body is larger than the server accepts.", "TooLarge"),
            "415": _response("The body is not application/json.", "UnsupportedMediaType"),
            "422": _response(
                "Malformed JSON, wrong shape, a bad field, an unknown or archived service, or a "
                "key repeated inside the batch; nothing stored.",
                "Invalid",
            ),
            "503": _response(
                "The database is unreachable; nothing stored. Retry later.",
                "Unavailable",
                {
                    "Retry-After": {
                        "required": True,
                        "description": "Seconds to wait before retrying.",
                        "schema": {"type": "string", "const": str(RETRY_AFTER_SECONDS)},
                    }
                },
            ),
        },
    }
    get = {
        "operationId": "getOpenApi",
        "summary": "This document.",
        "responses": {
            "200": {
                "description": "The OpenAPI document.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Écoute intake API",
            "version": "1.0.0",
            "description": "Ticketing systems report service interactions; Écoute asks the "
            "beneficiary, in Slack, how it went.",
        },
        "paths": {INTERACTIONS_PATH: {"post": post}, OPENAPI_PATH: {"get": get}},
        "components": {"schemas": SCHEMAS},
    }
