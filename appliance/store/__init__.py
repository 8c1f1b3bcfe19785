"""The only code that touches SQLite: schema, migrations, queue log, call records, tasks."""

from appliance.store.devices import Fault
from appliance.store.errors import StoreError
from appliance.store.first_start import NewUser
from appliance.store.report_days import ReportDay
from appliance.store.store import Store
from appliance.store.tasks import CallbackAttempt, CallbackTask
from appliance.store.users import (
    AGENT_ID_MAX_DIGITS,
    PIN_MAX_DIGITS,
    PIN_MIN_DIGITS,
    Role,
    User,
    is_agent_id,
    is_keypad_pin,
)

__all__ = [
    "AGENT_ID_MAX_DIGITS",
    "PIN_MAX_DIGITS",
    "PIN_MIN_DIGITS",
    "CallbackAttempt",
    "CallbackTask",
    "Fault",
    "NewUser",
    "ReportDay",
    "Role",
    "Store",
    "StoreError",
    "User",
    "is_agent_id",
    "is_keypad_pin",
]
