"""Telling the applicant about each step of their case: a site message and an SMS.

`notify_case_event` runs after the transaction that wrote the CaseEvent commits
(cases.services._event registers it with transaction.on_commit) and reads the step through
banhao.cases.api. It never raises: the case write has already happened, and a failed message
is logged, not retried here (a site message is idempotent per event, so a later re-run would
not duplicate it). The SMS goes through banhao.accounts.api.send_sms, whose backend is a
setting (the memory backend in tests).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from banhao.core.masking import mask_phone

from .models import Notification

logger = logging.getLogger("banhao.notify")

# action -> (title, the sentence after "您申请的<item>（办件编号…）", send an SMS?)
# Actions not listed are the office's internal work (claim, assign, opinion, warnings …).
MESSAGES: dict[str, tuple[str, str, bool]] = {
    "submit": ("申请已提交", "已提交成功，请等待受理", True),
    "pre_review": ("材料预审中", "已进入材料预审，请保持电话畅通", False),
    "accept": ("申请已受理", "已受理，承诺于{due}前办结", True),
    "request_correction": ("请补正材料", "需要补正材料，请按一次性告知书补正全部材料后重新提交", True),
    "refuse": ("申请不予受理", "未予受理，请查看不予受理通知书", True),
    "resubmit": ("补正材料已提交", "补正材料已提交，请等待受理", True),
    "start_review": ("办件审查中", "已进入审查环节", False),
    "suspend": ("进入特别程序", "进入特别程序（{procedure}），所需时间不计入办理时限", True),
    "resume": ("特别程序结束", "特别程序已结束，继续办理，承诺于{due}前办结", True),
    "approve": ("准予许可", "已准予许可", True),
    "deny": ("不予许可", "未获许可，请查看不予行政许可决定书", True),
    "result_ready": ("办理结果待领取", "办理结果已出具，请到统一出件窗口领取或等待邮寄", True),
    "deliver": ("办理结果已送达", "办理结果已送达，送达方式：{delivery}", True),
    "conclude": ("办件已办结", "已办结，欢迎对本次服务作出评价", False),
    "withdraw": ("申请已撤回", "已撤回", True),
}


def _render(info, sentence: str) -> str:
    return sentence.format(
        due=info.promised_due_cn or "承诺时限内",
        procedure=info.procedure or "特别程序",
        delivery=info.delivery or "送达",
    )


def _site_message(info, title: str, text: str) -> None:
    body = text + (f"\n下一步：{info.next_step}。" if info.next_step else "")
    if info.note and info.action in {"refuse", "deny", "request_correction", "suspend"}:
        body += f"\n说明：{info.note}"
    try:
        with transaction.atomic():
            Notification.objects.create(
                user_id=info.applicant_user_id,
                case_number=info.case_number,
                event_id=info.event_id,
                title=title,
                body=body,
            )
    except IntegrityError:  # already told (the notifier ran twice for this event)
        pass


def _sms(info, text: str) -> None:
    from banhao.accounts.api import send_sms

    if not send_sms(info.contact_phone, text + "可登录“我的办件”或凭办件编号和手机号查询进度。"):
        logger.warning("办件%s的短信未发出：%s", info.case_number, mask_phone(info.contact_phone))


def notify_case_event(case, event) -> None:
    """Tells the applicant about one CaseEvent: a site message to the account that applied,
    an SMS to the case's contact phone. ``case`` and ``event`` are objects or ids (the event
    alone decides; the case is read through it).

    Never raises: every failure is logged and swallowed.
    """
    event_id = getattr(event, "pk", event)
    try:
        from banhao.cases.api import case_event_info

        info = case_event_info(event_id)
        if info is None or info.action not in MESSAGES:
            return
        title, sentence, by_sms = MESSAGES[info.action]
        text = f"您申请的{info.item}（办件编号{info.case_number}）{_render(info, sentence)}。"
    except Exception:
        logger.exception("办件通知准备失败：event %s", event_id)
        return
    if info.applicant_user_id is not None:
        try:
            _site_message(info, title, text)
        except Exception:
            logger.exception("办件%s的站内消息未能写入", info.case_number)
    if by_sms and info.contact_phone:
        try:
            _sms(info, text)
        except Exception:
            logger.exception("办件%s的短信发送失败", info.case_number)


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
