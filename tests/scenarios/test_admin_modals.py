"""Forms and confirmations: inline field errors, results in place, archives, imports, previews."""

from __future__ import annotations

from sqlmodel import col, select

from bot.sandbox import Sandbox
from domain.charter import parse_charter
from storage.engine import open_database
from storage.tables import Answer, Commitment, Question, Role
from tests.scenarios.admin_support import (
    ADMIN,
    AGENT,
    SI_OWNER,
    admin_bot,
    audit_actions,
    command,
    open_form,
    submit,
    top_text,
)
from tests.scenarios.conftest import Stack

NEW_COMMITMENT = {
    "code": "si-02",
    "service": "SI",
    "title": "Poste de travail livré en 5 jours",
    "title_en": "Workstation delivered within 5 days",
    "metric": "csat",
    "threshold": "85",
    "min_responses": "5",
    "window_days": "30",
    "owners": [SI_OWNER],
    "kind": "rating_5",
    "text_fr": "Êtes-vous satisfait de la livraison ?",
    "text_en": "Are you satisfied with the delivery?",
}


async def _rows(stack: Stack, model, *where):
    database = open_database(stack.database_url)
    try:
        async with database.begin() as session:
            return list((await session.exec(select(model).where(*where))).all())
    finally:
        await database.dispose()


