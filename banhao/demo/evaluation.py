"""The demo city's 好差评 loop: ratings of finished demo cases on several channels, the 差评整改
they open at their different stages, appeals, window-pad ratings, default ratings, a 12345
callback plan with one callback that sends a case back, and efficiency complaints (效能投诉) with
one accountability record.

Everything goes through the real services: the demo enterprises' agents apply online (their own
logins, so the ratings are theirs and real-name), the departments' reviewers and head work the
rectifications, the supervisor reviews the appeals and the complaints, the hotline desk calls back.

Loading again adds nothing: the demo cases are keyed (idempotency key ``demo-rating-…``) and every
later step is taken only when the cases were made by this load; the complaints carry their own
submission keys.

What the services do not allow, and the demo therefore does not fake: a rectification opened in
the past (a rating opens its rectification on the day it is given, so an overdue one appears only
once its deadline has passed — the daily ``evaluation_sweep`` then escalates it). The two
window-pad ratings are of visits made at load time through the hall's services (ticket, call,
finish, the pad), so they need the hall open then (the demo settings keep it open).
The demo's cases are all finished on the day of the load, so the default-rating sweep and the
callback plan are run as of the days they would next run for those cases (the sweep once the
rating period has passed, the plan on the next working day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from banhao.cases import api as cases_api
from banhao.cases import workflow
from banhao.cases.models import Case
from banhao.catalog.models import Implementation, Status
from banhao.core.calendar import add_workdays
from banhao.demo import licences as demo_licences
from banhao.evaluation import appeals, callbacks, complaints, ratings
from banhao.evaluation import rectification as rect
from banhao.evaluation.models import BAD_LEVELS, ONLINE_DIMENSIONS, ONSITE_DIMENSIONS, Rating, Rectification
from banhao.evaluation.models_complaints import AccountabilityMeasure, Complaint
from banhao.evaluation.models_hotline import Callback, CallbackAttempt
from banhao.org import api as org_api
from banhao.org.models import Department, StaffMember, Window

ACTOR = "演示数据载入"
CASE_ACTOR = "系统（演示数据）"
CASE_KEY = "demo-rating-{}"
RATED = "临沂市行政审批服务局"  # the department whose 差评整改 the demo shows (accounts reviewer, head)

FILING = {
    "project_name": "",
    "project_site": "临沂市兰山区（演示）",
    "total_investment": "1200",
    "industry": "批发和零售业",
}
FILING_TEXT = "新建仓储物流中心一处，建筑面积约8000平方米（演示）"

# (enterprise account, item code, region code, project name)
CASES = [
    (0, "371330000201-01", "371300", "鲁沂商贸冷链仓储项目"),
    (1, "371330000201-01", "371300", "医药物流配送中心项目"),
    (2, "371330000201-01", "371300", "建材展销中心改造项目"),
    (3, "371330000201-01", "371300", "电子元件生产线技改项目"),
    (4, "371330000201-01", "371300", "农业科技示范园项目"),
    (0, "371330007301-01", "371300", ""),  # 第二类医疗器械经营备案, 市市场监督管理局
    (1, "371330007301-01", "371300", ""),
    (2, "371330000201-01", "371302", "兰山区社区便民超市项目"),
    (3, "371330000201-01", "371302", "兰山区文化创意园项目"),
    (4, "371330000201-01", "371300", "物流园区智能化改造项目"),  # 9-14: the bad ratings
    (0, "371330000201-01", "371300", "食品加工厂扩建项目"),
    (1, "371330000201-01", "371300", "中药饮片仓储项目"),
    (2, "371330000201-01", "371300", "装配式建材生产项目"),
    (3, "371330000201-01", "371300", "电子商务产业园项目"),
    (4, "371330000201-01", "371300", "现代农业冷库项目"),
    (0, "371330000201-01", "371300", "商贸城配套停车场项目"),  # 15-16: nobody rates them (默认好评)
    (1, "371330007301-01", "371300", ""),
    (2, "371330000201-02", "371300", "建材展销中心改造项目"),  # 17: the 12345 callback (重办)
]

GOOD = [
    # (case, channel, level, comment)
    (0, "pc", 5, "网上提交后第二天就办好了，全程没跑腿。"),
    (1, "mobile", 5, "手机上就能查进度，很方便。"),
    (2, "sms", 4, ""),
    (3, "kiosk", 5, "自助终端评价，工作人员指导很耐心。"),
    (4, "pc", 3, "办得还行，就是材料清单有点长。"),
    (5, "mobile", 5, "备案当天完成。"),
    (6, "sms", 4, ""),
    (7, "pc", 5, "兰山区审批局效率很高。"),
    (8, "kiosk", 4, ""),
]
BAD = [
    # (case, channel, level, reasons, comment)
    (9, "pc", 2, ["slow"], "备案材料提交后一周才有回音，比承诺时限慢。"),
    (10, "mobile", 1, ["extra_material", "repeat"], "要求补交清单以外的租赁合同，来回跑了两次。"),
    (11, "sms", 2, ["guide_wrong"], "网上办事指南和窗口说法不一致，白准备了一份材料。"),
    (12, "pc", 2, ["slow"], "感觉审核拖了很久。"),
    (13, "mobile", 1, ["attitude"], "电话咨询时工作人员不耐烦。"),
    (14, "pc", 1, ["other"], "不满意。"),
]

COMPLAINT_KEY = "demo-complaint-{}"


@dataclass
class Result:
    new_cases: int = 0
    ratings: int = 0
    pad: int = 0
    bad: int = 0
    defaults: int = 0
    rectifications: dict[str, int] = field(default_factory=dict)
    appeals_pending: int = 0
    excluded: int = 0
    callbacks_pending: int = 0
    callbacks_done: int = 0
    complaints: dict[str, int] = field(default_factory=dict)
    accountability: int = 0
    fed_back_login: str = ""
    fed_back_path: str = ""


def _pdf(text: str) -> bytes:
    """A small valid PDF (the evidence of an appeal or a complaint in the demo)."""
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def _evidence(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _pdf(text), content_type="application/pdf")


def _user(username: str):
    return StaffMember.objects.select_related("user").get(user__username=username).user


# --- the cases ------------------------------------------------------------------------------------


def _finish(n: int, who: int, item_code: str, region_code: str, project: str) -> tuple[int, bool]:
    """The enterprise's agent applies online (own login); the department accepts, reviews,
    approves, delivers electronically and concludes. Returns (case id, made now)."""
    key = CASE_KEY.format(n)
    existing = Case.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing.pk, False
    enterprises, _persons = demo_licences.demo_accounts()
    account = enterprises[who]
    impl = Implementation.objects.select_related("standard").get(
        standard__code=item_code, region__code=region_code
    )
    version = impl.standard.versions.filter(status=Status.PUBLISHED).order_by("-number").first()
    form_keys = {f["key"] for f in version.form_fields or []}
    extra = {**FILING, "project_name": project, "construction_content": FILING_TEXT}
    form = {k: v for k, v in demo_licences._form_for(("org", who), account, extra).items() if k in form_keys}
    materials = [
        {"name": m["name"], "how": "paper"}
        for m in version.materials or []
        if m.get("required") and not m.get("situation")
    ]
    info = cases_api.case_open(
        channel=Case.Channel.ONLINE,
        implementation_id=impl.pk,
        applicant=cases_api.Applicant(
            person_id=account.person_id,
            organization_id=account.organization_id,
            contact_phone=account.person.phone,
        ),
        form_data=form,
        situations={s["key"]: False for s in version.situations or []},
        materials=materials,
        outcome="submit",
        idempotency_key=key,
        actor=account.user,
    )
    case = Case.objects.select_related("department", "version").get(pk=info.id)
    cases_api.case_act(case.pk, "accept", CASE_ACTOR)
    cases_api.case_act(case.pk, "claim", demo_licences._reviewer_for(case))
    plan = workflow.plan_for(case.version.steps)
    while plan.decision is not None and Case.objects.get(pk=case.pk).step_index < plan.decision:
        cases_api.case_act(
            case.pk, "opinion", CASE_ACTOR, opinion="材料齐全，符合备案条件", complete_step=True
        )
    cases_api.case_act(case.pk, "decide", CASE_ACTOR, decision="approve", reason="符合备案条件，予以备案")
    cases_api.case_act(case.pk, "result_ready", CASE_ACTOR)
    cases_api.case_act(case.pk, "deliver", CASE_ACTOR, method=Case.Delivery.ELECTRONIC)
    cases_api.case_act(case.pk, "conclude", CASE_ACTOR)
    return case.pk, True


def _applicant_user(case_id: int):
    from django.contrib.auth import get_user_model

    facts = cases_api.case_rating_facts(case_id)
    return get_user_model().objects.get(pk=facts.applicant_user_id)


def _dimensions(channel: str, level: int) -> dict[str, int]:
    """The channel's indicators, near the overall level (the kiosk asks the on-site ones)."""
    keys = ONSITE_DIMENSIONS if channel == "kiosk" else ONLINE_DIMENSIONS
    return {key: max(1, min(5, level + (1 if i == 0 and level < 5 else 0))) for i, key in enumerate(keys)}


