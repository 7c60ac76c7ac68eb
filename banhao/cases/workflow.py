"""Who does each step of an item's process (办理流程), as data.

A standard text lists its process steps with the role that performs each (「窗口受理人员」,
「后台审批人员」, 「部门负责人」, 「制证人员」 …: free text, as the item's guide prints it). The platform
has fewer roles than a guide has names, so each name maps to one platform role (STEP_ROLES; a
name not listed is back-office work, done by a reviewer). From that:

- the **acceptance run**: the leading steps done by the applicant or at a window (申请, 受理).
  Acceptance completes them: the case moves to the first back-office step.
- the **decision step**: the department head's step where the process has one (部门负责人签批),
  otherwise the last back-office step. It is completed by the decision (准予/不予许可), never by
  "完成本环节"; only its role may decide, and only once the steps before it are done.
- every other back-office step can be completed only by the role it names.

A process without back-office steps (即办件 done at the window) has no decision step: a
reviewer or the head of the department decides at any point.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError

APPLICANT = "applicant"
WINDOW_CLERK = "window_clerk"
REVIEWER = "reviewer"
DEPARTMENT_HEAD = "department_head"

ROLE_LABELS = {
    APPLICANT: "申请人",
    WINDOW_CLERK: "窗口受理人员",
    REVIEWER: "后台审批人员",
    DEPARTMENT_HEAD: "部门负责人",
}

# Step role names in the catalog -> the platform role that performs the step.
STEP_ROLES: dict[str, str] = {
    "申请人": APPLICANT,
    "窗口受理人员": WINDOW_CLERK,
    "综合窗口人员": WINDOW_CLERK,
    "综合受理窗口": WINDOW_CLERK,
    "窗口送达人员": WINDOW_CLERK,
    "乡镇经办人员": WINDOW_CLERK,
    "乡镇（街道）经办人员": WINDOW_CLERK,
    "乡镇便民服务人员": WINDOW_CLERK,
    "部门负责人": DEPARTMENT_HEAD,
    "分管负责人": DEPARTMENT_HEAD,
}
FRONT = {APPLICANT, WINDOW_CLERK}


@dataclass(frozen=True)
class Step:
    index: int
    name: str
    role_label: str  # as the guide names it
    role: str  # the platform role


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    after_acceptance: int  # the step index a case reaches when accepted
    decision: int | None  # the decision step's index (None: no back-office step)

    @property
    def head_signs(self) -> bool:
        return self.decision is not None and self.steps[self.decision].role == DEPARTMENT_HEAD

    def step(self, index: int) -> Step | None:
        return self.steps[index] if 0 <= index < len(self.steps) else None


def step_role(label: str) -> str:
    return STEP_ROLES.get((label or "").strip(), REVIEWER)


def plan_for(steps: list[dict] | None) -> Plan:
    """The process of a version (its ``steps`` element) as a Plan."""
    rows = tuple(
        Step(
            i,
            str((s or {}).get("name") or ""),
            str((s or {}).get("role") or ""),
            step_role((s or {}).get("role")),
        )
        for i, s in enumerate(steps or [])
    )
    first_back = next((s.index for s in rows if s.role not in FRONT), None)
    if first_back is None:
        return Plan(rows, max(len(rows) - 1, 0), None)
    heads = [s.index for s in rows if s.role == DEPARTMENT_HEAD]
    if heads:
        decision = heads[0]
    else:
        back = [s.index for s in rows if s.role == REVIEWER]
        decision = back[-1] if back else first_back
    return Plan(rows, first_back, decision)


def _who(step: Step) -> str:
    return step.role_label or ROLE_LABELS.get(step.role, "")


def check_complete(plan: Plan, index: int, role: str) -> None:
    """Raises unless ``role`` may complete step ``index`` with 完成本环节: PermissionDenied when
    the step belongs to another role, ValidationError when the step is not completed this way."""
    step = plan.step(index)
    if step is not None and plan.decision is not None and index >= plan.decision:
        if index == plan.decision:
            raise ValidationError(f"“{step.name}”环节以作出决定完成，请使用“作出决定”。")
        raise ValidationError(f"“{step.name}”环节在作出决定后通过制证、送达完成。")
    if step is None or index >= len(plan.steps) - 1:
        raise ValidationError("该事项的办理流程没有下一个环节。")
    if step.role != role:
        raise PermissionDenied(f"“{step.name}”环节须由{_who(step)}办理。")


def may_decide(plan: Plan, role: str) -> str:
    """ "" when ``role`` may decide cases of this process, else the reason (a 403)."""
    if role not in (REVIEWER, DEPARTMENT_HEAD):
        return "您的角色无权作出决定。"
    if plan.head_signs and role != DEPARTMENT_HEAD:
        return "该事项须由部门负责人签批"
    return ""


def check_decide(plan: Plan, index: int, role: str) -> None:
    """Raises unless ``role`` may decide now: PermissionDenied for the wrong role (the head's
    sign-off), ValidationError while a step before the decision step is not done."""
    reason = may_decide(plan, role)
    if reason:
        raise PermissionDenied(reason + ("" if reason.endswith("。") else "。"))
    if plan.decision is not None and index < plan.decision:
        pending = plan.steps[index]
        raise ValidationError(f"请先完成“{pending.name}”环节（{_who(pending)}），再作出决定。")
