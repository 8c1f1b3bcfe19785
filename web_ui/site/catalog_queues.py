"""Messages for queues the depot adds, renames and retires on the settings page, and their
menu entries' prompts: key → (English, 简体中文), joined into the site's catalog."""

from __future__ import annotations

QUEUE_MESSAGES: dict[str, tuple[str, str]] = {
    "settings.add_queue": ("Add a queue", "新增队列"),
    "settings.rename_queue": ("Save names", "保存名称"),
    "settings.retire_queue": ("Retire this queue", "停用此队列"),
    "settings.queue_lifecycle_help": (
        "The code is a lower-case letter, then letters, digits or _, 2–20 in all; it stays with "
        "the queue for good, so records and reports keep it — only the names can change. "
        "A new queue starts with the default timers: give agents a level in it below and a key "
        "in the caller menu. A queue can be retired only once no menu key, default queue, "
        "overflow of another queue or line sends callers to it; callers still waiting in it "
        "are then moved on as its overflow says.",
        "代码以小写字母开头，由小写字母、数字或 _ 组成，共 2–20 个字符；代码一经设定不再改变，"
        "记录和报表都沿用它——只能修改名称。新队列使用默认计时设置：请在下方为座席设置该队列的"
        "技能等级，并在语音导航菜单中为它分配按键。只有当没有菜单按键、默认队列、其他队列的溢出"
        "或线路再把来电送到该队列时，才能停用；仍在该队列排队的来电随后按其溢出设置转走。",
    ),
    "field.weight": ("Priority (0–9, higher served first)", "优先级（0–9，越高越先接听）"),
    "settings.weight_help": (
        "An agent who serves several queues is offered the callers of the queue with the "
        "highest priority first (a rescue line above the rest); at equal priority, the caller "
        "who has waited longest (VIPs and returning callers first).",
        "同时服务多个队列的座席，优先接听优先级最高队列的来电（如救援专线高于其他队列）；"
        "优先级相同时，先接等待最久的来电（VIP 与回拨来电优先）。",
    ),
    "settings.queue_prompt": (
        "{name}: its own announcement (recorded or generated)",
        "{name}：专用播报（录音或合成语音）",
    ),
    "settings.key_without_prompt": (
        "Key {key} ({name}) has neither a recording nor generated speech, so callers hear "
        "nothing announce it: upload a recording under Recorded prompts below or generate "
        "speech. Missing:",
        "按键 {key}（{name}）既没有录音也没有合成语音，来电者听不到该按键的播报；"
        "请在下方“录音提示音”中上传录音，或生成语音。缺少：",
    ),
    "settings.key_prompt_outdated": (
        "The generated speech of key {key} ({name}) was made for an earlier name or key and "
        "says the wrong thing: generate it again. Outdated:",
        "按键 {key}（{name}）的合成语音是按以前的名称或按键生成的，播报内容已不正确；"
        "请重新生成。已过时：",
    ),
    "settings.key_prompts": ("Menu entries of the depot's own queues", "自建队列的菜单播报"),
    "settings.generate_speech": ("Generate speech", "生成语音"),
    "settings.generate_speech_help": (
        "Generate speech makes the key's announcement (“For rescue, press 4.” and its Mandarin) "
        "in both languages with the box's speech synthesiser; it sounds robotic, so a "
        "recording uploaded below always wins over it. Generate it again after renaming the "
        "queue or moving its key.",
        "“生成语音”用本机的语音合成为该按键生成中英文播报（如“救援请按4。”）；合成语音较生硬，因此下方上传的录音总是优先播放。"
        "修改队列名称或按键后请重新生成。",
    ),
    "prompt_source.recorded": ("recorded", "已录音"),
    "prompt_source.generated": ("generated speech", "合成语音"),
    "prompt_source.outdated": ("generated speech, outdated", "合成语音（已过时）"),
    "prompt_source.missing": ("missing", "缺少"),
    "field.generate_speech": ("Generate speech", "生成语音"),
    "problem.no_own_menu_key": (
        "no menu key is announced by this queue's own prompt — set one in the caller menu first",
        "菜单中没有以该队列专用提示音播报的按键——请先在语音导航菜单中设置",
    ),
    "problem.missing_espeak-ng": (
        "espeak-ng is not installed on the box (apt-get install espeak-ng)",
        "本机未安装 espeak-ng（apt-get install espeak-ng）",
    ),
    "problem.missing_sox": (
        "sox is not installed on the box (apt-get install sox)",
        "本机未安装 sox（apt-get install sox）",
    ),
    "problem.unspeakable": (
        "it holds a character the speech synthesiser cannot read — upload a recording instead",
        "含有语音合成无法朗读的字符——请改为上传录音",
    ),
    "problem.speech_failed": (
        "the speech synthesiser failed (see the system log) — upload a recording instead",
        "语音合成失败（详见系统日志）——请改为上传录音",
    ),
    "field.new_queue_id": ("Queue code", "队列代码"),
    "field.queue_code": ("Code", "代码"),
    "field.name_zh": ("Chinese name", "中文名称"),
    "field.name_en": ("English name", "英文名称"),
    "field.retire_queue": ("Retire", "停用"),
    "problem.queue_id_rule": (
        "a lower-case letter, then letters, digits or _, 2–20 in all",
        "以小写字母开头，由小写字母、数字或 _ 组成，共 2–20 个字符",
    ),
    "problem.last_queue": ("the depot needs at least one queue", "至少需要保留一个队列"),
    "problem.menu_target": (
        "a key of the caller menu still leads to it — change the menu first",
        "语音导航菜单仍有按键指向该队列——请先修改菜单",
    ),
    "problem.menu_default": (
        "it is the menu's default queue — choose another default first",
        "它是菜单的默认队列——请先选择其他默认队列",
    ),
    "problem.overflow_target_of": (
        "another queue overflows to it — change that queue's overflow first",
        "另一个队列溢出到该队列——请先修改那个队列的溢出设置",
    ),
    "problem.line_target": (
        "a line sends its callers straight to it — set that line to the menu first",
        "有线路直达该队列——请先把该线路改回语音导航菜单",
    ),
}