def _rate(case_id: int, channel: str, level: int, reasons=(), comment: str = ""):
    """The applicant rates as each channel lets them: the SMS link's token, the kiosk's token
    (issued once the case number and phone digits match, as /rate/kiosk/ does), or their own
    login on the PC or phone pages."""
    data = {
        "level": level,
        "dimensions": _dimensions(channel, level),
        "reasons": list(reasons),
        "comment": comment,
    }
    if channel in ("sms", "kiosk"):
        return ratings.rating_record_case(token=ratings.rating_token(case_id, channel), **data)
    return ratings.rating_record_case(case_id=case_id, channel=channel, user=_applicant_user(case_id), **data)


# --- the rectifications ---------------------------------------------------------------------------


def _rectification(case_id: int) -> Rectification:
    return Rectification.objects.get(rating__case_id=case_id, rating__rerate_of__isnull=True)


def _work_rectifications(case_ids: list[int]) -> None:
    reviewer, head, supervisor = _user("reviewer"), _user("head"), _user("supervisor")
    # case 9's rectification stays as the rating opened it (待回访)
    verified, rerated, fed_back, appealing, upheld = (_rectification(case_ids[i]) for i in range(10, 15))
    # 10: called back and verified
    rect.rectification_callback(
        actor=reviewer,
        rectification=verified,
        answered_by="经办人本人",
        summary="经办人反映窗口要求补交租赁合同，往返两次。",
    )
    rect.rectification_verify(
        actor=reviewer,
        rectification=verified,
        substantiated=True,
        note="经调取受理记录，确有超清单要求补交材料的情况。",
    )
    # 11: rectified, fed back, re-rated by the rater
    rect.rectification_callback(
        actor=reviewer,
        rectification=rerated,
        answered_by="经办人本人",
        summary="经办人反映网上指南与窗口说法不一致。",
    )
    rect.rectification_verify(
        actor=reviewer,
        rectification=rerated,
        substantiated=True,
        note="网上办事指南的材料表述未随标准文本更新。",
    )
    rect.rectification_measures(
        actor=head,
        rectification=rerated,
        measures="已更新网上办事指南，统一窗口一次性告知口径，组织窗口人员学习。",
    )
    rect.rectification_feedback(
        actor=head,
        rectification=rerated,
        feedback="您反映的指南不一致问题已整改：指南已更新，窗口口径已统一。感谢监督。",
    )
    rect.rating_rerate(
        rectification=rerated, user=_applicant_user(case_ids[11]), level=4, comment="已整改，指南清楚多了。"
    )
    # 12: not substantiated, the explanation fed back (the rater may still re-rate)
    rect.rectification_callback(
        actor=reviewer, rectification=fed_back, answered_by="经办人本人", summary="经办人认为审核时间较长。"
    )
    rect.rectification_verify(
        actor=reviewer, rectification=fed_back, substantiated=False, note="系统记录显示该件在承诺时限内办结。"
    )
    rect.rectification_feedback(
        actor=reviewer,
        rectification=fed_back,
        feedback="经核实，您的办件在承诺时限内办结，审核各环节用时已附后；如仍有疑问欢迎追评或来电。",
    )
    # 13: the department appeals (误评); pending for the supervisor
    appeals.appeal_file(
        actor=head,
        rectification=appealing,
        kind="mistaken",
        reason="评价人所述电话咨询并非本部门受理，来电记录显示为其他单位号码。",
        files=[_evidence("来电记录.pdf", "call log (demo)")],
    )
    # 14: the department appeals (恶意差评) and the supervisor upholds it: the rating is excluded
    appeal = appeals.appeal_file(
        actor=head,
        rectification=upheld,
        kind="malicious",
        reason="同一评价人短时间内对多件无关办件给出差评，且拒绝说明情况。",
        files=[_evidence("情况说明.pdf", "statement (demo)")],
    )
    appeals.appeal_decide(
        actor=supervisor, appeal=appeal, upheld=True, opinion="经核查属恶意差评，申诉成立，该评价不计入考核。"
    )


