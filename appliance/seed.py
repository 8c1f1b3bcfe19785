"""The call handling a new database starts with: a believable depot's queues and menu (1 货物查询
cargo tracking, 2 下单 orders, 3 投诉 complaints), every call recorded for 质检 and kept for the
queue's retention (90 days). Production starts with no agents and
Mon–Sat 08:00–20:00 hours; the demo adds agents, a VIP, a blacklisted number and is always open."""

from __future__ import annotations

from appliance.engine.setup import (
    Agent,
    DepotSetup,
    Menu,
    MenuOption,
    OpeningHours,
    Overflow,
    OverflowKind,
    Queue,
    Strategy,
    Tier,
)
from appliance.store import NewUser, Role

WORKDAY = ((8 * 60, 20 * 60),)
MON_TO_SAT = (WORKDAY,) * 6 + ((),)

DEMO_VIP = ("13900000001", "王总 (VIP)")
DEMO_BLACKLISTED = ("17000000000", "骚扰电话")
DEMO_CALLERS = (
    ("13800138000", "张伟"),
    ("13912345678", "李娜"),
    ("13600001111", "刘洋"),
    ("13700002222", "陈静"),
    ("15800003333", "杨帆"),
    ("18600004444", "赵磊"),
    ("15000005555", "黄敏"),
    ("13300006666", "周强"),
    ("02155550123", "上海申通物流"),
    ("01066668888", "北京顺达商贸"),
    ("", ""),  # caller ID withheld
    DEMO_VIP,
    DEMO_BLACKLISTED,
)

# The depot's tracking export as a new demo database starts with it ({yesterday} and {today}
# are dates in the depot's time zone); the demo's callers key these numbers in 货物查询.
DEMO_TRACKING_EXPORT = """运单号,状态,地点,时间
SF1234567890,运输中,上海转运中心,{yesterday} 21:10
SF2233445566,派送中,上海浦东新区营业部,{today} 08:40
YT9876543210,已签收,杭州西湖区,{yesterday} 18:02
ZT5550001111,已揽收,北京朝阳区网点,{today} 07:55
JD8000123456,滞留,南京转运中心,{yesterday} 16:30
SF9988776655,已退回,广州白云区营业部,{yesterday} 11:20
"""
DEMO_WAYBILLS = tuple(row.split(",")[0] for row in DEMO_TRACKING_EXPORT.splitlines()[1:])

# (agent id 工号, name, PIN, skills)
DEMO_AGENTS = (
    ("1001", "王芳", "1234", (("cargo", Tier.GENERAL), ("orders", Tier.GENERAL))),
    ("1002", "李强", "2345", (("cargo", Tier.GENERAL), ("orders", Tier.SKILLED))),
    ("1003", "张丽", "3456", (("cargo", Tier.SKILLED), ("complaints", Tier.GENERAL))),
    ("1004", "刘军", "4567", (("orders", Tier.GENERAL), ("cargo", Tier.SKILLED))),
    ("1005", "陈红", "5678", (("complaints", Tier.SKILLED), ("cargo", Tier.EXPERT))),
    ("2001", "赵敏 (班长)", "6789", (("complaints", Tier.LEAD), ("orders", Tier.LEAD))),
)
DEMO_SUPERVISOR = ("9001", "孙主管", "admin-demo")  # the box's admin
# Agents whose id starts with 2 are shift leads (班长): supervisors on the web and in the engine.
DEMO_LEAD_PREFIX = "2"

# A starter 话术/FAQ tree: (title, body, children).
DemoScript = tuple[str, str, tuple["DemoScript", ...]]
DEMO_SCRIPTS: tuple[DemoScript, ...] = (
    (
        "开场白与结束语",
        "您好，这里是客服中心，工号 XXXX 为您服务，请问有什么可以帮您？",
        (
            ("结束语", "感谢您的来电，祝您生活愉快，再见！", ()),
            ("客户情绪激动", "非常理解您的心情，请您放心，我会尽力帮您处理。", ()),
        ),
    ),
    (
        "货物查询",
        "请提供运单号（12 位数字）或寄件人手机号，我为您查询。",
        (
            ("运单号格式", "运单号为 12 位数字，印在运单右上角。", ()),
            ("延误说明", "受天气或交通影响，货物可能延误 1–2 天，我们会优先为您跟进。", ()),
        ),
    ),
    (
        "下单与预约",
        "请告诉我取货地址、货物重量和体积，以及期望的取货时间。",
        (("收费标准", "按重量与距离计费，起步价 10 元，具体以系统报价为准。", ()),),
    ),
    (
        "投诉处理",
        "先致歉并记录投诉类别与责任部门，告知客户 24 小时内回复，超时由班长跟进。",
        (("货损投诉", "请客户保留外包装并拍照，我们安排理赔专员联系。", ()),),
    ),
)


