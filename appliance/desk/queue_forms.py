"""Queues the depot adds, renames and retires on the settings page. A queue's id is kept for
good once given (calls, queue-log rows and reports carry it); only its names change. A queue is
retired only when nothing else sends callers to it; callers still waiting in it are moved on by
the engine (see docs/engine.md, "removed queue")."""

from __future__ import annotations

import dataclasses
import re

from appliance.desk.forms import FormError, clean_text
from appliance.desk.setup_forms import whole_number
from appliance.engine.setup import QUEUE_WEIGHT_MAX, DepotSetup, OverflowKind, Queue

# One rule for a queue id, on the page (the input's pattern) and here: a lower-case letter,
# then lower-case letters, digits or "_", 2 to 20 in all — it appears in CSV files and URLs.
QUEUE_ID_PATTERN = "[a-z][a-z0-9_]{1,19}"
QUEUE_NAME_MAX_CHARS = 20


def is_queue_id(text: str) -> bool:
    return re.fullmatch(QUEUE_ID_PATTERN, text) is not None


def _names(form: dict[str, str]) -> tuple[str, str]:
    name_zh = clean_text(
        "name_zh", form.get("name_zh", ""), required=True, max_chars=QUEUE_NAME_MAX_CHARS
    )
    name_en = clean_text(
        "name_en", form.get("name_en", ""), required=True, max_chars=QUEUE_NAME_MAX_CHARS
    )
    return name_zh, name_en


def with_new_queue(setup: DepotSetup, form: dict[str, str]) -> DepotSetup:
    """A new queue (`new_queue_id`, `name_zh`, `name_en`, `weight` 0–9: above the others' to
    be served first) with the default timers, strategy and overflow; its agents are given a
    tier on the agents form, its menu key on the menu form."""
    queue_id = form.get("new_queue_id", "").strip()
    if not is_queue_id(queue_id):
        raise FormError("new_queue_id", "queue_id_rule")
    if any(queue.id == queue_id for queue in setup.queues):
        raise FormError("new_queue_id", "taken")
    name_zh, name_en = _names(form)
    weight = whole_number("weight", form.get("weight", "0"), 0, QUEUE_WEIGHT_MAX)
    queue = Queue(queue_id, name_zh, name_en, weight=weight)
    return dataclasses.replace(setup, queues=(*setup.queues, queue))


def _existing(setup: DepotSetup, queue_id: str) -> Queue:
    queue = next((q for q in setup.queues if q.id == queue_id), None)
    if queue is None:
        raise FormError("queue_id", "not_found")
    return queue


def with_queue_names(setup: DepotSetup, queue_id: str, form: dict[str, str]) -> DepotSetup:
    """New Chinese and English names; the id stays."""
    queue = _existing(setup, queue_id)
    try:
        name_zh, name_en = _names(form)
    except FormError as error:
        raise FormError(error.field, error.problem, queue=queue_id) from None
    renamed = dataclasses.replace(queue, name_zh=name_zh, name_en=name_en)
    return dataclasses.replace(
        setup, queues=tuple(renamed if q.id == queue_id else q for q in setup.queues)
    )


def _why_still_used(setup: DepotSetup, queue_id: str) -> str:
    """The first thing that still sends callers to the queue, as a problem code; "" if none."""
    if len(setup.queues) == 1:
        return "last_queue"
    if any(option.queue == queue_id for option in setup.menu.options):
        return "menu_target"
    if setup.menu.default_queue == queue_id:
        return "menu_default"
    if any(
        q.overflow.kind is OverflowKind.QUEUE and q.overflow.target_queue == queue_id
        for q in setup.queues
        if q.id != queue_id
    ):
        return "overflow_target_of"
    if any(queue == queue_id for _line, queue in setup.line_queues):
        return "line_target"
    return ""


def without_queue(setup: DepotSetup, queue_id: str) -> DepotSetup:
    """The setup with the queue retired and the agents' skills in it dropped. Refused, naming
    the reason, while a menu key, the menu's default, another queue's overflow or a line still
    sends callers to it: the supervisor changes those first (nothing is moved silently)."""
    _existing(setup, queue_id)
    problem = _why_still_used(setup, queue_id)
    if problem:
        raise FormError("retire_queue", problem, queue=queue_id)
    agents = tuple(
        dataclasses.replace(agent, skills=tuple(s for s in agent.skills if s[0] != queue_id))
        for agent in setup.agents
    )
    return dataclasses.replace(
        setup, queues=tuple(q for q in setup.queues if q.id != queue_id), agents=agents
    )