# --- the window pad ---------------------------------------------------------------------------------


def _pad_visits(case_ids: list[int]) -> int:
    """Two visits at 兰山区政务服务中心's window 5 (clerk_lanshan), rated on the window's pad: one
    for a 兰山区行政审批服务局 case (the rating names that department), one for a question only (the
    hall's row). Only when nobody waits in the hall (the next caller is the demo's own visitor)
    and the hall is open now; otherwise no visit is made. Returns the pad ratings recorded."""
    from banhao.evaluation import services as pad
    from banhao.hall import services as hall
    from banhao.hall.models import Ticket

    member = StaffMember.objects.select_related("window").filter(user__username="clerk_lanshan").first()
    if member is None or member.window is None:
        return 0
    window = member.window
    if Ticket.objects.filter(hall_id=window.hall_id, status=Ticket.Status.WAITING).exists():
        return 0
    facts = cases_api.case_rating_facts(case_ids[7])
    visits = [(facts.id, facts.contact_phone, 5), (None, "13905393001", 4)]
    done = 0
    for case_id, phone, level in visits:
        try:
            with transaction.atomic():
                ticket, _ = hall.ticket_issue(
                    hall_id=window.hall_id,
                    zone_id=window.zone_id,
                    source="kiosk",
                    phone=phone,
                    actor_label=ACTOR,
                )
                hall.desk_sign_in(window_id=window.pk, staff_id=member.pk, actor_label=member.name)
                called = hall.ticket_call_next(
                    window_id=window.pk, staff_id=member.pk, actor_label=member.name
                )
                if called is None or called.pk != ticket.pk:
                    raise ValidationError("演示取号未被本窗口叫到。")
                if case_id:
                    hall.ticket_link_case(ticket_id=ticket.pk, case_id=case_id)
                hall.ticket_finish(window_id=window.pk, staff_id=member.pk, actor_label=member.name)
                pad.pad_rate(
                    window_id=window.pk,
                    ticket_id=ticket.pk,
                    level=level,
                    dimensions=dict.fromkeys(ONSITE_DIMENSIONS, level),
                )
        except ValidationError:  # the hall is closed at this hour: no visits
            return done
        done += 1
    return done


