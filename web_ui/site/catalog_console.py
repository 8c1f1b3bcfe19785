"""The site's catalog for web security and the console: TV screens' display links, the
agent's phone bar and call summary, the supervisor's monitor actions, and the errors of forms
that arrive broken. Key → (English, 简体中文), merged into the catalog."""

from __future__ import annotations

CONSOLE_MESSAGES: dict[str, tuple[str, str]] = {
    "nav.screens": ("TV screens", "电视大屏"),
    "wallboard.full_screen": ("Full screen", "全屏显示"),
    "form.at_most_chars": ("at most {n} characters", "最多 {n} 个字"),
    "phone.on_hold": ("On hold", "保持中"),
    "phone.muted": ("Muted", "静音中"),
    "phone.pause_reason": ("Paused for", "暂停原因"),
    "phone.pause_after": ("Pause after this call", "本次通话后暂停"),
    "phone.choose_colleague": ("Choose a colleague", "选择同事"),
    "call.three_way": ("Three-way", "三通"),
    "kind.summary": ("Call summary", "通话小结"),
    "field.summary": ("Call summary", "通话小结"),
    "phone.summary_asked": (
        "Wrap-up: write what the call was about before the next one.",
        "话后整理：请在下一个来电前填写本次通话小结。",
    ),
    "phone.summary_save": ("Save summary", "保存小结"),
    "phone.summary_saved": ("Summary saved", "小结已保存"),
    "phone.summary_pending": (
        "Waiting for the call summary: the next call comes once it is saved",
        "等待通话小结：保存后才接下一个来电",
    ),
    "phone.wrap_up_left": ("Wrap-up", "话后整理"),
    "phone.queues": ("Queues", "队列"),
    "phone.colleagues": ("Colleagues", "同事"),
    "phone.to_queue": ("Queue", "队列"),
    "phone.queue_refused": (
        "That queue cannot take the caller now (closed, full or nobody there).",
        "该队列现在不能接入来电（非工作时间、已满或无人值守）。",
    ),
    "phone.summary_first": (
        "Save the call summary first: this queue requires one before the next call.",
        "请先保存通话小结：本队列要求在下一个来电前填写。",
    ),
    "screens.explain": (
        "A TV shows the wallboard (figures only, never a caller) through its own link, without"
        " signing in. Anyone with the link sees the figures: revoke it when a screen goes.",
        "电视通过自己的专用链接显示大屏（只有指标，不显示来电人），无需登录。"
        "持有链接者都能看到指标：屏幕撤走时请吊销链接。",
    ),
    "screens.created": (
        "Link made. Open it on the TV now: it is shown only this once.",
        "链接已生成。请现在在电视上打开：它只显示这一次。",
    ),
    "screens.link": ("Display link", "显示链接"),
    "screens.name": ("Screen", "屏幕"),
    "screens.name_limit": ("up to 40 characters", "最多 40 个字"),
    "screens.created_at": ("Made", "创建"),
    "screens.add": ("Make a display link", "生成显示链接"),
    "screens.revoke": ("Revoke", "吊销"),
    "field.screen_name": ("Screen", "屏幕"),
    "field.link_id": ("Display link", "显示链接"),
    "error.unreadable_form": (
        "The form that was sent could not be read (a broken upload?); nothing was changed.",
        "无法读取提交的表单（上传不完整？），未做任何更改。",
    ),
    "error.upload_stalled": (
        "The upload stopped arriving; nothing was changed. Try again.",
        "上传中断，未做任何更改，请重试。",
    ),
    "monitor.actions": ("Supervise", "班长操作"),
    "monitor.over_time": ("Over time", "超时"),
    "monitor.phone_down": ("Phone down", "话机故障"),
    "monitor.listen": ("Listen", "监听"),
    "monitor.whisper": ("Whisper", "密语"),
    "monitor.barge": ("Barge in", "强插"),
    "monitor.stop_listening": ("Stop listening", "结束监听"),
    "monitor.pause": ("Pause", "强制暂停"),
    "monitor.ready": ("Make ready", "强制就绪"),
    "monitor.sign_out": ("Sign out", "强制签出"),
    "monitor.listen_explain": (
        "Listening rings your own phone: sign in at a position on the desk first.",
        "监听会呼叫您自己的话机：请先在工作台登录到座席。",
    ),
    "monitor.refused_listen": (
        "Cannot listen: sign in at a position first; the agent must be on a call.",
        "无法监听：请先登录到座席，且该座席须在通话中。",
    ),
    "monitor.refused_whisper": (
        "Cannot whisper: sign in at a position first; the agent must be on a call.",
        "无法密语：请先登录到座席，且该座席须在通话中。",
    ),
    "monitor.refused_barge": (
        "Cannot barge in: sign in at a position first; the agent must be on a call.",
        "无法强插：请先登录到座席，且该座席须在通话中。",
    ),
    "monitor.refused_stop_listening": ("You are not listening to a call.", "您当前没有在监听。"),
    "monitor.refused_pause": (
        "That agent cannot be paused now (signed out or already paused).",
        "该座席现在无法暂停（未签入或已暂停）。",
    ),
    "monitor.refused_sign_out": ("That agent is not signed in.", "该座席未签入。"),
    "monitor.refused_ready": ("That agent is not signed in.", "该座席未签入。"),
}
