"""效能投诉 and 责任追究: every write, one use case per function (the life cycle:
complaint_states.py).

A complaint is filed online by a citizen (logged in, or anonymous with a phone number to be
told the result on), registered at the hall by staff, or registered from a 12345 work order by
staff. It is accepted or declined with a reason within BANHAO_COMPLAINT_DAYS["accept"] working
days, investigated with evidence within BANHAO_COMPLAINT_DAYS["investigate"] working days of
its acceptance, concluded (属实 / 部分属实 / 不属实, with findings), the complainant is told the
result (site message and/or SMS through the outbox) and it is closed. A substantiated or
partly substantiated complaint leads to accountability records (责任追究) decided by a
supervisor.

Each step locks the complaint (select_for_update), checks the transition table, writes one
ComplaintEvent and one audit event; a refused step raises ValidationError in Chinese and
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from banhao.core.audit import actor_label, actor_user, audit_record, register_action_labels, snapshot
from banhao.core.calendar import add_workdays
from banhao.core.masking import mask_phone
from banhao.core.uploads import check_upload
from banhao.notify import api as notify
from banhao.org import api as org

from . import complaint_states as states
from .models_complaints import (
    AccountabilityMeasure,
    AccountabilityRecord,
    Complaint,
    ComplaintEvent,
    ComplaintEvidence,
    SubjectKind,
)

S = Complaint.Status
register_action_labels(
    {
        f"evaluation.complaint_{k}": f"效能投诉：{v}"
        for k, v in states.ACTION_LABELS.items()
        if k != "accountability"
    }
    | {"evaluation.accountability_decide": "责任追究决定"}
)
CONTENT_MIN, CONTENT_MAX = 10, 2000
EVIDENCE_KINDS = ("pdf", "jpg", "png", "docx", "doc", "xlsx", "xls", "ofd")
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def days(step: str) -> int:
    """Working days allowed for a step: "accept" (受理) or "investigate" (调查办结)."""
    configured = getattr(settings, "BANHAO_COMPLAINT_DAYS", {})
    return int(configured.get(step, {"accept": 2, "investigate": 15}[step]))


def normal_phone(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "").strip().replace(" ", "")
    return value[3:] if value.startswith("+86") else value


def is_mobile(phone: str) -> bool:
    return bool(_MOBILE.match(phone or ""))


# --- the throttle of the public form (a sliding hour per client address) ----------------------


def _throttle_key(ip: str) -> str:
    return "evaluation:complaints:" + hashlib.sha256((ip or "-").encode()).hexdigest()[:32]


def _recent(key: str) -> list[float]:
    since = time.time() - 3600
    return [t for t in cache.get(key, []) if t > since]


def complaint_throttled(ip: str) -> bool:
    """True when this address has filed BANHAO_COMPLAINTS_PER_HOUR complaints in the last hour."""
    return len(_recent(_throttle_key(ip))) >= getattr(settings, "BANHAO_COMPLAINTS_PER_HOUR", 5)


def complaint_throttle_note(ip: str) -> None:
    key = _throttle_key(ip)
    cache.set(key, [*_recent(key), time.time()], 3600)


# --- events ------------------------------------------------------------------------------------


def _label(actor) -> tuple[object, str]:
    return actor_user(actor), actor_label(actor)


def _event(c: Complaint, actor, action: str, before: str, note: str = "", data: dict | None = None):
    user, label = _label(actor)
    return ComplaintEvent.objects.create(
        complaint=c,
        action=action,
        from_status=before,
        to_status=c.status,
        note=note,
        data=data or {},
        actor=user,
        actor_label=label,
    )


def _locked(complaint_id: int, scope=None) -> Complaint:
    c = Complaint.objects.select_for_update().filter(pk=complaint_id).first()
    if c is None or (scope is not None and not scope.allows(c.region_id, c.department_id)):
        raise ValidationError("未找到该投诉。")
    return c


def _move(c: Complaint, action: str) -> str:
    """Checks the table and moves the (locked) complaint; returns the status it had."""
    target = states.next_status(c.status, action)
    if target is None:
        raise ValidationError(states.refusal(c.status, action))
    before = c.status
    c.status = target
    return before


_AUDITED = [
    "status",
    "due_on",
    "decline_reason",
    "accepted_on",
    "investigator",
    "conclusion",
    "findings",
    "concluded_on",
    "on_time",
    "reply",
    "replied_at",
    "closed_at",
]


def _save(c: Complaint, actor, action: str, before_status: str, before: dict, note: str = "", data=None):
    c.save()
    _event(c, actor, action, before_status, note=note, data=data)
    audit_record(
        actor=actor,
        obj=c,
        action=f"evaluation.complaint_{action}",
        before=before,
        after=snapshot(c, _AUDITED),
        reason=note[:200],
    )


# --- filing ------------------------------------------------------------------------------------


def _clean_text(value, field: str, label: str, *, minimum: int = 0, maximum: int, errors: dict) -> str:
    text = (value or "").strip()
    if minimum and len(text) < minimum:
        errors[field] = f"请填写{label}（不少于{minimum}个字）。" if minimum > 1 else f"请填写{label}。"
    elif len(text) > maximum:
        errors[field] = f"{label}不能超过{maximum}个字。"
    return text


@transaction.atomic
def complaint_file(
    *,
    actor,
    source: str,
    department_id,
    subject_kind: str,
    content: str,
    complainant_name: str,
    complainant_phone: str = "",
    complainant_user=None,
    window_id=None,
    staff_id=None,
    subject_note: str = "",
    case_number: str = "",
    occurred_on: dt.date | None = None,
    hotline_ticket: str = "",
    scope=None,
    submission_key: str = "",
    today: dt.date | None = None,
) -> Complaint:
    """Files a complaint (status 待受理, an acceptance deadline in working days).

    ``source``: online (a citizen; ``complainant_user`` when logged in, else the phone is
    required), hall or hotline (registered by staff within ``scope``; a 12345 complaint names
    its work order). ``submission_key`` (the form's one-time key): the same key again returns
    the complaint it filed, nothing new. Raises ValidationError with a dict of Chinese messages
    by field."""
    today = today or timezone.localdate()
    submission_key = (submission_key or "").strip()[:40]
    if submission_key:
        earlier = Complaint.objects.filter(submission_key=submission_key).first()
        if earlier is not None:
            return earlier
    errors: dict[str, str] = {}
    if source not in Complaint.Source.values:
        errors["source"] = "请选择投诉来源。"
    if subject_kind not in SubjectKind.values:
        errors["subject_kind"] = "请选择投诉对象（窗口、工作人员或部门）。"
    department = None
    try:
        department = org.department_info(int(department_id)) if department_id not in (None, "") else None
    except (TypeError, ValueError):
        department = None
    if department is None:
        errors["department_id"] = "请选择被投诉的部门。"
    content = _clean_text(
        content, "content", "投诉内容", minimum=CONTENT_MIN, maximum=CONTENT_MAX, errors=errors
    )
    name = _clean_text(
        complainant_name, "complainant_name", "投诉人姓名", minimum=1, maximum=50, errors=errors
    )
    subject_note = _clean_text(subject_note, "subject_note", "投诉对象说明", maximum=100, errors=errors)
    case_number = _clean_text(case_number, "case_number", "办件编号", maximum=64, errors=errors)
    hotline_ticket = _clean_text(hotline_ticket, "hotline_ticket", "12345工单号", maximum=40, errors=errors)
    phone = normal_phone(complainant_phone)
    if phone and not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
        errors["complainant_phone"] = "联系电话格式不正确，请填写11位手机号或带区号的固定电话。"
    user = complainant_user if getattr(complainant_user, "is_authenticated", False) else None
    if not phone and user is None:
        errors["complainant_phone"] = "请填写联系电话，以便告知处理结果。"
    if source == Complaint.Source.HOTLINE and not hotline_ticket:
        errors["hotline_ticket"] = "请填写12345工单号。"
    if occurred_on and occurred_on > today:
        errors["occurred_on"] = "发生日期不能晚于今天。"
    window = staff = None
    if window_id not in (None, ""):
        window = org.window_brief(int(window_id)) if str(window_id).isdigit() else None
        if window is None or (department and window.region_id != department.region.id):
            errors["window_id"] = "所选窗口不存在或不属于该部门所在区域。"
    if staff_id not in (None, ""):
        staff = org.staff_brief(int(staff_id)) if str(staff_id).isdigit() else None
        if staff is None:
            errors["staff_id"] = "所选工作人员不存在。"
        elif department and staff.department_id and staff.department_id != department.id:
            errors["staff_id"] = "所选工作人员不属于被投诉部门。"
    if (
        subject_kind == SubjectKind.WINDOW
        and window is None
        and not subject_note
        and "window_id" not in errors
    ):
        errors["subject_note"] = "请选择窗口或写明窗口号。"
    if subject_kind == SubjectKind.STAFF and staff is None and not subject_note and "staff_id" not in errors:
        errors["subject_note"] = "请选择工作人员或写明姓名、工号。"
    if errors:
        raise ValidationError(errors)
    if scope is not None and not scope.allows(department.region.id, department.id):
        raise PermissionDenied("该部门不在您的数据范围内。")
    fields = dict(
        source=source,
        subject_kind=subject_kind,
        region_id=department.region.id,
        department_id=department.id,
        window_id=window.id if window else None,
        staff_id=staff.id if staff else None,
        subject_note=subject_note,
        content=content,
        case_number=case_number,
        occurred_on=occurred_on,
        hotline_ticket=hotline_ticket,
        complainant_user=user,
        complainant_name=name,
        complainant_phone=phone,
        registered_by=actor
        if source != Complaint.Source.ONLINE and getattr(actor, "is_authenticated", False)
        else None,
        received_on=today,
        due_on=add_workdays(today, days("accept")),
        submission_key=submission_key or None,
    )
    try:
        with transaction.atomic():
            c = Complaint.objects.create(**fields)
    except IntegrityError:  # the same form submitted twice at once: the first one stands
        return Complaint.objects.get(submission_key=submission_key)
    c.number = f"TS{today:%Y%m%d}{c.pk:06d}"
    c.save(update_fields=["number"])
    _event(c, actor, "file", "", note=f"受理期限 {c.due_on.isoformat()}", data={"source": source})
    audit_record(actor=actor, obj=c, action="evaluation.complaint_file", after=snapshot(c))
    return c


# --- the life cycle ----------------------------------------------------------------------------


@transaction.atomic
def complaint_accept(*, actor, complaint_id: int, note: str = "", scope=None, today=None) -> Complaint:
    today = today or timezone.localdate()
    c = _locked(complaint_id, scope)
    before = snapshot(c, _AUDITED)
    was = _move(c, "accept")
    c.accepted_on = today
    c.due_on = add_workdays(today, days("investigate"))
    _save(
        c, actor, "accept", was, before, note=(note or "").strip()[:500] or f"调查期限 {c.due_on.isoformat()}"
    )
    return c


@transaction.atomic
def complaint_decline(*, actor, complaint_id: int, reason: str, scope=None) -> Complaint:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("不予受理须写明理由。")
    if len(reason) > 500:
        raise ValidationError("不予受理理由不能超过500个字。")
    c = _locked(complaint_id, scope)
    before = snapshot(c, _AUDITED)
    was = _move(c, "decline")
    c.decline_reason = reason
    c.due_on = None
    c.closed_at = timezone.now()
    _save(c, actor, "decline", was, before, note=reason)
    _tell(c, "decline", f"您提交的效能投诉（编号 {c.number}）经审查不予受理，理由：{reason}")
    return c


@transaction.atomic
def complaint_investigate(*, actor, complaint_id: int, investigator: str = "", scope=None) -> Complaint:
    c = _locked(complaint_id, scope)
    before = snapshot(c, _AUDITED)
    was = _move(c, "investigate")
    _, label = _label(actor)
    c.investigator = ((investigator or "").strip() or label)[:50]
    _save(c, actor, "investigate", was, before, note=f"调查人：{c.investigator}")
    return c


@transaction.atomic
def complaint_add_evidence(
    *, actor, complaint_id: int, upload, note: str = "", scope=None
) -> ComplaintEvidence:
    """Stores one evidence file (the type sniffed from its content: a disguised file, or a PDF
    or image carrying active content, is refused)."""
    if upload is None:
        raise ValidationError("请选择要上传的证据文件。")
    kind = check_upload(upload, allowed=EVIDENCE_KINDS, max_bytes=EVIDENCE_MAX_BYTES)
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError("证据说明不能超过200个字。")
    c = _locked(complaint_id, scope)
    if c.status not in states.EVIDENCE_STATUSES:
        raise ValidationError(states.refusal(c.status, "evidence"))
    user, _ = _label(actor)
    name = (getattr(upload, "name", "") or "证据")[-120:]
    evidence = ComplaintEvidence.objects.create(
        complaint=c, file=upload, name=name, kind=kind.label, note=note, uploaded_by=user
    )
    _event(c, actor, "evidence", c.status, note=note or name, data={"evidence": evidence.pk, "name": name})
    audit_record(
        actor=actor,
        obj=c,
        action="evaluation.complaint_evidence",
        after={"evidence": name, "kind": kind.label},
    )
    return evidence


@transaction.atomic
def complaint_conclude(
    *, actor, complaint_id: int, conclusion: str, findings: str, scope=None, today=None
) -> Complaint:
    today = today or timezone.localdate()
    errors = {}
    if conclusion not in Complaint.Conclusion.values:
        errors["conclusion"] = "请选择调查结论（属实、部分属实或不属实）。"
    findings = (findings or "").strip()
    if len(findings) < 5:
        errors["findings"] = "请写明调查情况（不少于5个字）。"
    elif len(findings) > 2000:
        errors["findings"] = "调查情况不能超过2000个字。"
    c = _locked(complaint_id, scope)
    if states.next_status(c.status, "conclude") is None:
        raise ValidationError(states.refusal(c.status, "conclude"))
    if errors:
        raise ValidationError(errors)
    before = snapshot(c, _AUDITED)
    was = _move(c, "conclude")
    c.conclusion = conclusion
    c.findings = findings
    c.concluded_on = today
    c.on_time = c.due_on is None or today <= c.due_on
    c.due_on = None
    _save(c, actor, "conclude", was, before, note=f"结论：{c.get_conclusion_display()}")
    return c


def _tell(c: Complaint, what: str, text: str) -> list[str]:
    """Queues the message to the complainant: a site message to the account, an SMS to a
    mobile phone (through the outbox, once per complaint and step). Returns the channels."""
    sent = []
    if c.complainant_user_id:
        notify.message_send(
            recipient=c.complainant_user_id,
            channel=notify.SITE,
            title="效能投诉处理结果" if what == "reply" else "效能投诉不予受理",
            text=text,
            dedupe_key=f"complaint:{c.pk}:{what}:site",
        )
        sent.append("site")
    if is_mobile(c.complainant_phone):
        notify.message_send(
            recipient=c.complainant_phone,
            channel=notify.SMS,
            text=text,
            dedupe_key=f"complaint:{c.pk}:{what}:sms",
        )
        sent.append("sms")
    return sent


@transaction.atomic
def complaint_reply(*, actor, complaint_id: int, reply: str = "", scope=None) -> Complaint:
    """告知投诉人: the conclusion and what was done, by site message and/or SMS."""
    reply = (reply or "").strip()
    if len(reply) > 500:
        raise ValidationError("告知内容不能超过500个字。")
    c = _locked(complaint_id, scope)
    before = snapshot(c, _AUDITED)
    was = _move(c, "reply")
    text = f"您的效能投诉（编号 {c.number}）已调查办结，结论：{c.get_conclusion_display()}。"
    if reply:
        text += f"处理情况：{reply}"
    c.reply = text
    c.replied_at = timezone.now()
    channels = _tell(c, "reply", text)
    shown = "、".join(
        {"site": "站内消息", "sms": f"短信（{mask_phone(c.complainant_phone)}）"}[x] for x in channels
    )
    _save(
        c,
        actor,
        "reply",
        was,
        before,
        note=f"已通过{shown or '（无可用联系方式）'}告知",
        data={"channels": channels},
    )
    return c


@transaction.atomic
def complaint_close(*, actor, complaint_id: int, scope=None) -> Complaint:
    c = _locked(complaint_id, scope)
    if states.next_status(c.status, "close") is None:
        raise ValidationError(states.refusal(c.status, "close"))
    if c.substantiated and not AccountabilityRecord.objects.filter(complaint=c).exists():
        raise ValidationError("投诉经调查属实（或部分属实），须先登记责任追究，才能归档。")
    before = snapshot(c, _AUDITED)
    was = _move(c, "close")
    c.closed_at = timezone.now()
    _save(c, actor, "close", was, before)
    return c


ACTIONS = {
    "accept": complaint_accept,
    "decline": complaint_decline,
    "investigate": complaint_investigate,
    "conclude": complaint_conclude,
    "reply": complaint_reply,
    "close": complaint_close,
}


# --- accountability ----------------------------------------------------------------------------


@transaction.atomic
def accountability_decide(
    *,
    actor,
    complaint_id: int,
    subject_kind: str,
    measure_id,
    facts: str,
    staff_id=None,
    window_id=None,
    department_id=None,
    scope=None,
    today: dt.date | None = None,
) -> AccountabilityRecord:
    """Records one accountability decision (责任追究) for a substantiated or partly
    substantiated complaint: who (a staff member, a window or a department; by default the
    complaint's own department), for what, with which measure. The same measure for the same
    subject of one complaint is recorded once."""
    today = today or timezone.localdate()
    c = _locked(complaint_id, scope)
    if c.status not in states.ACCOUNTABILITY_STATUSES:
        raise ValidationError("投诉尚未作出调查结论，不能登记责任追究。")
    if not c.substantiated:
        raise ValidationError("投诉经调查不属实，不予责任追究。")
    errors: dict[str, str] = {}
    if subject_kind not in SubjectKind.values:
        errors["subject_kind"] = "请选择追责对象类型。"
    measure = None
    if str(measure_id or "").isdigit():
        measure = AccountabilityMeasure.objects.filter(pk=int(measure_id), active=True).first()
    if measure is None:
        errors["measure_id"] = "请选择追责措施。"
    facts = (facts or "").strip()
    if len(facts) < 5:
        errors["facts"] = "请写明追责事由（不少于5个字）。"
    elif len(facts) > 1000:
        errors["facts"] = "追责事由不能超过1000个字。"
    dept_id = c.department_id
    staff = window = None
    if subject_kind == SubjectKind.STAFF:
        staff = org.staff_brief(int(staff_id)) if str(staff_id or "").isdigit() else None
        if staff is None:
            errors["staff_id"] = "请选择被追责的工作人员。"
        elif staff.department_id:
            dept_id = staff.department_id
    elif subject_kind == SubjectKind.WINDOW:
        window = org.window_brief(int(window_id)) if str(window_id or "").isdigit() else None
        if window is None:
            errors["window_id"] = "请选择被追责的窗口。"
    elif subject_kind == SubjectKind.DEPARTMENT and str(department_id or "").isdigit():
        dept_id = int(department_id)
    department = org.department_info(dept_id)
    if department is None:
        errors["department_id"] = "所选部门不存在。"
    if errors:
        raise ValidationError(errors)
    if scope is not None and not scope.allows(department.region.id):
        raise PermissionDenied("该部门不在您的数据范围内。")
    duplicate = AccountabilityRecord.objects.filter(
        complaint=c,
        subject_kind=subject_kind,
        measure=measure,
        staff_id=staff.id if staff else None,
        window_id=window.id if window else None,
        department_id=department.id,
    )
    if duplicate.exists():
        raise ValidationError("已对该对象登记过同一追责措施，未重复登记。")
    user, label = _label(actor)
    record = AccountabilityRecord.objects.create(
        complaint=c,
        subject_kind=subject_kind,
        region_id=department.region.id,
        department_id=department.id,
        staff_id=staff.id if staff else None,
        window_id=window.id if window else None,
        facts=facts,
        measure=measure,
        decided_on=today,
        decided_by=user,
        decided_by_label=label,
    )
    _event(
        c,
        actor,
        "accountability",
        c.status,
        note=f"{record.subject_label}：{measure.name}",
        data={"record": record.pk, "measure": measure.code},
    )
    audit_record(actor=actor, obj=record, action="evaluation.accountability_decide", after=snapshot(record))
    return record
