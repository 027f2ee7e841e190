"""When a pulse may go: working hours in the person's zone, French holidays, sampling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from domain.etiquette import is_holiday, next_good_moment, person_zone, sampled

PARIS = ZoneInfo("Europe/Paris")
HOURS = "mon-fri 09:00-18:00"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


def test_inside_working_hours_is_now() -> None:
    moment = at("2026-11-26T10:30")  # a Thursday
    assert next_good_moment(moment, working_hours=HOURS, holidays="FR", zone=PARIS) == moment


def test_friday_evening_waits_for_monday_morning() -> None:
    friday = at("2026-11-27T18:15")
    expected = at("2026-11-30T09:00")
    assert next_good_moment(friday, working_hours=HOURS, holidays="FR", zone=PARIS) == expected


def test_christmas_is_skipped_and_the_check_can_be_turned_off() -> None:
    eve = at("2026-12-24T19:00")
    assert next_good_moment(eve, working_hours=HOURS, holidays="FR", zone=PARIS) == at(
        "2026-12-28T09:00"
    )
    assert next_good_moment(eve, working_hours=HOURS, holidays="none", zone=PARIS) == at(
        "2026-12-25T09:00"
    )
    assert is_holiday(datetime(2026, 7, 14).date())


def test_any_and_none_send_at_once() -> None:
    sunday_night = at("2026-11-29T23:00")
    assert (
        next_good_moment(sunday_night, working_hours="any", holidays="none", zone=PARIS)
        == sunday_night
    )


def test_the_persons_zone_counts() -> None:
    # 10:00 in Paris is 05:00 in Martinique: wait for 09:00 there.
    zone = person_zone("America/Martinique", PARIS)
    moment = at("2026-11-26T10:00")
    local_nine = datetime(2026, 11, 26, 9, 0, tzinfo=zone).astimezone(UTC)
    assert next_good_moment(moment, working_hours=HOURS, holidays="FR", zone=zone) == local_nine
    assert person_zone("Not/AZone", PARIS) == PARIS
    assert person_zone(None, PARIS) == PARIS


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31)))
def test_the_moment_found_is_never_earlier_and_always_allowed(naive: datetime) -> None:
    moment = naive.replace(tzinfo=UTC)
    found = next_good_moment(moment, working_hours=HOURS, holidays="FR", zone=PARIS)
    local = found.astimezone(PARIS)
    assert found >= moment
    assert found - moment < timedelta(days=6)
    assert local.weekday() < 5
    assert not is_holiday(local.date())
    assert (9, 0) <= (local.hour, local.minute) < (18, 0)


def test_sampling_is_stable_and_near_its_rate() -> None:
    chosen = [i for i in range(10_000) if sampled(i, 30)]
    assert 2_800 < len(chosen) < 3_200
    assert chosen == [i for i in range(10_000) if sampled(i, 30)]
    assert all(sampled(i, 100) for i in range(100))
    assert not any(sampled(i, 0) for i in range(100))
