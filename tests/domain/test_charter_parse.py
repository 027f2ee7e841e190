"""Reading charter files: the example, and every error reported at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.charter import CharterInvalid, CharterSpec, parse_charter
from domain.errors import InvalidInput

EXAMPLE = Path(__file__).parents[2] / "examples" / "charter-bercy.yaml"

VALID = """\
version: 1
services:
  - code: RH
    name: Ressources humaines
    owners: [U0RH0QUAL]
commitments:
  - code: RH-01
    service: RH
    title: "Réponse sous 5 jours"
    metric: csat
    threshold: 80
    min_responses: 5
    window_days: 30
    owners: [U0RH0QUAL]
    questions:
      - kind: rating_5
        text: {fr: "Satisfait ?", en: "Satisfied?"}
"""


def errors_of(text: str, filename: str = "charter.yaml") -> list[str]:
    with pytest.raises(CharterInvalid) as caught:
        parse_charter(text, filename=filename)
    return caught.value.errors


def test_the_example_parses_into_five_services_and_their_commitments() -> None:
    spec = parse_charter(EXAMPLE.read_text(encoding="utf-8"), filename=str(EXAMPLE))

    assert [s.code for s in spec.services] == ["RH", "LOG", "SI", "COMM", "FIN"]
    codes = [c.code for c in spec.commitments]
    assert codes[:3] == ["SG-01", "SG-02", "SG-03"]
    assert all(c.service is None for c in spec.commitments[:3])
    for service in ("RH", "LOG", "SI", "COMM", "FIN"):
        assert f"{service}-01" in codes
    kinds = {q.kind for c in spec.commitments for q in c.questions}
    assert kinds == {"rating_5", "yes_no", "nps_10", "effort_7", "text"}
    assert spec.schedules()["U0SGQUAL"] == "mon,thu 09:00"
    assert spec.schedules()["U0FIN0QUAL"] == "mon 09:00"


def test_defaults_fill_what_the_file_leaves_out() -> None:
    spec = parse_charter(VALID)

    service = spec.services[0]
    assert (service.delay, service.delay_minutes, service.sampling) == ("2h", 120, 100)
    assert (service.working_hours, service.holidays, service.channel) == (
        "mon-fri 09:00-18:00",
        "FR",
        None,
    )
    question = spec.commitments[0].questions[0]
    assert (question.code, question.position, question.active) == ("RH-01-Q1", 1, True)
    assert spec.defaults.digest_schedule == "mon 09:00"
    assert spec.schedules() == {"U0RH0QUAL": "mon 09:00"}


def test_charter_invalid_is_an_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        parse_charter("version: 2\nservices: []\ncommitments: []\n")


def test_every_field_error_is_listed_with_its_line() -> None:
    text = """\
version: 1
services:
  - code: rh
    name: Ressources humaines
    owners: [U0RH0QUAL, bob]
    delay: 30
    sampling: 120
    working_hours: "mon-fry 09:00-18:00"
    holidays: fr
commitments:
  - code: RH-01
    service: RH
    title: "Réponse sous 5 jours"
    metric: csatt
    threshold: "eighty"
    min_responses: 3
    window_days: 400
    owners: [U0RH0QUAL]
    treshold: 80
    questions:
      - kind: rating_5
        text: {fr: "Satisfait ?"}
      - kind: stars
        text: {fr: "Note ?", en: "Grade?"}
"""
    assert errors_of(text, "rh.yaml") == [
        "rh.yaml:3: services[0].code: must be 2-32 of A-Z, 0-9, '-', '_', from a letter",
        "rh.yaml:5: services[0].owners[1]: must be a Slack user id such as U0123ABCD",
        "rh.yaml:6: services[0].delay: needs a unit: 30m, 30h or 30d (or 0)",
        "rh.yaml:7: services[0].sampling: must be at most 100",
        "rh.yaml:8: services[0].working_hours: 'fry' is not a day: use mon, tue, wed, thu, "
        "fri, sat, sun",
        "rh.yaml:9: services[0].holidays: must be 'FR' or 'none' (not 'fr')",
        "rh.yaml:14: commitments[0].metric: must be 'csat', 'mean', 'nps', 'yes_rate' or "
        "'effort' (not 'csatt')",
        "rh.yaml:15: commitments[0].threshold: must be a number",
        "rh.yaml:16: commitments[0].min_responses: must be at least 5",
        "rh.yaml:17: commitments[0].window_days: must be at most 365",
        "rh.yaml:19: commitments[0].treshold: is not a known field (did you mean threshold?)",
        "rh.yaml:22: commitments[0].questions[0].text.en: is required",
        "rh.yaml:23: commitments[0].questions[1].kind: must be 'rating_5', 'yes_no', "
        "'nps_10', 'effort_7' or 'text' (not 'stars')",
    ]


def test_cross_checks_are_reported_with_the_field_lines() -> None:
    text = """\
