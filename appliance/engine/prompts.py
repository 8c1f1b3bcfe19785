"""The caller prompts by name, with what each says in Mandarin and English, and how numbers
are spoken from digit prompts. The engine emits these names in PlayPrompt; the prompt set
(generated offline, replaceable by recorded WAV files of the same name) supplies the audio."""

from __future__ import annotations

LANGUAGES = ("zh-CN", "en")

# name: (Mandarin, English)
PROMPT_TEXTS: dict[str, tuple[str, str]] = {
    "greeting": ("您好，欢迎致电客服中心。", "Hello, thank you for calling the service centre."),
    "menu_cargo": ("货物查询请按1。", "For cargo tracking, press 1."),
    "menu_orders": ("下单请按2。", "To place an order, press 2."),
    "menu_complaints": ("投诉请按3。", "For complaints, press 3."),
    "menu_language": ("For English, press 9.", "For English, press 9."),
    "menu_invalid": ("输入有误，请重新选择。", "Sorry, that is not an option."),
    "please_hold": ("正在为您转接，请稍候。", "Please hold while we connect you."),
    "position_is": ("您前面还有", "You are number"),
    "in_line": ("位客户在等候。", "in line."),
    "next_in_line": ("您是下一位。", "You are next in line."),
    "wait_about": ("预计等候时间约", "Your estimated wait is about"),
    "minutes": ("分钟。", "minutes."),
    "less_than_a_minute": ("预计等候时间不到一分钟。", "Your estimated wait is under a minute."),
    # followed by the queue's virtual-hold key (key_prompts)
    "virtual_hold_press": (
        "如需保留排队位置并等待回电，请按",
        "To keep your place in line and be called back, press",
    ),
    "key_star": ("星号键。", "star."),
    "key_hash": ("井号键。", "hash."),
    "callback_confirmed": (
        "我们已记录您的号码，将尽快回电。再见。",
        "We have your number and will call you back soon. Goodbye.",
    ),
    "closed": (
        "现在是非工作时间，请在工作时间再来电。再见。",
        "We are closed now. Please call again during opening hours. Goodbye.",
    ),
    "all_busy": (
        "座席全忙，请在提示音后留言，按井号键结束。",
        "All our agents are busy. Please leave a message after the tone and press hash.",
    ),
    "voicemail_saved": (
        "您的留言已保存，谢谢。再见。",
        "Your message is saved. Thank you. Goodbye.",
    ),
    "sorry_try_later": ("抱歉，请稍后再拨。再见。", "Sorry, please call again later. Goodbye."),
    "survey": (
        "请为本次服务评分，非常满意请按5，非常不满意请按1。",
        "Please rate our service from 1 to 5, where 5 is very satisfied.",
    ),
    "survey_thanks": ("感谢您的评价，再见。", "Thank you for your rating. Goodbye."),
    "login_enter_agent": ("请输入工号，以井号键结束。", "Enter your agent number, then hash."),
    "login_enter_pin": ("请输入密码，以井号键结束。", "Enter your PIN, then hash."),
    "login_ok": ("登录成功。", "You are logged in."),
    "login_failed": ("工号或密码错误。", "Wrong agent number or PIN."),
    "logged_out": ("已退出登录。", "You are logged out."),
    # the waybill self-service (appliance/engine/self_service.py)
    "waybill_enter": (
        "请输入运单号码，以井号键结束。",
        "Please key your waybill number, then hash.",
    ),
    "waybill_unknown": (
        "没有查到这个运单，正在为您转接人工服务。",
        "We could not find that waybill. Connecting you to an agent.",
    ),
    "waybill_status_is": ("您的货物", "Your shipment is"),
    "waybill_place_is": ("当前位置，", "Its place:"),
    "waybill_place_other": ("请咨询人工。", "an agent can tell you."),
    "waybill_time_is": ("更新时间，", "Updated"),
    # the time in Mandarin (appliance/engine/spoken_time.py): 十二月六日十五点五分
    "time_month": ("月", "month"),
    "time_day": ("日", "day"),
    "time_hour": ("点", "o'clock"),
    "time_minute": ("分。", "minutes."),
    # the time in English: "at three oh five p.m. on the sixth of December"; Mandarin callers
    # never hear these, their Mandarin texts only keep the prompt set whole
    "time_at": ("于", "at"),
    "time_oh": ("零", "oh"),
    "time_am": ("上午", "a.m."),
    "time_pm": ("下午", "p.m."),
    "time_noon": ("中午", "noon"),
    "time_midnight": ("午夜", "midnight"),
    "date_today": ("今天。", "today."),
    "date_yesterday": ("昨天。", "yesterday."),
    "date_on_the": ("于", "on the"),
    "date_of": ("的", "of"),
    "waybill_agent_key": ("转人工服务请按0。", "For an agent, press 0."),
}

