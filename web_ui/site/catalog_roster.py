"""The 排班 page's messages: key → (English, 简体中文), joined into the site's catalog."""

from __future__ import annotations

ROSTER_MESSAGES: dict[str, tuple[str, str]] = {
    "nav.roster": ("Roster", "排班"),
    "roster.week_of": ("Week of", "所在周"),
    "roster.previous": ("Previous week", "上一周"),
    "roster.next": ("Next week", "下一周"),
    "roster.explain": (
        "One cell per agent and day: shifts as 08:00-12:00 14:00-18:00 (24:00 ends the day); "
        "empty or 休 is a day off.",
        "每位座席每天一格：班次写作 08:00-12:00 14:00-18:00（24:00 为当天结束）；"
        "留空或“休”为休息。",
    ),
    "roster.cover": ("Agents on shift against agents needed", "排班人数与所需座席对照"),
    "roster.cover_explain": (
        "Needed: Erlang C with wrap-up for the service-level target, from the mean calls of "
        "that hour on the same weekday over the box's recent days (a weekday nobody called on "
        "needs nobody); on shift: agents whose shift covers half past the hour. Red cells are "
        "short of staff (▼ how many).",
        "所需座席：按服务水平目标以 Erlang C（含话后处理）计算，依据本机近期同一星期几该小时的"
        "平均来电（无来电的星期几不需要座席）；在班人数：班次覆盖该小时半点的座席。"
        "红色格为人手不足（▼ 缺少人数）。",
    ),
    "roster.on_shift_needed": ("on shift / needed", "在班 / 所需"),
    "roster.short": ("short of staff", "人手不足"),
    "roster.adherence": ("Login adherence", "签入遵从率"),
    "roster.scheduled": ("Scheduled (so far)", "排班时长（截至目前）"),
    "roster.logged_in": ("Logged in during shifts", "班内签入时长"),
    "roster.adherence_share": ("Adherence", "遵从率"),
    "roster.adherence_explain": (
        "The share of the week's scheduled time so far that the agent was logged in; a daemon "
        "restart ends every login.",
        "本周截至目前排班时间中座席处于签入状态的比例；系统重启会结束所有签入。",
    ),
    "field.shift": ("Shift", "班次"),
    "problem.shift_format": (
        "write shifts as 08:00-12:00, in order and not overlapping (the marked cell)",
        "班次格式应为 08:00-12:00，按顺序且不重叠（见标记的格子）",
    ),
}
