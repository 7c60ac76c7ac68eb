"""Generic messages through an outbox: a site message (站内消息) or an SMS, to anyone.

``message_send`` is called inside the transaction of the change that causes the message (a
case step, a ticket, a booking). It writes one ``Message`` row whose ``dedupe_key`` is unique,
so the same key twice is one message, and in the same transaction:

- a site message is delivered at once: the inbox row (``Notification``) is ours, so writing it
  in that transaction is already exactly once and survives any crash;
- an SMS gets a delivery task (django-tasks, database backend). If the transaction rolls back,
  neither the message nor its task exists; once it commits, both do, whatever happens to the
  process that made them.

A ``db_worker`` runs ``message_deliver``: it claims the message (sending, with the time of the
claim), calls the gateway with the dedupe key as the message id, then marks it sent. A failure
puts it back to pending with a later attempt (exponential backoff, a new task with run_after);
after BANHAO_OUTBOX_MAX_ATTEMPTS it is failed for good and shown to administrators. A worker
killed after its claim leaves the message "sending": once the lease has run out, the task runs
again (the scheduler makes stale tasks ready) and sends under the same id, which the gateway
de-duplicates on (the contract in banhao.accounts.sms). ``outbox_sweep`` re-enqueues any
message whose task is gone.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from banhao.core.audit import audit_record
from banhao.core.masking import mask_phone

from .models import Message, Notification

logger = logging.getLogger("banhao.notify")

SITE = Message.Channel.SITE
SMS = Message.Channel.SMS
S = Message.Status


@dataclass(frozen=True)
class MessageInfo:
    id: int
    dedupe_key: str
    channel: str
    status: str
    created: bool  # False: the key was used before and this is that earlier message


def _info(message: Message, created: bool) -> MessageInfo:
    return MessageInfo(message.pk, message.dedupe_key, message.channel, message.status, created)


def _enqueue(dedupe_key: str, run_after: dt.datetime | None = None) -> str:
    from .tasks import message_deliver

    task = message_deliver.using(run_after=run_after) if run_after else message_deliver
    return str(task.enqueue(dedupe_key).id)


@transaction.atomic
def message_send(
    *, recipient: int | str, channel: str, text: str, dedupe_key: str, title: str = "", link: str = ""
) -> MessageInfo:
    """Sends ``text`` to ``recipient`` on ``channel`` once per ``dedupe_key``.

    - ``channel="site"``: ``recipient`` is an account id; ``title`` is required; ``link`` is a
      local path the message opens (查看详情).
    - ``channel="sms"``: ``recipient`` is a phone number; the gateway's signature is added.

    Call it inside your transaction: the message exists exactly when your change commits.
    Bad arguments raise ValidationError (a caller's bug; nothing is written).
    """
    dedupe_key = (dedupe_key or "").strip()
    text = (text or "").strip()
    if not dedupe_key or len(dedupe_key) > 120:
        raise ValidationError("消息去重键不能为空，且不超过120个字符。")
    if not text:
        raise ValidationError("消息内容不能为空。")
    if channel == SITE:
        if isinstance(recipient, bool) or not isinstance(recipient, int):
            raise ValidationError("站内消息的接收人应为账户编号。")
        if not title.strip():
            raise ValidationError("站内消息需要标题。")
        if link and (not link.startswith("/") or link.startswith("//")):
            raise ValidationError("站内消息的链接应为本站地址。")
        to = {"user_id": recipient}
    elif channel == SMS:
        phone = str(recipient).strip().replace(" ", "").replace("-", "")
        if not (phone.lstrip("+").isdigit() and 5 <= len(phone) <= 20):
            raise ValidationError("短信的接收人应为手机号码。")
        to = {"phone": phone}
    else:
        raise ValidationError(f"未知的消息渠道：{channel}。")

    existing = Message.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return _info(existing, False)
    now = timezone.now()
    try:
        with transaction.atomic():
            message = Message(
                dedupe_key=dedupe_key,
                channel=channel,
                title=title.strip()[:100],
                text=text,
                link=link,
                next_attempt_at=now,
                **to,
            )
            if channel == SITE:
                message.status, message.attempts, message.sent_at = S.SENT, 1, now
            else:
                message.task_id = _enqueue(dedupe_key)
            message.save()
    except IntegrityError:  # another transaction used the key between our look and our insert
        existing = Message.objects.filter(dedupe_key=dedupe_key).first()
        if existing is None:
            raise
        return _info(existing, False)
    if channel == SITE:
        Notification.objects.create(
            user_id=recipient, message=message, title=message.title, body=text, link=link
        )
    return _info(message, True)


# --- delivery (the worker) ------------------------------------------------------------------


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.BANHAO_OUTBOX_LEASE_SECONDS)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failure: BACKOFF x 2^(attempts-1), capped."""
    seconds = settings.BANHAO_OUTBOX_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.BANHAO_OUTBOX_BACKOFF_MAX_SECONDS))


