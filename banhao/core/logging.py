"""Log filters: mask resident ID numbers and phone numbers; add the request id."""

import logging

from .context import current_request_id
from .masking import mask_text


class MaskIdentifiersFilter(logging.Filter):
    """Rewrites the message so no full resident ID or mobile number reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it for logging to report
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        # Tracebacks carry values too (a unique violation names the duplicate ID number).
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True
