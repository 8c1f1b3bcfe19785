"""Callback tasks (回访): a task's page with its attempts, the agent's outcome of a dial, and the
supervisor's list — open, overdue, all — with assignment, new tasks, CSV imports of key
customers or a campaign, and the rules (calling window, failed attempts, days until due)."""

from __future__ import annotations

from aiohttp import web

from appliance.desk import FormError
from appliance.desk.csv_rows import CSV_MAX_BYTES
from appliance.desk.tasks import OUTCOMES, SUPERVISOR_REASONS, ImportResult
from web_ui.site.security import (
    AGENT,
    DEPOT_KEY,
    DESK_KEY,
    SUPERVISOR,
    error_page,
    form_of,
    render,
    requires,
    signed_in,
)

routes = web.RouteTableDef()

TASK_VIEWS = ("open", "overdue", "all")


async def _tasks_page(
    request: web.Request,
    *,
    error: FormError | None = None,
    imported: ImportResult | None = None,
) -> web.Response:
    desk = request.app[DESK_KEY]
    view = request.query.get("view", "open")
    if view not in TASK_VIEWS:
        view = "open"
    if view == "overdue":
        shown = await desk.tasks.overdue_tasks()
    elif view == "all":
        shown = await desk.tasks.every_task()
    else:
        shown = await desk.tasks.open_tasks()
    overdue = {t.task_id for t in await desk.tasks.overdue_tasks()}
    return render(
        request,
        "tasks.html",
        status=400 if error is not None else 200,
        tasks=shown,
        view=view,
        views=TASK_VIEWS,
        overdue=overdue,
        agents=request.app[DEPOT_KEY].setup().agents,
        reasons=SUPERVISOR_REASONS,
        rules=await desk.tasks.rules(),
        due_days=desk.tasks.due_days,
        error=error,
        imported=imported,
    )


@routes.get("/supervisor/tasks")
@requires(SUPERVISOR)
async def tasks(request: web.Request) -> web.Response:
    return await _tasks_page(request)


@routes.post("/supervisor/tasks")
@requires(SUPERVISOR)
async def assign_task(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    try:
        await request.app[DESK_KEY].tasks.assign_callback_task(
            signed_in(request), form.get("task_id", ""), form.get("agent_id", "")
        )
    except FormError as error:
        return await _tasks_page(request, error=error)
    raise web.HTTPSeeOther("/supervisor/tasks")


@routes.post("/supervisor/tasks/new")
@requires(SUPERVISOR)
async def new_task(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    try:
        await request.app[DESK_KEY].tasks.create_task(signed_in(request), form)
    except FormError as error:
        return await _tasks_page(request, error=error)
    raise web.HTTPSeeOther("/supervisor/tasks")


@routes.post("/supervisor/tasks/import")
@requires(SUPERVISOR)
async def import_tasks(request: web.Request) -> web.StreamResponse:
    """A CSV of key customers or a campaign's numbers (multipart form)."""
    form = await request.post()
    upload = form.get("file")
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        if not isinstance(upload, web.FileField) or not upload.filename:
            raise FormError("file", "required")
        data = upload.file.read(CSV_MAX_BYTES + 1)
        result = await request.app[DESK_KEY].tasks.import_tasks(signed_in(request), data, fields)
    except FormError as error:
        return await _tasks_page(request, error=error)
    return await _tasks_page(request, imported=result)


@routes.post("/supervisor/tasks/rules")
@requires(SUPERVISOR)
async def change_rules(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    try:
        await request.app[DESK_KEY].tasks.change_rules(signed_in(request), form)
    except FormError as error:
        return await _tasks_page(request, error=error)
    raise web.HTTPSeeOther("/supervisor/tasks")


@routes.post("/supervisor/tasks/{task_id}/close")
@requires(SUPERVISOR)
async def close_task(request: web.Request) -> web.StreamResponse:
    task_id = request.match_info["task_id"]
    form = await form_of(request)
    try:
        await request.app[DESK_KEY].tasks.close_task(
            signed_in(request), task_id, form.get("reason", "")
        )
    except FormError as error:
        return await _task_page(request, error=error)
    raise web.HTTPSeeOther(f"/tasks/{task_id}")


@routes.get("/tasks/{task_id}")
@requires(AGENT)
async def task_page(request: web.Request) -> web.Response:
    return await _task_page(request)


async def _task_page(request: web.Request, *, error: FormError | None = None) -> web.Response:
    desk = request.app[DESK_KEY]
    task_id = request.match_info["task_id"]
    task = await desk.tasks.task(task_id)
    if task is None:
        return error_page(request, 404, "error.not_found")
    return render(
        request,
        "task.html",
        status=400 if error is not None else 200,
        task=task,
        attempts=await desk.tasks.attempts(task_id),
        outcomes=OUTCOMES,
        error=error,
    )


@routes.post("/tasks/{task_id}/attempt")
@requires(AGENT)
async def record_attempt(request: web.Request) -> web.StreamResponse:
    """The outcome the agent picks after dialling a task, and a note."""
    task_id = request.match_info["task_id"]
    form = await form_of(request)
    try:
        await request.app[DESK_KEY].tasks.record_attempt(
            signed_in(request), task_id, form.get("outcome", ""), form.get("note", "")
        )
    except FormError as error:
        return await _task_page(request, error=error)
    raise web.HTTPSeeOther("/desk")
