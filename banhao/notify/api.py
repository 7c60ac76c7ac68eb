"""What other apps may use of notify: telling an applicant about a step of their case."""

from .services import notify_case_event, unread_count

__all__ = ["notify_case_event", "unread_count"]