# --- the 12345 callbacks ----------------------------------------------------------------------------


def _callbacks(case_ids: list[int], today: dt.date) -> None:
    plan_day = add_workdays(today, 1)
    callbacks.callback_plan(today=plan_day)
    hotline = _user("hotline")
    cb = Callback.objects.filter(case_id=case_ids[17], status=Callback.Status.PENDING).first()
    if cb is None:
        return
    callbacks.callback_record(
        callback_id=cb.pk,
        actor=hotline,
        outcome=CallbackAttempt.Outcome.REACHED,
        answers={
            "once": "no",
            "visits": "2",
            "extra": "yes",
            "extra_note": "项目投资额证明",
            "satisfaction": "2",
        },
        reasons=["extra_material"],
        comment="变更备案被要求补交投资额证明，跑了两次",
    )


# --- the complaints -----------------------------------------------------------------------------------


def _complaints() -> None:
    if Complaint.objects.filter(submission_key=COMPLAINT_KEY.format(1)).exists():
        return
    supervisor, hotline = _user("supervisor"), _user("hotline")
    scope = org_api.scope_for_user(supervisor)
    city_dept = Department.objects.get(name=RATED)
    lanshan_dept = Department.objects.get(name="兰山区行政审批服务局")
    enterprises, _persons = demo_licences.demo_accounts()
    window = Window.objects.filter(hall__name="临沂市政务服务中心", number=3).first()
    lanshan_window = Window.objects.filter(hall__name="兰山区政务服务中心", number=5).first()
    # 1: received (filed online by an applicant)
    complaints.complaint_file(
        actor=enterprises[0].user,
        source="online",
        department_id=city_dept.pk,
        subject_kind="department",
        content="企业投资项目备案咨询电话多次无人接听，希望改进。",
        complainant_name=enterprises[0].person.name,
        complainant_user=enterprises[0].user,
        submission_key=COMPLAINT_KEY.format(1),
    )
    # 2: under investigation, with evidence (registered at the hall)
    c = complaints.complaint_file(
        actor=supervisor,
        source="hall",
        department_id=city_dept.pk,
        subject_kind="window",
        window_id=window.pk if window else None,
        subject_note="" if window else "3号窗口",
        content="在市政务服务中心3号窗口办理时，工作人员离岗二十分钟无人值守。",
        complainant_name="孙先生",
        complainant_phone="13905392001",
        scope=scope,
        submission_key=COMPLAINT_KEY.format(2),
    )
    complaints.complaint_accept(actor=supervisor, complaint_id=c.pk, scope=scope)
    complaints.complaint_investigate(actor=supervisor, complaint_id=c.pk, investigator="冯宏博", scope=scope)
    complaints.complaint_add_evidence(
        actor=supervisor,
        complaint_id=c.pk,
        upload=_evidence("窗口监控记录.pdf", "window camera log (demo)"),
        note="调取的窗口监控时间记录",
        scope=scope,
    )
    # 3: substantiated, with accountability (a 12345 complaint about the Lanshan hall)
    c = complaints.complaint_file(
        actor=hotline,
        source="hotline",
        hotline_ticket="12345-DEMO-0003",
        department_id=lanshan_dept.pk,
        subject_kind="window",
        window_id=lanshan_window.pk if lanshan_window else None,
        subject_note="" if lanshan_window else "5号窗口",
        content="在兰山区政务服务中心办理许可时，被要求提供办事指南以外的房东身份证复印件。",
        complainant_name="张先生",
        complainant_phone="13905391003",
        scope=org_api.scope_for_user(hotline),
        submission_key=COMPLAINT_KEY.format(3),
    )
    complaints.complaint_accept(actor=supervisor, complaint_id=c.pk, scope=scope)
    complaints.complaint_investigate(actor=supervisor, complaint_id=c.pk, investigator="冯宏博", scope=scope)
    complaints.complaint_conclude(
        actor=supervisor,
        complaint_id=c.pk,
        conclusion="substantiated",
        findings="经核查窗口受理记录和录音，窗口人员确实要求提供清单以外材料，投诉属实。",
        scope=scope,
    )
    complaints.accountability_decide(
        actor=supervisor,
        complaint_id=c.pk,
        subject_kind="window" if lanshan_window else "department",
        window_id=lanshan_window.pk if lanshan_window else None,
        measure_id=AccountabilityMeasure.objects.get(code="reminder_talk").pk,
        facts="窗口要求提交办事指南清单以外的材料，对窗口负责人进行提醒谈话。",
        scope=scope,
    )
    # 4: declined
    c = complaints.complaint_file(
        actor=supervisor,
        source="hall",
        department_id=city_dept.pk,
        subject_kind="department",
        content="对企业投资项目备案的法定条件有不同意见，要求取消该备案制度。",
        complainant_name="钱女士",
        complainant_phone="13905392004",
        scope=scope,
        submission_key=COMPLAINT_KEY.format(4),
    )
    complaints.complaint_decline(
        actor=supervisor,
        complaint_id=c.pk,
        reason="所反映的是对法律法规规定本身的意见，不属于效能投诉受理范围，已告知通过12345热线提出建议。",
        scope=scope,
    )