# one piece per status code of the tracking export (appliance/desk/tracking_export.py), and
# "other" for a status without its own piece
WAYBILL_STATUS_TEXTS = {
    "received": ("已揽收。", "received."),
    "in_transit": ("运输中。", "in transit."),
    "arrived": ("已到达。", "at the depot."),
    "out_for_delivery": ("派送中。", "out for delivery."),
    "delivered": ("已签收。", "delivered."),
    "held": ("滞留。", "held."),
    "returned": ("已退回。", "returned."),
    "other": ("状态请咨询人工。", "in a state an agent can explain."),
}
for _code, _texts in WAYBILL_STATUS_TEXTS.items():
    PROMPT_TEXTS[f"waybill_status_{_code}"] = _texts

_DIGITS_ZH = "零一二三四五六七八九"
_ONES_EN = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")  # fmt: skip
_ORDINALS_EN = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
                "sixteenth", "seventeenth", "eighteenth", "nineteenth")  # fmt: skip
_TENS_EN = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

# Number prompts are shared words: "num_<n>" for 0–19 and the tens, plus "num_hundred".
# Mandarin also needs "num_ten" (十) and "num_hundred" (百); English uses the same names.
for _n in range(20):
    PROMPT_TEXTS[f"num_{_n}"] = (
        _DIGITS_ZH[_n] if _n < 10 else ("十" + (_DIGITS_ZH[_n - 10] if _n > 10 else "")),
        _ONES_EN[_n],
    )
for _i, _word in enumerate(_TENS_EN, start=2):
    PROMPT_TEXTS[f"num_{_i * 10}"] = (_DIGITS_ZH[_i] + "十", _word)
PROMPT_TEXTS["num_hundred"] = ("百", "hundred")
# English dates: "month_12" December, "ord_6" sixth; "ord_21" is "num_20" + "ord_1"
for _m, _month in enumerate(_MONTHS_EN, start=1):
    PROMPT_TEXTS[f"month_{_m}"] = (PROMPT_TEXTS[f"num_{_m}"][0] + "月", _month)
for _n, _ordinal in enumerate(_ORDINALS_EN, start=1):
    PROMPT_TEXTS[f"ord_{_n}"] = ("第" + PROMPT_TEXTS[f"num_{_n}"][0], _ordinal)
PROMPT_TEXTS["ord_20"] = ("第二十", "twentieth")
PROMPT_TEXTS["ord_30"] = ("第三十", "thirtieth")

MAX_SPOKEN_NUMBER = 999


def key_prompts(key: str, language: str) -> tuple[str, ...]:
    """The prompt names that say a phone key: "0"–"9", "*" or "#"."""
    if key == "*":
        return ("key_star",)
    if key == "#":
        return ("key_hash",)
    return number_prompts(int(key), language)


def number_prompts(n: int, language: str) -> tuple[str, ...]:
    """The prompt names that speak `n` (0–999; larger values are spoken as 999)."""
    n = max(0, min(n, MAX_SPOKEN_NUMBER))
    if n < 20:
        return (f"num_{n}",)
    hundreds, rest = divmod(n, 100)
    parts: list[str] = []
    if hundreds:
        parts += [f"num_{hundreds}", "num_hundred"]
        if rest == 0:
            return tuple(parts)
        if rest < 10 and language == "zh-CN":
            parts.append("num_0")  # 一百零五
    if rest < 20:
        return (*parts, f"num_{rest}")
    tens, ones = divmod(rest, 10)
    parts.append(f"num_{tens * 10}")
    if ones:
        parts.append(f"num_{ones}")
    return tuple(parts)
