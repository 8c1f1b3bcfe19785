"""The 质检 pages' messages: key → (English, 简体中文), joined into the site's catalog."""

from __future__ import annotations

QUALITY_MESSAGES: dict[str, tuple[str, str]] = {
    "nav.quality": ("Quality checks", "质检"),
    "nav.my_quality": ("My targets and scores", "我的考核"),
    "quality.month": ("Month", "月份"),
    "quality.plan": ("Form", "评分表"),
    "quality.per_agent_month": ("calls checked per agent a month", "每人每月抽检通话数"),
    "quality.edit_form": ("Edit the form and sampling plan", "编辑评分表与抽检计划"),
    "quality.form_explain": (
        "Each item's points are the most a call can score on it; together they make 100. "
        "An empty name removes the row. The sampling plan draws this many recorded calls "
        "per agent each month for the to-do list.",
        "每项分值为该项满分，合计 100 分；名称留空即删除该行。"
        "抽检计划每月为每位座席从录音中抽取此数量的通话列入待检清单。",
    ),
    "quality.to_do": ("To check (drawn by the sampling plan)", "待检清单（按抽检计划抽取）"),
    "quality.summary": ("Monthly summary per agent", "座席月度质检汇总"),
    "quality.summary_explain": (
        "Mean and lowest are percentages of the form's points; recorded calls are those the "
        "draw could take this month.",
        "平均分与最低分为占评分表满分的百分比；录音通话数为本月可抽检的通话。",
    ),
    "quality.name": ("Name", "姓名"),
    "quality.planned": ("Planned", "计划抽检"),
    "quality.recorded": ("Recorded calls", "录音通话"),
    "quality.checked": ("Checked", "已质检"),
    "quality.mean": ("Mean score", "平均分"),
    "quality.lowest": ("Lowest", "最低分"),
    "quality.appeals": ("Appeals", "申诉"),
    "quality.open_appeals": ("Appeals waiting for an answer", "待答复的申诉"),
    "quality.total": ("Total", "总分"),
    "quality.checked_call": ("Call checked", "被检通话"),
    "quality.given": ("Points given", "得分"),
    "quality.reason": ("Appeal", "申诉理由"),
    "quality.answer": ("Answer", "答复"),
    "quality.appeal": ("Appeal (once per check)", "申诉（每次质检限一次）"),
    "quality.appeal_waiting": ("Waiting for the checker's answer", "等待质检员答复"),
    "field.item_name": ("Item", "评分项"),
    "field.item_points": ("Points", "分值"),
    "field.checks_per_agent_month": ("Calls checked per agent a month", "每人每月抽检通话数"),
    "field.comment": ("Comment", "评语"),
    "field.answer": ("Answer", "答复"),
    "field.check_id": ("Check", "质检记录"),
    "field.month": ("Month", "月份"),
    "field.day": ("Day", "日期"),
    "problem.invalid": ("not a valid value", "无效的值"),
    "problem.duplicate_item": ("two items have the same name", "评分项名称重复"),
    "problem.points_total": ("the items' points must add up to 100", "各项分值合计必须为 100"),
    "problem.appealed_already": ("this check has had its one appeal", "该质检已申诉过一次"),
    "problem.answered_already": ("this appeal is answered already", "该申诉已答复"),
    "recording.no_folder": (
        "Cannot play: no recordings folder is set ([depot] recordings_dir)",
        "无法播放：未设置录音目录（[depot] recordings_dir）",
    ),
    "recording.expired": (
        "Cannot play: deleted after the queue's retention",
        "无法播放：已超过队列的录音保留期并被删除",
    ),
    "recording.missing": (
        "Cannot play: the file was never written (the line's media bridge did not record it)",
        "无法播放：录音文件未生成（该线路的媒体桥未录音）",
    ),
    "recording.outside": (
        "Cannot play: the file lies outside the recordings folder",
        "无法播放：文件不在录音目录内",
    ),
    "recording.failed": (
        "Cannot play: the browser could not load this recording",
        "无法播放：浏览器无法加载此录音",
    ),
    **{
        f"field.points_{row}": (f"Points (item {row + 1})", f"得分（第 {row + 1} 项）")
        for row in range(12)
    },
}