version: 1
owners:
  - user: U0RH0QUAL
    schedule: "mon 09:00"
  - user: U0RH0QUAL
    schedule: "tue 09:00"
services:
  - code: RH
    name: RH
    owners: [U0RH0QUAL]
  - code: RH
    name: RH bis
    owners: [U0RH0QUAL]
commitments:
  - code: RH-01
    service: PAIE
    title: "Paie"
    metric: nps
    threshold: 80
    min_responses: 5
    window_days: 30
    owners: [U0RH0QUAL]
    questions:
      - kind: rating_5
        text: {fr: "Satisfait ?", en: "Satisfied?"}
  - code: RH-01
    title: "Mobilité"
    metric: yes_rate
    threshold: 101
    min_responses: 5
    window_days: 30
    owners: [U0RH0QUAL]
    questions:
      - code: RH-01-OUI
        kind: yes_no
        text: {fr: "Oui ?", en: "Yes?"}
      - code: RH-01-MOT
        kind: text
        position: 1
        text: {fr: "Un mot ?", en: "A word?"}
      - code: RH-01-Q1
        kind: text
        text: {fr: "Autre chose ?", en: "Anything else?"}
"""
    assert errors_of(text) == [
        "charter.yaml:5: owners[1].user: owner U0RH0QUAL is used twice",
        "charter.yaml:11: services[1].code: service code RH is used twice",
        "charter.yaml:16: commitments[0].service: unknown service PAIE (services in this file: RH)",
        "charter.yaml:18: commitments[0].metric: nps needs an active nps_10 question",
        "charter.yaml:26: commitments[1].code: commitment code RH-01 is used twice",
        "charter.yaml:29: commitments[1].threshold: must be between 0 and 100 for yes_rate",
        "charter.yaml:39: commitments[1].questions[1].position: position 1 is used twice",
        "charter.yaml:41: commitments[1].questions[2].code: question code RH-01-Q1 is used twice",
        "charter.yaml:42: commitments[1].questions[2].kind: a commitment asks at most one "
        "text question",
    ]


@pytest.mark.parametrize(
    ("metric", "threshold", "kinds", "expected"),
    [
        ("csat", 80, ["yes_no"], "metric: csat needs an active rating_5 question"),
        ("effort", 70, ["rating_5"], "metric: effort needs an active effort_7 question"),
        ("yes_rate", 85, ["text"], "metric: yes_rate needs an active yes_no question"),
        ("nps", -101, ["nps_10"], "threshold: must be between -100 and 100 for nps"),
        ("mean", 6, ["rating_5"], "threshold: must be between 1 and 5, the rating_5 scale"),
        ("mean", 4, ["yes_no"], "metric: mean needs an active rating_5, nps_10 or effort_7"),
        ("mean", 4, ["rating_5", "effort_7"], "metric: mean needs its numeric questions on one"),
    ],
)
def test_the_metric_must_fit_the_questions(
    metric: str, threshold: int, kinds: list[str], expected: str
) -> None:
    questions = "".join(
        f"      - kind: {kind}\n        text: {{fr: 'Q{i} ?', en: 'Q{i}?'}}\n"
        for i, kind in enumerate(kinds)
    )
    text = VALID.split("    metric:")[0] + (
        f"    metric: {metric}\n    threshold: {threshold}\n    min_responses: 5\n"
        f"    window_days: 30\n    owners: [U0RH0QUAL]\n    questions:\n{questions}"
    )
    (error,) = errors_of(text)
    assert error.startswith(f"charter.yaml:{10 if 'metric:' in expected else 11}: commitments[0].")
    assert expected in error


def test_a_mean_within_its_scale_and_an_inactive_extra_text_are_accepted() -> None:
    text = VALID.replace("metric: csat", "metric: mean").replace("threshold: 80", "threshold: 4.2")
    text += (
        "      - kind: text\n        text: {fr: 'Un mot ?', en: 'A word?'}\n"
        "      - kind: text\n        active: false\n        text: {fr: 'Deux ?', en: 'Two?'}\n"
    )
    commitment = parse_charter(text).commitments[0]
    assert commitment.threshold == 4.2
    assert [q.code for q in commitment.active_questions] == ["RH-01-Q1", "RH-01-Q2"]


def test_a_yaml_syntax_error_names_its_line() -> None:
    text = VALID.replace("    name: Ressources humaines\n", "    name: [Ressources\n")
    (error,) = errors_of(text)
    assert error.startswith("charter.yaml:5: yaml: ")


def test_tabs_and_second_documents_are_syntax_errors() -> None:
    assert errors_of("version: 1\n\tservices: []\n")[0].startswith("charter.yaml:2: yaml: ")
    assert errors_of(VALID + "---\nversion: 1\n")[0].startswith("charter.yaml:18: yaml: ")


def test_characters_yaml_refuses_are_syntax_errors_at_their_line() -> None:
    assert errors_of(VALID.replace("Satisfied?", "Satis\x00fied?")) == [
        "charter.yaml:17: yaml: character U+0000 is not allowed"
    ]


def test_aliases_are_refused_at_their_line() -> None:
    text = VALID.replace("owners: [U0RH0QUAL]\ncommitments", "owners: &o [U0RH0QUAL]\ncommitments")
    text = text.replace("    owners: [U0RH0QUAL]\n    questions", "    owners: *o\n    questions")
    (error,) = errors_of(text)
    assert error == (
        "charter.yaml:14: yaml: anchors and aliases (*name) are not supported in a charter"
    )


def test_a_key_given_twice_is_an_error() -> None:
    text = VALID.replace("    title:", "    metric: nps\n    title:")
    assert errors_of(text) == ["charter.yaml:11: commitments[0].metric: is given twice"]


def test_missing_sections_and_empty_files() -> None:
    assert errors_of("") == [
        "charter.yaml:1: (top): the file is empty: it needs version, services and commitments"
    ]
    assert errors_of("# nothing yet\n")[0].endswith(
        "the file is empty: it needs version, services and commitments"
    )
    assert errors_of("- version: 1\n") == [
        "charter.yaml:1: (top): must be a mapping (key: value lines)"
    ]
    assert errors_of("version: 1\n") == [
        "charter.yaml:1: services: is required",
        "charter.yaml:1: commitments: is required",
    ]


def test_unquoted_yes_no_get_a_hint() -> None:
    text = VALID.replace("code: RH\n", "code: NO\n", 1).replace("service: RH", "service: 'NO'")
    (error,) = errors_of(text)
    assert error.startswith("charter.yaml:3: services[0].code: must be text: quote it")


def test_missing_fields_point_at_their_item() -> None:
    text = VALID.replace('    title: "Réponse sous 5 jours"\n', "")
    assert errors_of(text) == ["charter.yaml:7: commitments[0].title: is required"]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("channel", "'#rh'", "must be a Slack channel id such as C0123ABCD"),
        ("name_en", "''", "must not be empty"),
        ("delay", "1w", "must be a delay such as 30m, 2h, 1d or 0"),
        ("delay", "31d", "must be at most 30d"),
        ("working_hours", "'mon-fri 18:00-09:00'", "the window must end after it starts"),
        ("working_hours", "'fri-mon 09:00-18:00'", "runs backwards"),
        ("working_hours", "'mon-fri 9:00-18:00'", "is not a time"),
        ("working_hours", "'mon,mon 09:00-18:00'", "names a day twice"),
        ("working_hours", "always", "must be working hours such as"),
        ("owners", "[]", "must name at least one owner"),
        ("owners", "[U0RH0QUAL, U0RH0QUAL]", "names someone twice"),
        ("sampling", "50.5", "must be a whole number"),
    ],
)
def test_service_fields_are_checked(field: str, value: str, reason: str) -> None:
    text = VALID.replace("    name: Ressources humaines\n", "    name: RH\n")
    if field == "owners":
        text = text.replace(
            "    owners: [U0RH0QUAL]\ncommitments", f"    owners: {value}\ncommitments"
        )
    else:
        text = text.replace("    name: RH\n", f"    name: RH\n    {field}: {value}\n")
    (error,) = errors_of(text)
    assert error.startswith(f"charter.yaml:5: services[0].{field}")
    assert reason in error


@pytest.mark.parametrize(
    ("schedule", "ok"),
    [
        ("mon 09:00", True),
        ("mon,thu 08:30", True),
        ("mon-fri 07:00", True),
        ("daily 09:00", True),
        ("1 09:00", True),
        ("28 23:59", True),
        ("29 09:00", False),
        ("0 09:00", False),
        ("01 09:00", False),
        ("mon 9:00", False),
        ("mon 24:00", False),
        ("monday 09:00", False),
        ("mon  09:00", False),
        ("Mon 09:00", False),
        ("mon", False),
    ],
)
def test_digest_schedules_are_strict(schedule: str, ok: bool) -> None:
    text = (
        f"version: 1\ndefaults:\n  digest_schedule: '{schedule}'\nservices: []\ncommitments: []\n"
    )
    if ok:
        assert parse_charter(text).defaults.digest_schedule == schedule
    else:
        (error,) = errors_of(text)
        assert error.startswith("charter.yaml:3: defaults.digest_schedule: ")


def test_an_empty_charter_is_allowed_when_written_out() -> None:
    spec = parse_charter("version: 1\nservices: []\ncommitments: []\n")
    assert spec == CharterSpec(version=1, services=(), commitments=())


def test_building_an_inconsistent_spec_in_code_is_refused() -> None:
    spec = parse_charter(VALID)
    broken = spec.model_dump()
    broken["commitments"][0]["service"] = "PAIE"
    with pytest.raises(ValueError, match="unknown service PAIE"):
        CharterSpec.model_validate(broken)
