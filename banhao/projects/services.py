"""Registering projects, choosing and versioning tracks, and the stages' clocks.

Every change writes an audit event inside its transaction. Bad input raises ValidationError in
Chinese and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from banhao.core.audit import audit_record, snapshot
from banhao.core.calendar import workdays_between
from banhao.core.identifiers import normalize_project_code, project_code_division
from banhao.org import api as org_api
from banhao.registry import api as registry_api

from .models import (
    InvestmentKind,
    KeyLevel,
    Project,
    Stage,
    StageItem,
    StageRun,
    Track,
    TrackVersion,
    UseKind,
)

STANDARD_STAGES = {1: "立项用地规划许可", 2: "工程建设许可", 3: "施工许可", 4: "竣工验收"}


# --- the registry ---------------------------------------------------------------------------


def project_region(code: str) -> org_api.RegionInfo:
    """The platform's region for the code's division (a code from elsewhere is refused)."""
    division = project_code_division(code)
    region = org_api.region_for_division_code(division)
    if region is None or region.code != division:
        raise ValidationError(
            {"code": [f"投资项目代码中的行政区划代码{division}不属于本平台的区域，请向项目所在地申请。"]}
        )
    return region


def choose_track_version(*, investment_kind: str, simple_low_risk: bool, small: bool) -> TrackVersion:
    """The published version of the track that fits: same risk class, the kind or any, small-only
    tracks only for small projects; the highest priority first."""
    candidates = (
        Track.objects.filter(active=True, simple_low_risk=simple_low_risk)
        .filter(investment_kind__in=[investment_kind, Track.Kind.ANY])
        .order_by("-priority", "key")
    )
    for track in candidates:
        if track.small_only and not small:
            continue
        version = track.versions.filter(status=TrackVersion.Status.PUBLISHED).first()
        if version is not None:
            return version
    raise ValidationError("没有适用于这类项目的已发布审批路线，请联系工程建设项目审批管理部门。")


@dataclass(frozen=True)
class ProjectData:
    code: str
    name: str
    investment_kind: str
    use_kind: str
    location: str
    scale: str
    total_investment: str | Decimal
    simple_low_risk: bool = False
    small: bool = False
    key_level: str = ""


def _clean(data: ProjectData) -> dict:
    errors: dict[str, list[str]] = {}
    out: dict = {}
    try:
        out["code"] = normalize_project_code(data.code)
    except ValidationError as e:
        errors["code"] = e.messages
    for f, label, limit in (
        ("name", "项目名称", 120),
        ("location", "建设地点", 160),
        ("scale", "建设规模及内容", 400),
    ):
        text = (getattr(data, f) or "").strip()
        if not text:
            errors[f] = [f"请填写{label}。"]
        elif len(text) > limit:
            errors[f] = [f"{label}不得超过{limit}字。"]
        out[f] = text
    if data.investment_kind not in InvestmentKind.values:
        errors["investment_kind"] = ["请选择投资类型（政府投资或社会投资）。"]
    if data.use_kind not in UseKind.values:
        errors["use_kind"] = ["请选择项目类别（工业类或民用建筑类）。"]
    if data.key_level not in KeyLevel.values:
        errors["key_level"] = ["重点项目级别只能是市级或县级。"]
    try:
        money = Decimal(str(data.total_investment).strip())
        if not money.is_finite() or money <= 0 or money >= Decimal("1e12"):
            raise InvalidOperation
        out["total_investment"] = money.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors["total_investment"] = ["总投资应为大于0的金额（万元）。"]
    if data.simple_low_risk and data.investment_kind == InvestmentKind.GOVERNMENT:
        errors["simple_low_risk"] = ["简易低风险项目限社会投资项目。"]
    if errors:
        raise ValidationError(errors)
    out.update(
        investment_kind=data.investment_kind,
        use_kind=data.use_kind,
        simple_low_risk=bool(data.simple_low_risk),
        small=bool(data.small),
        key_level=data.key_level,
    )
    return out


def project_register(*, actor, owner_organization_id: int, data: ProjectData) -> Project:
    """Registers a project for an enterprise of the registry. A project without a valid code, with a
    code from outside the platform's regions or a code already registered is refused."""
    owner = registry_api.organization_by_id(owner_organization_id)
    if owner is None:
        raise ValidationError("建设单位不在主体库中，请先完成企业登记。")
    fields = _clean(data)
    region = project_region(fields["code"])
    if Project.objects.filter(code=fields["code"]).exists():
        raise ValidationError({"code": ["该投资项目代码已登记，请勿重复登记。"]})
    version = choose_track_version(
        investment_kind=fields["investment_kind"],
        simple_low_risk=fields["simple_low_risk"],
        small=fields["small"],
    )
    try:
        with transaction.atomic():
            project = Project.objects.create(
                **fields,
                owner_organization_id=owner.id,
                owner_name=owner.name,
                owner_credit_code=owner.credit_code,
                region_id=region.id,
                track_version=version,
            )
            StageRun.objects.bulk_create(StageRun(project=project, stage=s) for s in version.stages.all())
            audit_record(
                actor=actor, obj=project, action="projects.project_register", after=snapshot(project)
            )
    except IntegrityError:
        raise ValidationError({"code": ["该投资项目代码已登记，请勿重复登记。"]}) from None
    return project


