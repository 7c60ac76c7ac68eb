"""One form and one set of materials per stage (一表申请、一套材料), as a computation.

For a project and one of its stages: the merged form is the union of the member items' form
fields, a field counted once when another item already asked for the same key or the same
label, prefilled from the project and the registry; the situation questions are asked once;
the merged material list counts a material once (by name), and drops what the owner already
holds as a valid e-licence (免提交) and what an earlier stage of this project produces.
This is the stage's 一次告知: what the owner must answer and bring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from banhao.catalog import api as catalog_api
from banhao.licences import api as licences_api
from banhao.registry import api as registry_api

from .models import Project, Stage

YES = "是"


def _norm(text) -> str:
    return "".join(str(text or "").split())


@dataclass
class MergedField:
    key: str
    label: str
    type: str
    required: bool
    value: str
    source: str  # "project", "registry" or "" (the owner types it)
    situation: str
    items: list[str] = field(default_factory=list)


@dataclass
class MergedMaterial:
    name: str
    required: bool
    situation: str
    standard: str
    items: list[str] = field(default_factory=list)
    dropped: str = ""  # why it need not be brought (empty: bring it)


@dataclass
class Situation:
    key: str
    question: str
    items: list[str] = field(default_factory=list)


@dataclass
class StageNotice:
    project_id: int
    stage_id: int
    stage_name: str
    items: list[tuple[str, bool]]  # (item name, parallel)
    unpublished: list[int]  # implementations of the stage without a published version
    situations: list[Situation]
    fields: list[MergedField]
    materials: list[MergedMaterial]  # to bring
    dropped: list[MergedMaterial]  # 免提交 and produced earlier

    @property
    def prefilled(self) -> int:
        return sum(1 for f in self.fields if f.value)


# The project's own facts for the form fields that ask for them (by key, else by label).
_PROJECT_KEYS = {
    "project_code": "code",
    "project_name": "name",
    "project_site": "location",
    "project_location": "location",
    "construction_site": "location",
    "total_investment": "total_investment",
    "construction_scale": "scale",
    "scale": "scale",
}
_PROJECT_LABELS = {
    "投资项目代码": "code",
    "项目代码": "code",
    "项目名称": "name",
    "工程名称": "name",
    "建设地点": "location",
    "建设位置": "location",
    "工程地点": "location",
    "项目地点": "location",
    "总投资（万元）": "total_investment",
    "建设规模及内容": "scale",
}


def _item_contents(stage: Stage) -> tuple[list[tuple[dict[str, Any], bool]], list[int]]:
    contents, unpublished = [], []
    for si in stage.items.all().order_by("parallel", "order", "id"):
        _impl, version = catalog_api.published_for_application(si.implementation_id)
        if version is None:
            unpublished.append(si.implementation_id)
            continue
        contents.append((catalog_api.version_content(version), si.parallel))
    return contents, unpublished


def _earlier_results(project: Project, stage: Stage) -> dict[str, str]:
    """{result name: stage name} of the items of this project's earlier stages."""
    out: dict[str, str] = {}
    for earlier in project.track_version.stages.filter(order__lt=stage.order).order_by("order"):
        contents, _ = _item_contents(earlier)
        for content, _parallel in contents:
            name = _norm(content.get("result_name"))
            if name:
                out.setdefault(name, earlier.name)
    return out


def _registry_value(source: str, organization, identity) -> str | None:
    owner, _, attribute = (source or "").partition(".")
    if owner == "org" and organization is not None:
        if attribute in {f for f in organization.__dataclass_fields__ if f != "id"}:
            return str(getattr(organization, attribute) or "")
        return None
    if owner == "person" and identity is not None:
        return identity.value(source)
    return None


