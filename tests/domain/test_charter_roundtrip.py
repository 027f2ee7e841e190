"""Writing a charter and reading it back gives the same charter, whatever it holds."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.charter import CharterSpec, dump_charter, parse_charter
from domain.charter_formats import format_delay, parse_delay
from domain.charter_schema import METRIC_KIND, METRICS, SCALES, THRESHOLD_RANGES

codes = st.from_regex(r"[A-Z][A-Z0-9]{1,12}", fullmatch=True)
users = st.from_regex(r"[UW][A-Z0-9]{2,12}", fullmatch=True)
channels = st.from_regex(r"[CG][A-Z0-9]{2,12}", fullmatch=True)
schedules = st.sampled_from(["mon 09:00", "mon,thu 08:30", "daily 07:15", "1 09:00", "28 23:59"])
hours = st.sampled_from(
    ["any", "mon-fri 09:00-18:00", "mon,wed-fri 08:30-12:00", "sun 00:00-23:59"]
)


def texts(limit: int) -> st.SearchStrategy[str]:
    alphabet = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))
    return st.text(alphabet, min_size=1, max_size=limit).map(str.strip).filter(bool)


@st.composite
def questions(draw: st.DrawFn, code: str, metric: str) -> list[dict[str, Any]]:
    kind = METRIC_KIND[metric] or draw(st.sampled_from(sorted(SCALES)))
    kinds = [kind, *draw(st.lists(st.sampled_from([kind, "yes_no"]), max_size=2))]
    if draw(st.booleans()):
        kinds.append("text")
    active = [True] * len(kinds)
    for extra in draw(st.lists(st.sampled_from(["rating_5", "nps_10", "effort_7", "text"]))):
        kinds.append(extra)
        active.append(False)
    order = draw(st.permutations(range(len(kinds))))
    return [
        {
            "code": f"{code}-Q{index}" if draw(st.booleans()) else f"{code}-X{index}",
            "kind": kind,
            "text": {"fr": draw(texts(150)), "en": draw(texts(150))},
            "position": order[index] + 1,
            "active": active[index],
        }
        for index, kind in enumerate(kinds)
    ]


@st.composite
def charters(draw: st.DrawFn) -> CharterSpec:
    service_codes = draw(st.lists(codes, max_size=3, unique=True))
    services = [
        {
            "code": code,
            "name": draw(texts(200)),
            "name_en": draw(st.none() | texts(200)),
            "owners": draw(st.lists(users, min_size=1, max_size=3, unique=True)),
            "channel": draw(st.none() | channels),
            "delay": format_delay(draw(st.integers(0, 30 * 24 * 60))),
            "sampling": draw(st.integers(0, 100)),
            "working_hours": draw(hours),
            "holidays": draw(st.sampled_from(["FR", "none"])),
        }
        for code in service_codes
    ]
    commitments = []
    for code in draw(st.lists(codes, max_size=3, unique=True)):
        metric = draw(st.sampled_from(METRICS))
        asked = draw(questions(code, metric))
        if metric == "mean":
            low, high = SCALES[next(q["kind"] for q in asked if q["kind"] in SCALES)]
        else:
            low, high = THRESHOLD_RANGES[metric]
        commitments.append(
            {
                "code": code,
                "service": draw(st.none() | st.sampled_from(service_codes))
                if service_codes
                else None,
                "title": draw(texts(300)),
                "title_en": draw(st.none() | texts(300)),
                "metric": metric,
                "threshold": draw(st.floats(low, high) | st.integers(low, high).map(float)),
                "min_responses": draw(st.integers(5, 1000)),
                "window_days": draw(st.integers(7, 365)),
                "owners": draw(st.lists(users, min_size=1, max_size=2, unique=True)),
                "questions": asked,
            }
        )
    owners = draw(st.lists(users, max_size=3, unique=True))
    return CharterSpec.model_validate(
        {
            "version": 1,
            "defaults": {"digest_schedule": draw(schedules)},
            "owners": [{"user": user, "schedule": draw(schedules)} for user in owners],
            "services": services,
            "commitments": commitments,
        }
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(charters())
def test_dump_then_parse_gives_the_same_charter(spec: CharterSpec) -> None:
    assert parse_charter(dump_charter(spec)) == spec


@given(st.integers(0, 30 * 24 * 60))
def test_delays_read_back_as_written(minutes: int) -> None:
    assert parse_delay(format_delay(minutes)) == minutes


def test_french_text_stays_readable_in_the_dump() -> None:
    spec = parse_charter(
        "version: 1\nservices:\n  - code: RH\n    name: Ressources humaines\n"
        "    name_en: Human resources\n    owners: [U0RH0QUAL]\ncommitments: []\n".replace(
            "Ressources humaines", "Affaires financières « à l'écoute »"
        )
    )
    text = dump_charter(spec)
    assert "Affaires financières « à l'écoute »" in text
    assert "\\x" not in text
    assert "\\u" not in text