def projects_of_owner(organization_id: int):
    return Project.objects.filter(owner_organization_id=organization_id).select_related(
        "region", "track_version"
    )


# --- track versions (like standard texts: a published version is never edited) -------------


def _require_draft(version: TrackVersion) -> None:
    if version.status != TrackVersion.Status.DRAFT:
        raise ValidationError("已发布的路线版本不能修改，请复制为新版本后再改。")


def version_check(version: TrackVersion) -> list[str]:
    """What keeps a draft from being published (empty when it can be)."""
    problems: list[str] = []
    stages = list(version.stages.prefetch_related("items"))
    if not stages:
        return ["路线版本还没有阶段。"]
    covered: list[int] = []
    for s in stages:
        if not s.covers or any(c not in STANDARD_STAGES for c in s.covers):
            problems.append(f"阶段“{s.name}”的对应标准阶段应为1至4。")
        covered += list(s.covers)
        if not any(not i.parallel for i in s.items.all()):
            problems.append(f"阶段“{s.name}”还没有主线事项。")
    if sorted(covered) != [1, 2, 3, 4]:
        problems.append(
            "各阶段应恰好覆盖立项用地规划许可、工程建设许可、施工许可、竣工验收四个标准阶段各一次。"
        )
    orders = [c for s in stages for c in s.covers]
    if orders != sorted(orders):
        problems.append("阶段顺序应与标准阶段的先后一致。")
    total = sum(s.limit_days for s in stages)
    if total > version.main_limit_days:
        problems.append(f"各阶段时限之和{total}个工作日超过主流程时限{version.main_limit_days}个工作日。")
    if version.main_limit_days > version.whole_limit_days:
        problems.append("主流程时限不能超过全流程时限。")
    return problems


@transaction.atomic
def version_publish(*, actor, version: TrackVersion) -> TrackVersion:
    version = TrackVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    problems = version_check(version)
    if problems:
        raise ValidationError(problems)
    before = snapshot(version)
    for old in TrackVersion.objects.select_for_update().filter(track_id=version.track_id, status="published"):
        old_before = snapshot(old)
        old.status = TrackVersion.Status.RETIRED
        old.save(update_fields=["status"])
        audit_record(
            actor=actor,
            obj=old,
            action="projects.trackversion_retire",
            before=old_before,
            after=snapshot(old),
        )
    version.status = TrackVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        obj=version,
        action="projects.trackversion_publish",
        before=before,
        after=snapshot(version),
    )
    return version


