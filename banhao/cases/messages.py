"""What a case tells its applicant: the wording of each step (a site message and an SMS) and
the sentence "what happens next". Cases own the wording; banhao.notify only delivers it.

``case_event_notify`` runs inside the transaction of the step (cases.services._event): the
messages are written to notify's outbox with that transaction and exist exactly when the step
commits. Each has a dedupe key per event and channel, so a step is announced once.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.urls import reverse

from banhao.core.masking import mask_phone
from banhao.notify.api import SITE, SMS, message_send

from . import documents
from .models import Case, CaseEvent, Pause, Status

logger = logging.getLogger("banhao.cases")

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
    "rehandle": ("办件重新办理", "根据回访意见退回重新办理，将于{due}前重新办结", True),
}
SMS_TAIL = "可登录“我的办件”或凭办件编号和手机号查询进度。"
# Steps whose note the applicant is told (the reason of a refusal, a denial, a correction …).
NOTE_SHOWN = {"refuse", "deny", "request_correction", "suspend"}


def _join_items(items: list[dict]) -> str:
    return "；".join(
        f"{i['material']}（{i['reason']}）" if i.get("reason") else i["material"]
        for i in items
        if i.get("material")
    )


def next_step_for_applicant(case: Case) -> str:
    """One sentence: what the applicant should do now, or what they are waiting for."""
    status = case.status
    due = documents.cn_date(case.promised_due)
    if status == Status.SUBMITTED:
        if case.materials_completed_on:
            return "补正材料已提交，等待受理（一般1个工作日内）"
        return "等待受理（一般1个工作日内）"
    if status == Status.PRE_REVIEW:
        return "材料预审中，请保持电话畅通，等待受理（一般1个工作日内）"
    if status == Status.CORRECTION:
        event = case.events.filter(action="request_correction").order_by("-at", "-id").first()
        items = _join_items((event.data or {}).get("items", [])) if event else ""
        if items:
            return f"请按一次性告知书补正以下材料：{items}。全部补齐后重新提交，办理时限自材料补齐次日起计算"
        return "请按一次性告知书补正材料，全部补齐后重新提交"
    if status == Status.REFUSED:
        office = f"请向{case.competent_office}提出申请；" if case.competent_office else ""
        return f"申请未予受理：{case.refusal_reason}。{office}如有异议，可依法申请行政复议或提起行政诉讼"
    if status in (Status.ACCEPTED, Status.UNDER_REVIEW):
        stage = "已受理，等待审查" if status == Status.ACCEPTED else "审查中"
        return f"{stage}，承诺于{due}前办结，无需您操作" if due else f"{stage}，无需您操作"
    if status == Status.SUSPENDED:
        pause = case.pauses.filter(ended_on__isnull=True).order_by("-started_on", "-id").first()
        if pause is not None:
            return (
                f"正在进行{pause.get_kind_display()}（特别程序），预计{pause.expected_days}个工作日，"
                "所需时间不计入办理时限；如需您配合，工作人员会与您联系"
            )
        return "正在进行特别程序，所需时间不计入办理时限；如需您配合，工作人员会与您联系"
    if status == Status.APPROVED:
        return f"已准予许可，正在制作《{case.version.result_name}》，制作完成后将通知您领取"
    if status == Status.DENIED:
        return f"不予许可：{case.decision_reason}。如有异议，可依法申请行政复议或提起行政诉讼"
    if status == Status.RESULT_READY:
        return "请到统一出件窗口领取或等待邮寄"
    if status == Status.DELIVERED:
        how = case.get_delivery_method_display() if case.delivery_method else "送达"
        tracking = f"（快递单号{case.tracking_number}）" if case.tracking_number else ""
        return f"办理结果已{how}{tracking}，请核对；欢迎对本次服务作出评价"
    if status == Status.CONCLUDED:
        return "已办结，无需操作；欢迎对本次服务作出评价"
    if status == Status.WITHDRAWN:
        return "申请已撤回，无需操作；如需办理，请重新提交申请"
    return ""


def delivery_label(case: Case) -> str:
    """邮寄送达（快递单号…）, or "" before the delivery."""
    delivery = case.get_delivery_method_display() if case.delivery_method else ""
    if delivery and case.tracking_number:
        delivery += f"（快递单号{case.tracking_number}）"
    return delivery


def procedure_label(event: CaseEvent) -> str:
    """The special procedure of a "suspend" step (听证 …), or ""."""
    if event.action != "suspend":
        return ""
    return dict(Pause.Kind.choices).get((event.data or {}).get("kind"), "")


def step_text(case: Case, event: CaseEvent) -> tuple[str, str, bool] | None:
    """(title, the sentence for the applicant, send an SMS?) for one step, or None when the
    step is the office's internal work."""
    spec = MESSAGES.get(event.action)
    if spec is None:
        return None
    title, sentence, by_sms = spec
    rendered = sentence.format(
        due=documents.cn_date(case.promised_due) or "承诺时限内",
        procedure=procedure_label(event) or "特别程序",
        delivery=delivery_label(case) or "送达",
    )
    return title, f"您申请的{case.version.display_name}（办件编号{case.number}）{rendered}。", by_sms


def case_event_notify(case: Case, event: CaseEvent) -> None:
    """Writes the messages of one step to the outbox, in the caller's transaction: a site message
    to the account that applied, an SMS to the case's contact phone."""
    spec = step_text(case, event)
    if spec is None:
        return
    title, text, by_sms = spec
    if case.applicant_user_id is not None:
        next_step = next_step_for_applicant(case)
        body = text + (f"\n下一步：{next_step}。" if next_step else "")
        if event.note and event.action in NOTE_SHOWN:
            body += f"\n说明：{event.note}"
        message_send(
            recipient=case.applicant_user_id,
            channel=SITE,
            title=title,
            text=body,
            link=reverse("cases:detail", args=[case.number]),
            dedupe_key=f"case-event:{event.pk}:site",
        )
    if by_sms and case.contact_phone:
        try:
            message_send(
                recipient=case.contact_phone,
                channel=SMS,
                text=text + SMS_TAIL,
                dedupe_key=f"case-event:{event.pk}:sms",
            )
        except ValidationError:  # not a number a gateway can text: the step stands, the site message too
            logger.warning("办件%s的联系电话无法接收短信：%s", case.number, mask_phone(case.contact_phone))
