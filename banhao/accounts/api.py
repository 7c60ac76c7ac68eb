"""What other apps may use of accounts: texting a person (through the configured SMS gateway).

``send_sms`` sends at once (verification codes); ``sms_deliver`` is the outbox's call, which
raises on failure and passes the message id the gateway de-duplicates on (see accounts.sms).
"""

from .sms import send_sms, sms_deliver

__all__ = ["send_sms", "sms_deliver"]
