"""Context variables that carry request facts into services and log records."""

from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")
current_request_ip: ContextVar[str | None] = ContextVar("current_request_ip", default=None)
