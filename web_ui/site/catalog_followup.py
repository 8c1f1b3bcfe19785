"""The message catalog of the follow-up loops — callback tasks (回访), tickets (工单) and
waybills (运单号): key → (English, 简体中文), joined into catalog.MESSAGES."""

from __future__ import annotations

FOLLOW_UP_MESSAGES: dict[str, tuple[str, str]] = {
    # dialling from the desk, refused in place
    "dial.not_logged_in": ("Log in to a position before dialling.", "请先签入座席再拨号。"),
    "dial.on_call": (
        "You are on a call: finish it before dialling.",
        "您正在通话中，请结束当前通话后再拨号。",
    ),
    "dial.outside_window": (
        "Outside the calling window: customers may be called from",
        "当前不在回访时段，避免打扰客户休息。可拨打时间：",
    ),
    "dial.task_closed": ("This task is already closed.", "该回访任务已关闭。"),
    "dial.not_free": (
        "The phone cannot dial now (position busy or out of service).",
        "当前无法拨号（座席话机忙或不可用）。",
    ),
    "desk.window_closed": ("Callbacks may be dialled from", "回访可拨打时间："),
    "desk.dial_from": ("from", "可于"),
    "desk.overdue": ("overdue", "已超期"),
    # callback tasks
    "tasks.outcome": ("Outcome", "回访结果"),
    "tasks.save_attempt": ("Save outcome", "保存结果"),
    "tasks.state": ("State", "状态"),
    "tasks.view.open": ("Open", "未完成"),
    "tasks.view.overdue": ("Overdue", "已超期"),
    "tasks.view.all": ("All", "全部"),
    "tasks.new": ("New callback task", "新建回访任务"),
    "tasks.add": ("Add task", "添加任务"),
    "tasks.import": (
        "Import key customers or a campaign (CSV: number, name, note)",
        "导入重点客户或营销活动名单（CSV：号码, 姓名, 备注）",
    ),
    "tasks.import_button": ("Import", "导入"),
    "tasks.imported": ("Tasks added", "已添加任务"),
    "tasks.already_open": ("Numbers that already had an open task", "已有未完成任务的号码"),
    "tasks.rules": ("Callback rules", "回访规则"),
    "tasks.save_rules": ("Save rules", "保存规则"),
    "tasks.pool": ("Pool (any agent)", "公共池（任何座席）"),
    "tasks.close": ("Close task", "关闭任务"),
    "tasks.attempt_list": ("Attempts", "拨打记录"),
    "tasks.created_by": ("Made by", "创建人"),
    "tasks.ticket": ("Ticket", "工单"),
    "task_state.open": ("Open", "待回访"),
    "task_state.reached": ("Reached", "已回访"),
    "task_state.unreachable": ("Unreachable", "无法联系"),
    "task_state.closed": ("Closed by a supervisor", "主管关闭"),
    "task_state.duplicate": ("Duplicate", "重复任务"),
    "task_reason.supervisor": ("Supervisor's task", "主管安排"),
    "task_reason.key_customer": ("Key customer", "重点客户"),
    "task_reason.campaign": ("Campaign", "营销活动"),
    "task_reason.ticket": ("Complaint follow-up", "投诉处理回访"),
    "outcome.reached_resolved": ("Reached — resolved", "已接通—问题已解决"),
    "outcome.reached_unresolved": ("Reached — not resolved", "已接通—问题未解决"),
    "outcome.refused": ("Reached — declined the call", "已接通—客户拒绝回访"),
    "outcome.no_answer": ("No answer", "无人接听"),
    "outcome.busy": ("Busy", "占线"),
    "outcome.wrong_number": ("Wrong number", "号码错误"),
    "outcome.closed": ("Closed by a supervisor", "主管关闭"),
    # the task's history, written by the depot itself
    "outcome.called_again": ("Missed again", "再次未接通"),
    "outcome.customer_called_in": ("The customer's own call was answered", "客户来电已接听"),
    "field.outcome": ("Outcome", "回访结果"),
    "field.calling_window": ("Calling window", "回访时段"),
    "field.failed_attempts": ("Failed attempts before closing", "未接通几次后关闭"),
    "field.due_days": ("Days until due", "须在几天内回访"),
    "problem.task_open": (
        "this number already has an open callback task",
        "该号码已有未完成的回访任务",
    ),
    # tickets
    "tickets.owner": ("Owner", "首问负责人"),
    "tickets.deadline": ("Deadline", "办结时限"),
    "tickets.left": ("left", "剩余"),
    "tickets.late": ("late by", "已超时"),
    "tickets.any": ("Any", "全部"),
    "tickets.close_with_reason": ("Close without the follow-up call", "主管结案（不经回访）"),
    "tickets.resolve": ("Resolved — call the customer back", "已处理，转回访"),
    "tickets.limits": ("Time limits by category (hours)", "各类投诉办结时限（小时）"),
    "tickets.to_shift_lead_h": ("To the shift lead after", "超过后升级至班长"),
    "tickets.to_manager_h": ("To the manager after", "超过后升级至经理"),
    "ticket_state.open": ("Open", "处理中"),
    "ticket_state.resolved": ("Resolved, waiting for the follow-up call", "已处理，待回访"),
    "ticket_state.closed": ("Closed", "已结案"),
    "step.chase": ("Chase", "催单"),
    "step.reply": ("Reply", "回复"),
    "step.resolved": ("Resolved", "已处理"),
    "field.resolution": ("How it was resolved", "处理结果"),
    "desk.ticket_notices": ("Tickets escalated", "工单升级提醒"),
    "desk.escalated_to": ("escalated to", "已升级至"),
    "desk.seen": ("Seen", "已读"),
    "problem.not_owner": (
        "only the agent who took the complaint, or a supervisor",
        "仅限首问负责人或主管操作",
    ),
    "problem.changed": ("changed meanwhile — look again", "已被他人更改，请刷新后再试"),
    "problem.after_first": ("must be longer than the first limit", "须长于第一时限"),
    # waybills (运单号)
    "nav.waybills": ("Waybills", "运单查询"),
    "field.waybill": ("Waybill", "运单号"),
    "field.waybill_self_service": (
        "Keypad self-service: callers key a waybill number and hear its status (0 for an agent)",
        "自助查询：客户输入运单号收听货物状态（按0转人工）",
    ),
    "pop.waybill": ("Waybill the caller keyed", "来电自助输入的运单号"),
    "field.status": ("Status", "状态"),
    "field.time": ("Time", "时间"),
    "waybills.import": ("Tracking export (运单 CSV)", "运单跟踪数据导入（CSV）"),
    "waybills.import_help": (
        "A CSV of waybill, status, place, time (2026-12-07 14:30), as the tracking system"
        " exports it; the nightly export may also be dropped in the tracking folder beside"
        " the database. A bad row is named by line and column and nothing is loaded.",
        "CSV 列为：运单号, 状态, 地点, 时间（2026-12-07 14:30），即跟踪系统的导出文件；"
        "每晚的导出也可放入数据库旁的 tracking 文件夹自动导入。有错误的行会指出行号和列号，"
        "整个文件不导入。",
    ),
    "waybills.imported": ("Waybills in the file", "文件中的运单"),
    # the settings page's places with their own recording, read back by the self-service
    "settings.places": ("Waybill places with their own recording", "运单地点专用录音"),
    "settings.places_help": (
        "The keypad self-service reads a waybill's place with its own recording when the place"
        " is written here exactly as in the tracking export; any other place is read as"
        " \u201can agent can tell you\u201d. Each place needs a recording in both languages"
        " (8 kHz mono WAV). Removing a place keeps its recordings on the box.",
        "自助查询播报运单地点时，若地点与运单导出中的写法完全一致并列在此处，就播放它的专用录音；"
        "其他地点播报“请咨询人工”。每个地点需要中英文两段录音（8 kHz 单声道 WAV）。"
        "删除地点不会删除已上传的录音文件。",
    ),
    "settings.add_place": ("Add a place", "新增地点"),
    "settings.place_prompt": ("{place}: its own recording", "{place}：专用录音"),
    "field.place": ("Place (as in the tracking export)", "地点（与运单导出一致）"),
    "field.place_prompt": ("Prompt name", "提示音名称"),
    "field.recording_zh-CN": ("Recording in Chinese", "中文录音"),
    "field.recording_en": ("Recording in English", "英文录音"),
    "problem.place_prompt_rule": (
        "place_ and then 1 to 32 lower-case letters, digits or _",
        "以 place_ 开头，后接 1 至 32 个小写字母、数字或 _",
    ),
    "waybills.changed": ("added or updated", "新增或更新"),
    "waybills.known": ("Waybills known", "已有运单"),
    "waybills.not_in_export": ("Not in the tracking export.", "跟踪数据中没有该运单。"),
    "waybills.calls": ("Calls", "通话"),
    "waybill_status.received": ("Received", "已揽收"),
    "waybill_status.in_transit": ("In transit", "运输中"),
    "waybill_status.arrived": ("Arrived", "已到达"),
    "waybill_status.out_for_delivery": ("Out for delivery", "派送中"),
    "waybill_status.delivered": ("Delivered", "已签收"),
    "waybill_status.held": ("Held", "滞留"),
    "waybill_status.returned": ("Returned", "已退回"),
    "problem.waybill_format": ("6 to 30 letters and digits", "应为 6 至 30 位字母或数字"),
    "problem.waybill_status": (
        "not a known status (received, in_transit, arrived, out_for_delivery, delivered,"
        " held, returned, or 已揽收 运输中 已到达 派送中 已签收 滞留 已退回)",
        "状态无法识别（应为 已揽收 运输中 已到达 派送中 已签收 滞留 已退回）",
    ),
    "problem.waybill_time": ("a time as 2026-12-07 14:30", "时间格式应为 2026-12-07 14:30"),
    # CSV uploads: a bad row is named by line and column
    "csv.at": ("Line {line}, column {column}", "第 {line} 行，第 {column} 列"),
    "problem.extra_column": ("more columns than expected", "列数多于预期"),
    "problem.no_rows": ("the file has no rows", "文件中没有数据行"),
    "problem.encoding": (
        "not a UTF-8 or GB18030 text file",
        "不是 UTF-8 或 GB18030 编码的文本文件",
    ),
    "problem.too_many_rows": ("too many rows in one file", "单个文件行数过多"),
}

# the ticket limits form names its fields by category: first_<category>, second_<category>
_CATEGORIES = {
    "delay": ("Delay", "延误"),
    "damage": ("Damage", "货损"),
    "loss": ("Loss", "丢失"),
    "attitude": ("Staff attitude", "服务态度"),
    "billing": ("Billing", "费用"),
    "other": ("Other", "其他"),
}
for _category, (_english, _chinese) in _CATEGORIES.items():
    FOLLOW_UP_MESSAGES[f"field.first_{_category}"] = (
        f"{_english}: to the shift lead after (hours)",
        f"{_chinese}：升级至班长时限（小时）",
    )
    FOLLOW_UP_MESSAGES[f"field.second_{_category}"] = (
        f"{_english}: to the manager after (hours)",
        f"{_chinese}：升级至经理时限（小时）",
    )