def stage_notice(
    project: Project, stage: Stage, *, user=None, answers: dict[str, str] | None = None
) -> StageNotice:
    """The stage's merged form and material list for the project. `user` is the owner's login (the
    person fields are prefilled from it); `answers` ({situation key: "是"/"否"}) leave out what
    does not apply; without answers every conditional field and material is listed with its
    condition."""
    if stage.version_id != project.track_version_id:
        raise ValueError("the stage is not on the project's track")
    contents, unpublished = _item_contents(stage)
    organization = registry_api.organization_by_id(project.owner_organization_id)
    identity = registry_api.applicant_identity(user) if user is not None else None

    def applies(situation: str) -> bool:
        return not situation or answers is None or answers.get(situation) == YES

    situations: dict[str, Situation] = {}
    questions: dict[str, str] = {}  # normalised question -> key kept
    alias: dict[str, str] = {}  # a situation key -> the key kept for the same question
    for content, _p in contents:
        for s in content.get("situations") or []:
            q = _norm(s.get("question"))
            kept = (situations.get(s["key"]) and s["key"]) or questions.get(q)
            if kept:
                alias[s["key"]] = kept
                if content["name"] not in situations[kept].items:
                    situations[kept].items.append(content["name"])
                continue
            situations[s["key"]] = Situation(s["key"], s.get("question", ""), [content["name"]])
            questions[q] = s["key"]
            alias[s["key"]] = s["key"]

    fields: list[MergedField] = []
    by_key: dict[str, MergedField] = {}
    by_label: dict[str, MergedField] = {}
    for content, _p in contents:
        for f in content.get("form_fields") or []:
            situation = alias.get(f.get("situation") or "", f.get("situation") or "")
            if not applies(situation):
                continue
            label = _norm(f.get("label"))
            seen = by_key.get(f["key"]) or by_label.get(label)
            if seen is not None:
                seen.required = seen.required or bool(f.get("required"))
                if not situation:
                    seen.situation = ""
                if content["name"] not in seen.items:
                    seen.items.append(content["name"])
                continue
            value, source = "", ""
            attr = _PROJECT_KEYS.get(f["key"]) or _PROJECT_LABELS.get(label)
            if attr:
                value, source = str(getattr(project, attr)), "project"
            else:
                v = _registry_value(f.get("prefill") or "", organization, identity)
                if v:
                    value, source = v, "registry"
            mf = MergedField(
                key=f["key"], label=f.get("label", ""), type=f.get("type", "text"),
                required=bool(f.get("required")), value=value, source=source,
                situation=situation, items=[content["name"]],
            )  # fmt: skip
            fields.append(mf)
            by_key[mf.key] = mf
            by_label[label] = mf

    earlier = _earlier_results(project, stage)
    held: dict[str, list] = {}
    materials: list[MergedMaterial] = []
    by_name: dict[str, MergedMaterial] = {}
    for content, _p in contents:
        for m in content.get("materials") or []:
            situation = alias.get(m.get("situation") or "", m.get("situation") or "")
            if not applies(situation):
                continue
            name = _norm(m.get("name"))
            seen = by_name.get(name)
            if seen is not None:
                seen.required = seen.required or bool(m.get("required"))
                if not situation:
                    seen.situation = ""
                if content["name"] not in seen.items:
                    seen.items.append(content["name"])
                continue
            mm = MergedMaterial(
                name=m.get("name", ""), required=bool(m.get("required")), situation=situation,
                standard=m.get("standard", ""), items=[content["name"]],
            )  # fmt: skip
            licence_type = _norm(m.get("licence_type"))
            produced_by = earlier.get(name) or (earlier.get(licence_type) if licence_type else None)
            if produced_by:
                mm.dropped = f"由本项目“{produced_by}”阶段产生，部门间共享，免于提交"
            elif licence_type:
                type_name = licences_api.licence_type_for_material(m.get("licence_type"))
                if type_name:
                    if type_name not in held:
                        held[type_name] = licences_api.licences_held(
                            person_id=None, organization_id=project.owner_organization_id, type_name=type_name
                        )
                    if held[type_name]:
                        mm.dropped = f"已有有效电子证照“{held[type_name][0].name}”，免于提交"
            materials.append(mm)
            by_name[name] = mm

    return StageNotice(
        project_id=project.pk,
        stage_id=stage.pk,
        stage_name=stage.name,
        items=[(c["name"], p) for c, p in contents],
        unpublished=unpublished,
        situations=list(situations.values()),
        fields=fields,
        materials=[m for m in materials if not m.dropped],
        dropped=[m for m in materials if m.dropped],
    )