def message_deliver(*, dedupe_key: str) -> str:
    """One delivery attempt of an SMS (what the task runs). Returns what happened: sent, retry,
    failed, or why nothing was done (missing, sent/failed already, busy: another worker holds
    a live claim, early: a retry is queued for later, superseded: our claim ran out and
    another worker took the message over)."""
    from banhao.accounts.api import sms_deliver

    with transaction.atomic():
        message = Message.objects.select_for_update().filter(dedupe_key=dedupe_key).first()
        if message is None:
            return "missing"
        now = timezone.now()
        if message.status in (S.SENT, S.FAILED):
            return str(message.status)
        if message.status == S.SENDING and message.claimed_at and message.claimed_at > now - _lease():
            return "busy"
        if message.status == S.PENDING and message.next_attempt_at and message.next_attempt_at > now:
            return "early"
        message.status, message.claimed_at, message.attempts = S.SENDING, now, message.attempts + 1
        message.save(update_fields=["status", "claimed_at", "attempts"])
    claimed = message.claimed_at
    try:
        sms_deliver(message.phone, message.text, message_id=message.dedupe_key)
    except Exception as exc:
        return _attempt_failed(message.pk, claimed, f"{type(exc).__name__}: {exc}"[:500])
    done = Message.objects.filter(pk=message.pk, status=S.SENDING, claimed_at=claimed).update(
        status=S.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent" if done else "superseded"


def _attempt_failed(pk: int, claimed: dt.datetime, error: str) -> str:
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=pk)
        if message.status != S.SENDING or message.claimed_at != claimed:
            return "superseded"
        now = timezone.now()
        message.last_error = error
        if message.attempts >= settings.BANHAO_OUTBOX_MAX_ATTEMPTS:
            message.status, message.failed_at = S.FAILED, now
            message.save(update_fields=["status", "failed_at", "last_error"])
            logger.error(
                "短信最终发送失败（已尝试%s次）：%s %s", message.attempts, mask_phone(message.phone), error
            )
            return "failed"
        message.status = S.PENDING
        message.next_attempt_at = now + backoff(message.attempts)
        message.task_id = _enqueue(message.dedupe_key, run_after=message.next_attempt_at)
        message.save(update_fields=["status", "next_attempt_at", "last_error", "task_id"])
        logger.warning(
            "短信发送失败，%s后重试（第%s次）：%s %s",
            message.next_attempt_at,
            message.attempts,
            mask_phone(message.phone),
            error,
        )
        return "retry"


@transaction.atomic
def message_retry(*, actor, message_id: int) -> Message:
    """An administrator sends a message that failed for good once more (attempts start again)."""
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.status != S.FAILED:
        raise ValidationError("只有发送失败的消息可以重新发送。")
    before = {"status": message.status, "attempts": message.attempts}
    message.status, message.attempts, message.failed_at = S.PENDING, 0, None
    message.next_attempt_at = timezone.now()
    message.task_id = _enqueue(message.dedupe_key)
    message.save(update_fields=["status", "attempts", "failed_at", "next_attempt_at", "task_id"])
    audit_record(
        actor=actor,
        obj=message,
        action="notify.message_retry",
        before=before,
        after={"status": message.status, "attempts": 0},
    )
    return message


def outbox_sweep(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Re-enqueues SMS overdue by more than the lease whose delivery task is no longer queued or
    running (finished, failed or pruned). A safety net: after a killed worker, the task itself
    runs again once the scheduler makes it ready. Returns how many were re-enqueued."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - _lease()
    stuck = list(
        Message.objects.filter(channel=SMS)
        .filter(Q(status=S.PENDING, next_attempt_at__lt=cutoff) | Q(status=S.SENDING, claimed_at__lt=cutoff))
        .order_by("id")
        .values_list("pk", "task_id")[:limit]
    )
    ids = []
    for _, task_id in stuck:
        try:
            ids.append(uuid.UUID(task_id))
        except ValueError:
            pass
    live = {
        str(i)
        for i in DBTaskResult.objects.filter(id__in=ids, status__in=["READY", "RUNNING"]).values_list(
            "id", flat=True
        )
    }
    count = 0
    for pk, task_id in stuck:
        if task_id in live:
            continue
        with transaction.atomic():
            message = Message.objects.select_for_update().get(pk=pk)
            if message.status in (S.PENDING, S.SENDING):
                message.task_id = _enqueue(message.dedupe_key)
                message.save(update_fields=["task_id"])
                count += 1
    if count:
        logger.warning("消息补投：%s条短信的投递任务已丢失，已重新排队。", count)
    return count


def failed_count() -> int:
    return Message.objects.filter(status=S.FAILED).count()


# --- reading ----------------------------------------------------------------------------------


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, notification_id: int | None = None) -> int:
    """Marks one of the user's messages (or all of them) read; returns how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
