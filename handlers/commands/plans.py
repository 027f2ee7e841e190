"""`/ecoute plans [CODE]`, `plan open CODE | show N | done N[.K] | drop N[.K] REASON | note N`."""

from __future__ import annotations

from bot.blocks.plan_forms import build_note_modal, build_plan_modal
from bot.blocks.plan_messages import build_plan_change, build_plan_list, build_plan_message
from domain.plan_notes import note_plan
from domain.plan_views import PlanDetails, list_plans, plan_details, plan_entry
from domain.plans import parse_reference, update_plan
from handlers.commands.request import CommandRequest, Usage, dispatch, take


async def run(request: CommandRequest, args: list[str]) -> None:
    """Route `plan VERB ...`."""
    verbs = {
        "list": run_list,
        "open": run_open,
        "show": run_show,
        "done": run_done,
        "drop": run_drop,
        "note": run_note,
    }
    await dispatch(request, args, verbs, default=run_list, usage="plan_update")


async def run_list(request: CommandRequest, args: list[str]) -> None:
    """List the open plans and those closed lately (of one commitment or service if named)."""
    if len(args) > 1:
        raise Usage("plans")
    deps = request.deps
    async with deps.database.begin() as session:
        plans = await list_plans(
            session, caller=request.caller, code=args[0] if args else None, now=deps.now()
        )
    await request.answer(build_plan_list(plans, deps.catalog, request.locale))


async def run_open(request: CommandRequest, args: list[str]) -> None:
    """Open the plan form of a commitment (or show the plan already open for it)."""
    [code] = take(args, 1, "plan_open")
    deps = request.deps
    now = deps.now()
    async with deps.database.begin() as session:
        entry = await plan_entry(session, caller=request.caller, now=now, code=code)
    if isinstance(entry, PlanDetails):
        zone = deps.settings.zone
        await request.answer(build_plan_message(entry, deps.catalog, request.locale, zone))
        return
    today = now.astimezone(deps.settings.zone).date()
    await request.open_modal(build_plan_modal(entry, deps.catalog, request.locale, today=today))


async def run_show(request: CommandRequest, args: list[str]) -> None:
    """Answer one plan: its actions, its effect once done, its history."""
    [reference] = take(args, 1, "plan_show")
    plan_id, _ = parse_reference(reference, locale=request.locale)
    deps = request.deps
    async with deps.database.begin() as session:
        details = await plan_details(
            session, caller=request.caller, plan_id=plan_id, now=deps.now()
        )
    zone = deps.settings.zone
    await request.answer(build_plan_message(details, deps.catalog, request.locale, zone))


async def run_done(request: CommandRequest, args: list[str]) -> None:
    """Mark a plan (`12`) or one of its actions (`12.2`) done."""
    [reference] = take(args, 1, "plan_update")
    await _update(request, reference, done=True, reason=None)


async def run_drop(request: CommandRequest, args: list[str]) -> None:
    """Drop a plan or an action, saying why: `drop 12.2 the supplier closed`."""
    if len(args) < 2:
        raise Usage("plan_update")
    await _update(request, args[0], done=False, reason=" ".join(args[1:]))


async def _update(
    request: CommandRequest, reference: str, *, done: bool, reason: str | None
) -> None:
    plan_id, position = parse_reference(reference, locale=request.locale)
    deps = request.deps
    async with deps.database.begin() as session:
        change = await update_plan(
            session,
            caller=request.caller,
            plan_id=plan_id,
            position=position,
            done=done,
            reason=reason,
            now=deps.now(),
        )
    await request.answer(build_plan_change(change, deps.catalog, request.locale))


async def run_note(request: CommandRequest, args: list[str]) -> None:
    """Open the form of a done plan's note to the people who answered before it."""
    [reference] = take(args, 1, "plan_note")
    plan_id, _ = parse_reference(reference, locale=request.locale)
    async with request.deps.database.begin() as session:
        plan = await note_plan(session, caller=request.caller, plan_id=plan_id)
    view = build_note_modal(plan.id, plan.code, request.deps.catalog, request.locale)
    await request.open_modal(view)