async def test_adding_a_commitment_answers_wrong_fields_inline_then_saves(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with admin_bot(stack, sandbox):
        await open_form(stack, sandbox, ADMIN.id, "commitment add")
        form = sandbox.views_for(ADMIN.id)[-1]
        assert form.title == "Nouvel engagement"
        wrong = await submit(
            sandbox,
            ADMIN.id,
            {**NEW_COMMITMENT, "code": "SI-01", "threshold": "cent", "window_days": "3"},
        )
        assert wrong.ack is not None
        assert wrong.ack["response_action"] == "errors"
        errors = wrong.ack["errors"]
        assert set(errors) == {"code", "threshold", "window_days"}
        assert "déjà pris" in errors["code"]
        assert "n'est pas un nombre" in errors["threshold"]
        assert "entre 7 et 365" in errors["window_days"]
        done = await submit(sandbox, ADMIN.id, NEW_COMMITMENT)
        assert done.ack is not None
        assert done.ack["response_action"] == "update"
        assert "Nouvel engagement" in top_text(sandbox, ADMIN.id)
        assert "SI-02" in top_text(sandbox, ADMIN.id)
    [created] = await _rows(stack, Commitment, col(Commitment.code) == "SI-02")
    assert (created.threshold, created.owners) == (85.0, [SI_OWNER])
    [question] = await _rows(stack, Question, col(Question.code) == "SI-02-Q1")
    assert question.text_en == "Are you satisfied with the delivery?"
    assert await audit_actions(stack) == [(ADMIN.id, "commitment.add", "SI-02")]


async def test_editing_a_commitment_starts_from_its_values(stack: Stack, sandbox: Sandbox) -> None:
    async with admin_bot(stack, sandbox):
        await open_form(stack, sandbox, ADMIN.id, "commitment edit rh-01")
        form = sandbox.views_for(ADMIN.id)[-1]
        fields = {b["block_id"]: b["element"] for b in form.blocks if b["type"] == "input"}
        assert fields["threshold"]["initial_value"] == "20"
        assert fields["owners"]["initial_users"] == ["U0RH0QUAL"]
        assert fields["metric"]["initial_option"]["value"] == "nps"
        mismatch = await submit(sandbox, ADMIN.id, {"metric": "csat"})
        assert mismatch.ack is not None
        assert "question active de type rating_5" in mismatch.ack["errors"]["metric"]
        done = await submit(sandbox, ADMIN.id, {"threshold": "-5", "window_days": "90"})
        assert done.ack is not None
        assert done.ack["response_action"] == "update"
        assert "30 → 90" in top_text(sandbox, ADMIN.id)
    [rh] = await _rows(stack, Commitment, col(Commitment.code) == "RH-01")
    assert (rh.threshold, rh.window_days) == (-5.0, 90)


async def test_agents_cannot_open_the_forms(stack: Stack, sandbox: Sandbox) -> None:
    async with admin_bot(stack, sandbox):
        refused = await command(stack, sandbox, AGENT, "commitment add")
        owner = await command(stack, sandbox, SI_OWNER, "question add SI-01")
    assert "Seuls les administrateurs" in refused
    assert "Seuls les administrateurs" in owner
    assert sandbox.views_for(AGENT) == []
    assert sandbox.views_for(SI_OWNER) == []


async def test_questions_are_added_reworded_reordered_and_archived_after_confirmation(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with admin_bot(stack, sandbox):
        await open_form(stack, sandbox, ADMIN.id, "question add SI-01")
        second_text = await submit(
            sandbox, ADMIN.id, {"kind": "text", "text_fr": "Autre chose ?", "text_en": "Else?"}
        )
        assert second_text.ack is not None
        assert "au plus une question ouverte" in second_text.ack["errors"]["kind"]
        await submit(
            sandbox,
            ADMIN.id,
            {"kind": "effort_7", "text_fr": "Était-ce facile ?", "text_en": "Was it easy?"},
        )
        await open_form(stack, sandbox, ADMIN.id, "question edit SI-01-Q4")
        empty = await submit(sandbox, ADMIN.id, {"text_fr": " ", "text_en": "Was it easy?"})
        assert empty.ack is not None
        assert "obligatoire" in empty.ack["errors"]["text_fr"]
        await submit(
            sandbox, ADMIN.id, {"text_fr": "Était-ce simple ?", "text_en": "Was it simple?"}
        )
        assert "Était-ce simple" in top_text(sandbox, ADMIN.id)
        reordered = await command(stack, sandbox, ADMIN.id, "question reorder SI-01 Q4 Q1")
        assert "SI-01-Q4, SI-01-Q1" in reordered
        await open_form(stack, sandbox, ADMIN.id, "question archive si-01-q2")
        assert "Archiver la question *SI-01-Q2*" in top_text(sandbox, ADMIN.id)
        confirmed = await submit(sandbox, ADMIN.id, {})
        assert confirmed.ack is not None
        assert confirmed.ack["response_action"] == "update"
        assert "Question archivée" in top_text(sandbox, ADMIN.id)
    rows = await _rows(stack, Question, col(Question.code).startswith("SI-01"))
    state = {q.code: (q.position, q.active) for q in rows}
    assert state == {
        "SI-01-Q4": (1, True),
        "SI-01-Q1": (2, True),
        "SI-01-Q2": (3, False),
        "SI-01-Q3": (4, True),
    }
    assert [action for _, action, _ in await audit_actions(stack)] == [
        "question.add",
        "question.edit",
        "question.reorder",
        "question.archive",
    ]


async def test_archiving_a_commitment_asks_first_and_cancelling_changes_nothing(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with admin_bot(stack, sandbox):
        await open_form(stack, sandbox, ADMIN.id, "commitment archive RH-01")
        assert "Archiver l'engagement *RH-01*" in top_text(sandbox, ADMIN.id)
        sandbox.views.stacks[ADMIN.id].clear()  # the admin closes the modal: nothing happens
        assert await audit_actions(stack) == []
        await open_form(stack, sandbox, ADMIN.id, "commitment archive RH-01")
        await submit(sandbox, ADMIN.id, {})
        assert "Engagement archivé" in top_text(sandbox, ADMIN.id)
        listed = await command(stack, sandbox, ADMIN.id, "commitments")
        again = await command(stack, sandbox, ADMIN.id, "commitment archive RH-01")
    assert "RH-01" not in listed
    assert "Je ne connais pas l'engagement « RH-01 »" in again
    [rh] = await _rows(stack, Commitment, col(Commitment.code) == "RH-01")
    assert rh.archived_at is not None
    assert await audit_actions(stack) == [(ADMIN.id, "commitment.archive", "RH-01")]


async def test_revoking_a_role_asks_first(stack: Stack, sandbox: Sandbox) -> None:
    async with admin_bot(stack, sandbox):
        await command(stack, sandbox, ADMIN.id, "roles grant <@U0AGENT02> owner")
        configured = await command(stack, sandbox, ADMIN.id, f"roles revoke <@{ADMIN.id}> admin")
        missing = await command(stack, sandbox, ADMIN.id, "roles revoke <@U0AGENT02> admin")
        assert "ECOUTE_ADMINS" in configured
        assert "n'a pas le rôle admin" in missing
        assert sandbox.views_for(ADMIN.id) == []
        await open_form(stack, sandbox, ADMIN.id, "roles revoke <@U0AGENT02> owner")
        await submit(sandbox, ADMIN.id, {})
        assert "Rôle retiré" in top_text(sandbox, ADMIN.id)
    assert await _rows(stack, Role) == []
    assert [action for _, action, _ in await audit_actions(stack)] == ["role.grant", "role.revoke"]


async def test_the_preview_is_walked_through_in_a_dm_and_stores_nothing(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with admin_bot(stack, sandbox):
        answer = await command(stack, sandbox, SI_OWNER, "question preview SI-01 en")
        assert "message privé" in answer
        owner = sandbox.agent(SI_OWNER)
        await stack.until(lambda: bool(sandbox.messages(SI_OWNER)))
        first = owner.latest_message()
        assert "Preview" in str(first.blocks)
        assert "Are you satisfied" in str(first.blocks)
        buttons = [e for b in first.blocks if b["type"] == "actions" for e in b["elements"]]
        await owner.click(first, action_id=buttons[4]["action_id"], value=buttons[4]["value"])
        await stack.until(lambda: "Was the incident solved" in str(owner.latest_message().blocks))
        second = owner.latest_message()
        yes = next(e for b in second.blocks if b["type"] == "actions" for e in b["elements"])
        await owner.click(second, action_id=yes["action_id"], value=yes["value"])
        await stack.until(lambda: "End of the preview" in str(owner.latest_message().blocks))
        assert "A word for the IT team?" in str(owner.latest_message().blocks)
        refused = await command(stack, sandbox, SI_OWNER, "question preview RH-01")
    assert "Seuls les responsables" in refused
    assert await _rows(stack, Answer) == []
    assert len(sandbox.messages(SI_OWNER)) == 1


async def test_charter_export_then_import_checked_like_the_cli(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with admin_bot(stack, sandbox):
        sent = await command(stack, sandbox, ADMIN.id, "charter export")
        assert "message privé" in sent
        [upload] = sandbox.uploaded_files()
        assert upload.filename.startswith("charter-")
        assert upload.channel_ids == [sandbox.dm_channel(ADMIN.id)]
        assert upload.content is not None
        text = upload.content.decode()
        assert [c.code for c in parse_charter(text).commitments] == ["SI-01", "RH-01"]
        await open_form(stack, sandbox, ADMIN.id, "charter import")
        broken = await submit(
            sandbox, ADMIN.id, {"yaml": text.replace("metric: nps", "metric: npz")}
        )
        assert broken.ack is not None
        assert "charter.yaml:" in broken.ack["errors"]["yaml"]
        assert "rien n'a été chargé" in broken.ack["errors"]["yaml"]
        changed = text.replace("threshold: 80", "threshold: 90")
        checked = await submit(sandbox, ADMIN.id, {"yaml": changed})
        assert checked.ack is not None
        assert checked.ack["response_action"] == "update"
        assert "Engagement *SI-01* : modifié (threshold)" in top_text(sandbox, ADMIN.id)
        [si] = await _rows(stack, Commitment, col(Commitment.code) == "SI-01")
        assert si.threshold == 80.0
        await submit(sandbox, ADMIN.id, {})
        assert "Charte importée : 1 changement(s)" in top_text(sandbox, ADMIN.id)
        refused = await command(stack, sandbox, SI_OWNER, "charter export")
        audit = await command(stack, sandbox, ADMIN.id, "audit")
    assert "Charte importée *charter*" in audit
    assert "Engagement *SI-01* : modifié (threshold)" in audit
    [si] = await _rows(stack, Commitment, col(Commitment.code) == "SI-01")
    assert si.threshold == 90.0
    assert "Seuls les administrateurs" in refused
    assert await audit_actions(stack) == [(ADMIN.id, "charter.import", "charter")]
