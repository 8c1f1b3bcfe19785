"""What a waiting caller hears every announce_every_s: place in line and estimated wait.

Estimated wait = place in line × the queue's recent handle time ÷ agents logged in to it.
The recent handle time is an exponential average (weight 1/4, as app_queue's holdtime) of
talk + wrap-up of the queue's finished calls; with no finished call yet the estimate is not
spoken."""

from __future__ import annotations

import math

from appliance.engine.prompts import key_prompts, number_prompts


class HandleTimeAverage:
    __slots__ = ("_handle_s",)

    def __init__(self) -> None:
        self._handle_s: dict[str, float] = {}

    def add(self, queue: str, handle_s: float) -> None:
        old = self._handle_s.get(queue)
        self._handle_s[queue] = handle_s if old is None else (3 * old + handle_s) / 4

    def estimate_wait_s(self, queue: str, place: int, agents: int) -> float | None:
        handle_s = self._handle_s.get(queue)
        if handle_s is None or agents <= 0:
            return None
        return place * handle_s / agents


def position_prompts(
    place: int, estimate_s: float | None, language: str, virtual_hold_key: str
) -> tuple[str, ...]:
    """The prompt names for one announcement. Place 1 hears "next in line". The Mandarin
    prompt says how many callers are ahead ("您前面还有 N 位"), so it speaks place − 1."""
    if place <= 1:
        prompts: list[str] = ["next_in_line"]
    else:
        spoken = place - 1 if language == "zh-CN" else place
        prompts = ["position_is", *number_prompts(spoken, language), "in_line"]
    if estimate_s is not None:
        if estimate_s < 60:
            prompts.append("less_than_a_minute")
        else:
            minutes = math.ceil(estimate_s / 60)
            prompts += ["wait_about", *number_prompts(minutes, language), "minutes"]
    if virtual_hold_key:  # offered, naming the queue's own key
        prompts += ["virtual_hold_press", *key_prompts(virtual_hold_key, language)]
    return tuple(prompts)