@transaction.atomic
def version_copy(*, actor, version: TrackVersion, note: str = "") -> TrackVersion:
    """A new draft with the same limits, stages and items (the source stays as it is)."""
    Track.objects.select_for_update().get(pk=version.track_id)
    if version.track.versions.filter(status=TrackVersion.Status.DRAFT).exists():
        raise ValidationError("这条路线已有草稿版本，请先编辑或发布该草稿。")
    number = (version.track.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    draft = TrackVersion.objects.create(
        track_id=version.track_id,
        number=number,
        main_limit_days=version.main_limit_days,
        whole_limit_days=version.whole_limit_days,
        basis=version.basis,
        note=note or f"由第{version.number}版复制",
    )
    for s in version.stages.prefetch_related("items"):
        copy = Stage.objects.create(
            version=draft, order=s.order, name=s.name, covers=list(s.covers),
            lead_department_id=s.lead_department_id, limit_days=s.limit_days,
        )  # fmt: skip
        StageItem.objects.bulk_create(
            StageItem(stage=copy, implementation_id=i.implementation_id, parallel=i.parallel, order=i.order)
            for i in s.items.all()
        )
    audit_record(actor=actor, obj=draft, action="projects.trackversion_copy", after=snapshot(draft))
    return draft


@transaction.atomic
def stage_change(*, actor, stage: Stage, **changes) -> Stage:
    """Changes a draft's stage (name, limit, lead, covers); refused on a published version."""
    stage = Stage.objects.select_for_update().select_related("version").get(pk=stage.pk)
    _require_draft(stage.version)
    before = snapshot(stage)
    for k, v in changes.items():
        if k not in {"name", "limit_days", "lead_department_id", "covers"}:
            raise ValidationError(f"不能修改阶段的{k}。")
        setattr(stage, k, v)
    stage.save()
    audit_record(actor=actor, obj=stage, action="projects.stage_change", before=before, after=snapshot(stage))
    return stage


# --- the stages' clocks ----------------------------------------------------------------------


@dataclass(frozen=True)
class StageDays:
    stage_id: int
    order: int
    name: str
    covers: tuple[int, ...]
    status: str
    opened_on: dt.date | None
    done_on: dt.date | None
    limit_days: int
    used_days: int | None  # None: not started

    @property
    def within(self) -> bool | None:
        return None if self.used_days is None else self.used_days <= self.limit_days


def stage_days(project: Project, *, today: dt.date | None = None) -> list[StageDays]:
    """The working days each stage has used: from its opening (not counted) to its end, or to today
    while it is open (banhao.core.calendar.workdays_between)."""
    today = today or timezone.localdate()
    runs = {r.stage_id: r for r in project.stage_runs.all()}
    out = []
    for s in sorted(project.track_version.stages.all(), key=lambda s: s.order):
        r = runs.get(s.pk)
        used = None
        if r is not None and r.opened_on is not None:
            used = max(0, workdays_between(r.opened_on, r.done_on or today))
        out.append(
            StageDays(
                stage_id=s.pk, order=s.order, name=s.name, covers=tuple(s.covers),
                status=r.status if r else StageRun.Status.NOT_STARTED,
                opened_on=r.opened_on if r else None, done_on=r.done_on if r else None,
                limit_days=s.limit_days, used_days=used,
            )
        )  # fmt: skip
    return out


def project_report(project: Project, *, today: dt.date | None = None) -> dict:
    """The report's entry for one project (shape in docs/projects.md)."""
    today = today or timezone.localdate()
    stages = stage_days(project, today=today)
    version = project.track_version
    started = [s for s in stages if s.opened_on is not None]
    main_used = sum(s.used_days or 0 for s in started)
    whole_used = None
    if started:
        first = min(s.opened_on for s in started)
        finished = all(s.done_on is not None for s in stages)
        last = max(s.done_on for s in stages) if finished else today
        whole_used = max(0, workdays_between(first, last))
    return {
        "code": project.code,
        "name": project.name,
        "region": project.region.name,
        "track": version.track.name,
        "track_version": version.number,
        "stages": [
            {
                "order": s.order,
                "name": s.name,
                "covers": list(s.covers),
                "status": s.status,
                "opened_on": s.opened_on.isoformat() if s.opened_on else None,
                "done_on": s.done_on.isoformat() if s.done_on else None,
                "used_days": s.used_days,
                "limit_days": s.limit_days,
                "within_limit": s.within,
            }
            for s in stages
        ],
        "main_days": main_used,
        "main_limit_days": version.main_limit_days,
        "main_within_limit": main_used <= version.main_limit_days,
        "whole_days": whole_used,
        "whole_limit_days": version.whole_limit_days,
        "whole_within_limit": None if whole_used is None else whole_used <= version.whole_limit_days,
        "within_limits": main_used <= version.main_limit_days
        and (whole_used is None or whole_used <= version.whole_limit_days)
        and all(s.within is not False for s in stages),
        "finished": bool(stages) and all(s.status == StageRun.Status.DONE for s in stages),
    }


@transaction.atomic
def stage_run_record(*, actor, run: StageRun, opened_on: dt.date, done_on: dt.date | None = None) -> StageRun:
    """Records when a stage began and (when given) ended. The parallel review of the next session
    sets these as the stage's cases are accepted and concluded; the demo and corrections by the
    project office use it directly. Refused: an end before the start, a start in the future, a
    stage that begins before the previous stage began."""
    run = StageRun.objects.select_for_update().select_related("stage").get(pk=run.pk)
    today = timezone.localdate()
    if opened_on > today or (done_on is not None and done_on > today):
        raise ValidationError("阶段的开始和办结日期不能晚于今天。")
    if done_on is not None and done_on < opened_on:
        raise ValidationError("阶段的办结日期不能早于开始日期。")
    previous = (
        StageRun.objects.filter(project_id=run.project_id, stage__order__lt=run.stage.order)
        .order_by("-stage__order")
        .first()
    )
    if previous is not None and (previous.opened_on is None or previous.opened_on > opened_on):
        raise ValidationError("上一阶段开始之前，本阶段不能开始。")
    before = snapshot(run)
    run.opened_on, run.done_on = opened_on, done_on
    run.status = StageRun.Status.DONE if done_on else StageRun.Status.OPEN
    run.save(update_fields=["opened_on", "done_on", "status"])
    audit_record(actor=actor, obj=run, action="projects.stagerun_record", before=before, after=snapshot(run))
    return run


@transaction.atomic
def stage_item_add(*, actor, stage: Stage, implementation_id: int, parallel: bool) -> StageItem:
    """Adds a published catalog implementation to a draft's stage (main line or parallel)."""
    from banhao.catalog import api as catalog_api

    stage = Stage.objects.select_for_update().select_related("version").get(pk=stage.pk)
    _require_draft(stage.version)
    impl, version = catalog_api.published_for_application(implementation_id)
    if impl is None or version is None:
        raise ValidationError("只能加入已发布的事项实施清单。")
    if StageItem.objects.filter(stage__version=stage.version, implementation_id=impl.pk).exists():
        raise ValidationError("该事项已在本路线版本的某个阶段中。")
    order = (stage.items.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    item = StageItem.objects.create(
        stage=stage, implementation_id=impl.pk, parallel=bool(parallel), order=order
    )
    audit_record(actor=actor, obj=item, action="projects.stageitem_add", after=snapshot(item))
    return item


@transaction.atomic
def stage_item_remove(*, actor, item: StageItem) -> None:
    item = StageItem.objects.select_for_update().select_related("stage__version").get(pk=item.pk)
    _require_draft(item.stage.version)
    audit_record(actor=actor, obj=item, action="projects.stageitem_remove", before=snapshot(item))
    item.delete()
