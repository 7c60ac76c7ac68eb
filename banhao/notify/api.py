"""What other apps may use of notify: sending a message (site or SMS) through the outbox.

    from banhao.notify.api import message_send, SITE, SMS
    message_send(recipient=user.pk, channel=SITE, title="申请已受理", text="…", dedupe_key="…", link="/…")
    message_send(recipient="13800000001", channel=SMS, text="…", dedupe_key="…")

Call it inside the transaction of the change the message is about. notify knows nothing of
the apps that call it: the wording is theirs.
"""

from .services import SITE, SMS, MessageInfo, failed_count, message_send, unread_count

__all__ = ["SITE", "SMS", "MessageInfo", "failed_count", "message_send", "unread_count"]
