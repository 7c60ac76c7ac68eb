"""What other apps may use of accounts: texting a person (through the configured SMS gateway)."""

from .sms import send_sms

__all__ = ["send_sms"]
