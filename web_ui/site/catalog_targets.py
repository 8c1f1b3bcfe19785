"""The targets and rankings pages' messages: key → (English, 简体中文), joined into the
site's catalog."""

from __future__ import annotations

TARGET_MESSAGES: dict[str, tuple[str, str]] = {
    "nav.targets": ("Answer targets", "接听指标"),
    "nav.rankings": ("Rankings", "评比排名"),
    "targets.month_of": ("Month of", "所在月份"),
    "targets.by_tier": ("Calls a month per tier", "按技能等级的月接听指标"),
    "targets.progress": ("Progress this month", "本月完成进度"),
    "targets.own": ("Own target", "个人指标"),
    "targets.target": ("Target", "指标"),
    "targets.answered": ("Answered", "已接听"),
    "targets.done": ("Done", "完成率"),
    "targets.none": ("no target set", "未设定指标"),
    "targets.source_agent": ("own", "个人"),
    "targets.source_tier": ("tier", "按等级"),
    "targets.explain": (
        "An agent's own target wins over their tier's (the highest tier among their queues); "
        "answered calls are inbound calls the agent talked to in the calendar month.",
        "个人指标优先于技能等级指标（取其所在队列中的最高等级）；已接听为本自然月内该座席接通的来电。",
    ),
    "rank.week": ("Star of the week (周之星)", "周之星"),
    "rank.month": ("Golden microphone (金话筒)", "金话筒"),
    "rank.period_of": ("Period of", "所在周期"),
    "rank.place": ("Place", "名次"),
    "rank.score": ("Score", "得分"),
    "rank.formula": ("How the score is made", "计算公式"),
    "rank.no_data": (
        "A figure with no data in the period (—) counts 0.",
        "本期无数据的指标（—）按 0 分计。",
    ),
    "rank.kept": ("Announced", "已公布"),
    "rank.announce": ("Keep and announce", "保存并公布"),
    "rank.announce_explain": (
        "keeps this ranking for the period and puts the winner on the LED ticker and the "
        "wallboard page",
        "保存本期排名，并在 LED 滚动条和大屏页面公布第一名",
    ),
    "rank.weights": ("Weights", "权重"),
    "rank.history": ("Kept rankings", "历史评比"),
    "rank.period": ("Period", "周期"),
    "rank.winner": ("Winner", "获奖者"),
    "rank.fig.answered": ("Answered calls", "接听量"),
    "rank.fig.quality": ("质检 score", "质检得分"),
    "rank.fig.satisfaction": ("Satisfaction", "满意度"),
    "rank.fig.tickets": ("Tickets on time", "工单处理及时率"),
    "rank.fig.callbacks": ("Callbacks on time", "回访及时率"),
    "rank.fig.adherence": ("Login adherence", "签入遵从率"),
    "rank.scale.answered": (
        "answered calls ÷ the most any agent answered in the period × 100",
        "接听量 ÷ 本期最高接听量 × 100",
    ),
    "rank.scale.quality": (
        "mean 质检 total of the period's calls, as a percentage of the form's points",
        "本期通话质检总分的平均值（占评分表满分的百分比）",
    ),
    "rank.scale.satisfaction": (
        "mean post-call survey score (1–5) ÷ 5 × 100",
        "通话后满意度评分（1–5）平均值 ÷ 5 × 100",
    ),
    "rank.scale.tickets": (
        "share of the agent's complaint tickets closed within 24 hours",
        "该座席登记的投诉工单在 24 小时内办结的比例",
    ),
    "rank.scale.callbacks": (
        "share of callback tasks done within 3 days (for the agent of the last attempt; "
        "an assigned task left undone counts late)",
        "回访任务在 3 天内完成的比例（计入最后一次回访的座席；已分派未完成的计为超时）",
    ),
    "rank.scale.adherence": (
        "share of the period's scheduled roster time spent logged in",
        "本期排班时间内处于签入状态的比例",
    ),
    "period.month_to_date": ("Month so far", "本月至今"),
    "reports.day_in_period": ("A day of the period", "所在日期"),
    "reports.satisfaction": ("Satisfaction", "满意度"),
    "reports.records": ("Records, tickets and callbacks", "工单记录、投诉与回访"),
    "reports.tickets_on_time": ("Tickets closed within 24 h", "工单处理及时率（24 小时内办结）"),
    "reports.callbacks_on_time": ("Callbacks done within 3 days", "回访及时率（3 天内完成）"),
    "reports.first_contact": (
        "Resolved at first contact (no repeat call within)",
        "首问解决率（此时限内无重复来电）",
    ),
    "reports.outbound": ("Outbound calls", "外呼"),
    "reports.tickets": ("Tickets", "工单数"),
    "reports.survey_mean": ("Mean score (1–5)", "平均分（1–5）"),
    "reports.survey_4_5": ("Scored 4 or 5", "4–5 分占比"),
    "reports.survey_responses": ("Responses / answered calls", "评价数 / 接听数"),
    "reports.survey_rate": ("Response rate", "参评率"),
    "field.target": ("Target", "指标"),
    "field.weight": ("Weight", "权重"),
    "field.kind": ("Award", "评比"),
    "problem.all_zero": ("at least one weight above 0", "至少一项权重大于 0"),
    "problem.nothing_to_rank": ("nobody scored in this period", "本期无人得分"),
}