# --- the whole loop --------------------------------------------------------------------------------


@transaction.atomic
def load() -> Result:
    """Loads the demo's 好差评 loop (after city, catalog and licences); idempotent."""
    if not StaffMember.objects.filter(user__username="supervisor").exists():
        return Result()  # the city is not loaded
    case_ids, new = [], 0
    for n, (who, item_code, region_code, project) in enumerate(CASES):
        case_id, created = _finish(n, who, item_code, region_code, project)
        case_ids.append(case_id)
        new += created
    if new == len(CASES):  # made now: the loop's steps follow, once
        today = timezone.localdate()
        for i, channel, level, comment in GOOD:
            _rate(case_ids[i], channel, level, comment=comment)
        for i, channel, level, reasons, comment in BAD:
            _rate(case_ids[i], channel, level, reasons, comment)
        _work_rectifications(case_ids)
        _pad_visits(case_ids)
        _callbacks(case_ids, today)
        days = int(getattr(settings, "BANHAO_RATING_DEFAULT_DAYS", 5))
        ratings.rating_default_sweep(today=add_workdays(today, days + 1))
    _complaints()
    res = summary(case_ids)
    res.new_cases = new
    return res


def summary(case_ids: list[int] | None = None) -> Result:
    from banhao.evaluation.models_appeals import Appeal
    from banhao.evaluation.models_complaints import AccountabilityRecord

    if case_ids is None:
        case_ids = list(
            Case.objects.filter(idempotency_key__startswith="demo-rating-").values_list("pk", flat=True)
        )
    res = Result()
    res.ratings = Rating.objects.filter(current=True, is_default=False).count()
    res.pad = Rating.objects.filter(channel=Rating.Channel.HALL_PAD).count()
    res.bad = Rating.objects.filter(
        current=True, is_default=False, excluded=False, level__in=BAD_LEVELS
    ).count()
    res.defaults = Rating.objects.filter(is_default=True).count()
    labels = dict(Rectification.Status.choices)
    for status in Rectification.objects.values_list("status", flat=True):
        res.rectifications[labels[status]] = res.rectifications.get(labels[status], 0) + 1
    res.appeals_pending = Appeal.objects.filter(status=Appeal.Status.PENDING).count()
    res.excluded = Rating.objects.filter(excluded=True).count()
    res.callbacks_pending = Callback.objects.filter(status=Callback.Status.PENDING).count()
    res.callbacks_done = Callback.objects.exclude(status=Callback.Status.PENDING).count()
    c_labels = dict(Complaint.Status.choices)
    for status in Complaint.objects.values_list("status", flat=True):
        res.complaints[c_labels[status]] = res.complaints.get(c_labels[status], 0) + 1
    res.accountability = AccountabilityRecord.objects.count()
    fed = (
        Rectification.objects.filter(status=Rectification.Status.FED_BACK, rating__case_id__in=case_ids)
        .select_related("rating__rater")
        .first()
    )
    if fed is not None and fed.rating.rater_id is not None:
        from banhao.registry.models import ApplicantAccount

        account = ApplicantAccount.objects.select_related("person", "organization").filter(
            user_id=fed.rating.rater_id
        )
        account = account.first()
        if account is not None:  # the login the demo prints: the phone
            holder = account.organization.name if account.organization else account.person.name
            res.fed_back_login = f"{account.person.phone}（{holder}）"
            res.fed_back_path = rect.feedback_path(fed)
    return res
