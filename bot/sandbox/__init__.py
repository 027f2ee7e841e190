"""A local Slack workspace for demos and scenario tests: real HTTP, limits and strict checks."""

from bot.sandbox.agents import SimulatedAgent
from bot.sandbox.blockkit import validate_message, validate_view
from bot.sandbox.errors import ApiError, SandboxError
from bot.sandbox.faults import Faults
from bot.sandbox.limits import Limits
from bot.sandbox.models import (
    ClickResult,
    Delivery,
    Message,
    RecordedCall,
    SandboxUser,
    UploadedFile,
    View,
    Violation,
)
from bot.sandbox.sandbox import Sandbox

__all__ = [
    "ApiError",
    "ClickResult",
    "Delivery",
    "Faults",
    "Limits",
    "Message",
    "RecordedCall",
    "Sandbox",
    "SandboxError",
    "SandboxUser",
    "SimulatedAgent",
    "UploadedFile",
    "View",
    "Violation",
    "validate_message",
    "validate_view",
]
