"""Call-handling settings changed from the web — queues, menu, greeting, lines, agents, hours,
VIPs, recorded prompts, generated menu speech and waybill places' pieces: checked by
setup_forms, saved and handed to the engine."""

from __future__ import annotations

import asyncio

from appliance.desk import place_prompts, queue_forms, queue_speech
from appliance.desk import prompts as desk_prompts
from appliance.desk import setup_forms as desk_settings
from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.forms import FormError
from appliance.service import DepotService


class SettingsDesk:
    def __init__(self, service: DepotService, audit: AuditTrail, *, prompts_dir: str) -> None:
        self.service = service
        self._audit = audit
        self.prompts_dir = prompts_dir  # where uploaded recordings replace generated prompts

    async def change_queue(self, who: SignedIn, queue_id: str, form: dict[str, str]) -> None:
        setup = desk_settings.with_queue_settings(self.service.setup(), queue_id, form)
        await self.service.change_setup(setup)
        queue = setup.queue(queue_id)
        detail = (
            f"{queue.strategy.value} tier_escalation_s={queue.tier_escalation_s:g}"
            f" join_when_no_agents={queue.join_when_no_agents}"
            f" leave_when_no_agents={queue.leave_when_no_agents}"
        )
        await self._audit(who, "settings.queue", queue_id, detail)

    async def add_queue(self, who: SignedIn, form: dict[str, str]) -> None:
        setup = queue_forms.with_new_queue(self.service.setup(), form)
        await self.service.change_setup(setup)
        queue = setup.queues[-1]
        await self._audit(who, "settings.queue_add", queue.id, f"{queue.name_zh} {queue.name_en}")

    async def rename_queue(self, who: SignedIn, queue_id: str, form: dict[str, str]) -> None:
        before = self.service.setup()
        setup = queue_forms.with_queue_names(before, queue_id, form)
        await self.service.change_setup(setup)
        old, new = before.queue(queue_id), setup.queue(queue_id)
        detail = f"{old.name_zh} {old.name_en} → {new.name_zh} {new.name_en}"
        await self._audit(who, "settings.queue_rename", queue_id, detail)

    async def retire_queue(self, who: SignedIn, queue_id: str) -> None:
        """Callers waiting in the queue are moved on by the engine once the setup is live."""
        setup = queue_forms.without_queue(self.service.setup(), queue_id)
        await self.service.change_setup(setup)
        await self._audit(who, "settings.queue_retire", queue_id)

    async def change_menu(self, who: SignedIn, form: dict[str, str]) -> None:
        setup = desk_settings.with_menu(self.service.setup(), form)
        await self.service.change_setup(setup)
        keys = "".join(option.digit for option in setup.menu.options)
        await self._audit(who, "settings.menu", "menu", keys)

    async def change_greeting(self, who: SignedIn, form: dict[str, str]) -> None:
        prompts = await asyncio.to_thread(desk_prompts.known_prompts)
        setup = desk_settings.with_greeting(self.service.setup(), form, prompts)
        await self.service.change_setup(setup)
        await self._audit(who, "settings.greeting", "menu", setup.menu.greeting_prompt)

    async def change_line_queues(self, who: SignedIn, form: dict[str, str]) -> None:
        lines = self.service.line_ids()
        setup = desk_settings.with_line_queues(self.service.setup(), lines, form)
        await self.service.change_setup(setup)
        chosen = dict(setup.line_queues)
        detail = " ".join(f"{line}={chosen.get(line, desk_settings.LINE_MENU)}" for line in lines)
        await self._audit(who, "settings.lines", "line_queues", detail)

    def recorded_prompts(self) -> dict[str, tuple[str, ...]]:
        """Prompts with an uploaded recording (played instead of the generated one)."""
        return desk_prompts.recorded_prompts(self.prompts_dir, *self._own_prompts())

    def _own_prompts(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The depot's queues (whose menu prompts may be uploaded) and its places' pieces."""
        setup = self.service.setup()
        queue_ids = tuple(queue.id for queue in setup.queues)
        return queue_ids, tuple(prompt for _place, prompt in setup.waybill_place_prompts)

    async def add_place(
        self, who: SignedIn, form: dict[str, str], recordings: dict[str, bytes]
    ) -> None:
        """A waybill place with its own piece: every field and recording checked before the
        recordings are kept and then the place is saved."""
        if not self.prompts_dir:
            raise FormError("place", "no_prompts_dir")
        setup = place_prompts.with_place(self.service.setup(), form, recordings)
        place, prompt = setup.waybill_place_prompts[-1]
        for language in desk_prompts.PROMPT_LANGUAGES:
            await asyncio.to_thread(
                desk_prompts.save_prompt,
                self.prompts_dir,
                language,
                prompt,
                recordings[language],
                place_prompts=(prompt,),
            )
        await self.service.change_setup(setup)
        await self._audit(who, "settings.place_add", place, prompt)

    async def remove_place(self, who: SignedIn, place: str) -> None:
        """The place is read with the generic piece again; its recordings stay on disk."""
        before = self.service.setup()
        prompt = dict(before.waybill_place_prompts).get(place, "")
        await self.service.change_setup(place_prompts.without_place(before, place))
        await self._audit(who, "settings.place_remove", place, prompt)

    def menu_key_prompts(self) -> tuple[queue_speech.MenuKeyPrompt, ...]:
        """Menu keys announced by their queue's own prompt (a queue added on the page has no
        shipped one), each language recorded, generated, outdated or missing: callers hear
        nothing announce a key whose prompt is missing."""
        return queue_speech.menu_key_prompts(self.prompts_dir, self.service.setup())

    async def generate_menu_speech(self, who: SignedIn, queue_id: str) -> None:
        """Speak the queue's menu entry in both languages (espeak-ng and sox, in a thread: it
        takes a second or two); a recording of the same prompt still wins over it."""
        texts = await asyncio.to_thread(
            queue_speech.generate_menu_entry, self.prompts_dir, self.service.setup(), queue_id
        )
        await self._audit(
            who, "prompt.generate", desk_prompts.queue_prompt(queue_id), " / ".join(texts)
        )

    async def save_agent(self, who: SignedIn, form: dict[str, str]) -> None:
        setup = desk_settings.with_agent(self.service.setup(), form)
        await self.service.change_setup(setup)
        await self._audit(who, "settings.agent", form.get("agent_id", "").strip())

    async def change_hours(self, who: SignedIn, form: dict[str, str]) -> None:
        setup = desk_settings.with_hours(self.service.setup(), form)
        await self.service.change_setup(setup)
        await self._audit(who, "settings.hours", "hours", str(len(setup.hours.holidays)))

    async def change_vips(self, who: SignedIn, form: dict[str, str]) -> None:
        setup = desk_settings.with_vips(self.service.setup(), form)
        await self.service.change_setup(setup)
        await self._audit(who, "settings.vips", "vip_numbers", str(len(setup.vip_numbers)))

    async def remove_agent(self, who: SignedIn, agent_id: str) -> None:
        if any(
            a.id == agent_id and a.state.value != "logged_out"
            for a in self.service.snapshot().agents
        ):
            raise FormError("agent_id", "logged_in")
        setup = desk_settings.without_agent(self.service.setup(), agent_id)
        await self.service.change_setup(setup)
        await self._audit(who, "settings.agent_remove", agent_id)

    async def upload_prompt(self, who: SignedIn, language: str, name: str, data: bytes) -> None:
        """A recorded prompt replaces the generated one (checked: 8 kHz mono WAV, size)."""
        queue_ids, places = self._own_prompts()
        await asyncio.to_thread(
            desk_prompts.save_prompt, self.prompts_dir, language, name, data, queue_ids, places
        )
        await self._audit(who, "prompt.upload", f"{language}/{name}", str(len(data)))
