"""All models, importable from one place."""

from .advice import ADVICE_SOURCES, ADVICE_STATUSES, CostAdvice
from .alerts import ALERT_KINDS, BudgetAlert, BudgetAlertRecipient, BudgetWatch
from .core import ROLES, ApiToken, AuditLog, Tenant, User, UserSession, hash_token
from .finops import (
    BUDGET_SCOPE_ALL,
    CATEGORIES,
    CHARGE_BY_NAME,
    CHARGE_CATEGORIES,
    NEGATIVE_CHARGES,
    SERVICES,
    Budget,
    CostEntry,
    CostMonthlyTotal,
    Server,
    ServerMetric,
    local_code_date,
    new_cost_code,
)
from .imports import IMPORT_KINDS, IMPORT_STATUSES, ImportBatch
from .notices import NOTICE_KINDS, Notice  # noqa: F401
from .reports import REPORT_STATUSES, SR_PRIORITIES, SR_STATUSES, SR_TYPES, Report, ServiceRequest
from .schedules import EmailDelivery, ReportSchedule, ScheduleRun  # noqa: F401
from .types import Money, UTCDateTime, utcnow

__all__ = [
    "ADVICE_SOURCES",
    "ADVICE_STATUSES",
    "CostAdvice",
    "ALERT_KINDS",
    "BudgetAlert",
    "BudgetAlertRecipient",
    "BudgetWatch",
    "ROLES",
    "ApiToken",
    "AuditLog",
    "Tenant",
    "User",
    "UserSession",
    "hash_token",
    "BUDGET_SCOPE_ALL",
    "CATEGORIES",
    "CHARGE_BY_NAME",
    "CHARGE_CATEGORIES",
    "NEGATIVE_CHARGES",
    "SERVICES",
    "Budget",
    "CostEntry",
    "CostMonthlyTotal",
    "Server",
    "ServerMetric",
    "IMPORT_KINDS",
    "IMPORT_STATUSES",
    "ImportBatch",
    "new_cost_code",
    "local_code_date",
    "REPORT_STATUSES",
    "SR_PRIORITIES",
    "SR_STATUSES",
    "SR_TYPES",
    "Report",
    "ServiceRequest",
    "Money",
    "UTCDateTime",
    "utcnow",
]