def _queues(*, waybill_self_service: bool = False) -> tuple[Queue, ...]:
    callback = Overflow(OverflowKind.CALLBACK)
    return (
        Queue(
            "cargo",
            "货物查询",
            "Cargo tracking",
            waybill_self_service=waybill_self_service,
            record_calls=True,  # 质检 draws its calls from the recordings
            strategy=Strategy.LONGEST_IDLE,
            wrap_up_s=20.0,
            max_wait_s=240.0,
            overflow=Overflow(OverflowKind.QUEUE, target_queue="orders"),
        ),
        Queue(
            "orders",
            "下单",
            "Orders",
            record_calls=True,  # 质检 draws its calls from the recordings
            strategy=Strategy.ROUND_ROBIN,
            wrap_up_s=30.0,
            max_wait_s=300.0,
            overflow=callback,
        ),
        Queue(
            "complaints",
            "投诉",
            "Complaints",
            record_calls=True,  # 质检 draws its calls from the recordings
            strategy=Strategy.FEWEST_CALLS,
            wrap_up_s=45.0,
            max_wait_s=300.0,
            overflow=Overflow(OverflowKind.VOICEMAIL),
            talk_time_limit_s=480.0,
            survey=True,
        ),
    )


def _menu() -> Menu:
    return Menu(
        greeting_prompt="greeting",
        options=(
            MenuOption("1", "cargo", "menu_cargo"),
            MenuOption("2", "orders", "menu_orders"),
            MenuOption("3", "complaints", "menu_complaints"),
        ),
        default_queue="cargo",
    )


def production_setup() -> DepotSetup:
    """A new box: the depot's queues and menu, Mon–Sat 08:00–20:00, agents added on the web."""
    return DepotSetup(
        queues=_queues(),
        agents=(),
        menu=_menu(),
        hours=OpeningHours(timezone="Asia/Shanghai", weekly=MON_TO_SAT),
    )


def demo_setup(
    timezone: str = "Asia/Shanghai", *, waybill_self_service: bool = False
) -> DepotSetup:
    """The demo depot. Always open, so the demo shows calls whenever it is run (the depot's
    real hours, Mon–Sat 08:00–20:00, are kept in `weekly` for the settings page). With
    `waybill_self_service` (as `depotline demo` runs it) 货物查询 callers key a waybill number
    first and hear its status from the tracking export."""
    return DepotSetup(
        queues=_queues(waybill_self_service=waybill_self_service),
        agents=tuple(
            Agent(agent_id, name, skills=skills, supervisor=agent_id.startswith(DEMO_LEAD_PREFIX))
            for agent_id, name, _pin, skills in DEMO_AGENTS
        ),
        menu=_menu(),
        hours=OpeningHours(timezone=timezone, weekly=MON_TO_SAT, always_open=True),
        vip_numbers=(DEMO_VIP[0],),
        blacklist=(DEMO_BLACKLISTED[0],),
    )


def demo_users() -> tuple[NewUser, ...]:
    """The demo's agents with their PINs (for keypad login), the 班长 as supervisors, and its
    admin, created at the demo database's first start."""
    agents = tuple(
        NewUser(
            agent_id,
            name,
            Role.SUPERVISOR if agent_id.startswith(DEMO_LEAD_PREFIX) else Role.AGENT,
            f"agent{agent_id}",
            pin,
        )
        for agent_id, name, pin, _skills in DEMO_AGENTS
    )
    supervisor_id, name, password = DEMO_SUPERVISOR
    return (*agents, NewUser(supervisor_id, name, Role.ADMIN, password))
