"""All models, importable from one place."""
from .core import ROLES, ApiToken, AuditLog, Tenant, User, hash_token
from .types import Money, UTCDateTime, utcnow

__all__ = ["ROLES", "ApiToken", "AuditLog", "Tenant", "User", "hash_token", "Money", "UTCDateTime", "utcnow"]
