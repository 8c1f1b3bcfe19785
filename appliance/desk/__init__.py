"""The back office the web UI and the CLI's admin verbs call: `open_desk` gives the DeskService,
with one small service per domain over the store (records, tasks, tickets, scripts, notices,
quality checks, settings, reports, restore)."""

from __future__ import annotations

from appliance.desk.audit import SignedIn
from appliance.desk.forms import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_DEPARTMENTS,
    RECORD_KINDS,
    FormError,
)
from appliance.desk.notices import HandoverEntry, Notice
from appliance.desk.quality import QUALITY_CRITERIA, QualityCheck, RecordedCall
from appliance.desk.records import Customer, DeskRecord, HistoryEntry, ScreenPop
from appliance.desk.reports import PERIOD_DAYS
from appliance.desk.restore import RestoreRefused, StagedRestore
from appliance.desk.scripts import Script
from appliance.desk.service import DeskService, SystemStatus, open_desk
from appliance.desk.sessions import (
    LOGIN_FAILURES_ALLOWED,
    LOGIN_WINDOW_S,
    SESSION_IDLE_S,
    DeskError,
    LoginThrottled,
)
from appliance.desk.ticket_limits import ESCALATE_AFTER_S, ESCALATION_LEVELS
from appliance.store import Role, User, is_keypad_pin
from appliance.store.audit import AuditEntry
from appliance.store.tickets import Ticket, TicketStep

__all__ = [
    "COMPLAINT_CATEGORIES",
    "COMPLAINT_DEPARTMENTS",
    "ESCALATE_AFTER_S",
    "ESCALATION_LEVELS",
    "LOGIN_FAILURES_ALLOWED",
    "LOGIN_WINDOW_S",
    "PERIOD_DAYS",
    "QUALITY_CRITERIA",
    "RECORD_KINDS",
    "SESSION_IDLE_S",
    "AuditEntry",
    "Customer",
    "DeskError",
    "DeskRecord",
    "DeskService",
    "FormError",
    "HandoverEntry",
    "HistoryEntry",
    "LoginThrottled",
    "Notice",
    "QualityCheck",
    "RecordedCall",
    "RestoreRefused",
    "Role",
    "ScreenPop",
    "Script",
    "SignedIn",
    "StagedRestore",
    "SystemStatus",
    "Ticket",
    "TicketStep",
    "User",
    "is_keypad_pin",
    "open_desk",
]
