"""Staff roles and what each may do. Data, not code paths: views ask `role_can`."""

from django.db import models


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", "窗口受理人员"
    REVIEWER = "reviewer", "后台审批人员"
    DEPARTMENT_HEAD = "department_head", "部门负责人"
    HALL_MANAGER = "hall_manager", "大厅管理人员"
    SUPERVISOR = "supervisor", "督查人员"
    HELPER = "helper", "帮办代办员"
    CATALOG_OFFICER = "catalog_officer", "事项管理人员"
    ADMINISTRATOR = "administrator", "系统管理员"
    HOTLINE = "hotline", "12345热线人员"


# Roles whose data scope is narrowed to their own department as well as their region.
DEPARTMENT_SCOPED = {Role.REVIEWER, Role.DEPARTMENT_HEAD}

# Permissions by role. A permission is a short verb phrase; views check one each.
# catalog.view: read standard texts and implementations; catalog.edit: edit drafts, submit,
# and maintain implementations; catalog.publish: review and publish (a department head only
# for the department's own items); catalog.audit: the two-level audit (两级十同核查).
# cases.view: read cases in scope; cases.accept: pre-review, accept, one-notice correction,
# refuse; cases.review: claim, opinions, special procedures; cases.decide: the decision (and
# head sign-off); cases.deliver: result ready, hand-over, conclusion. licences.use: query
# licences and download watermarked copies through the sharing API (每次写明用证事由).
# evaluation.rectify: work the 差评整改 of one's department or hall (callback, verify, measures,
# feedback, appeal); evaluation.supervise: the region's rectifications and appeal review.
# complaints.register: register an efficiency complaint (效能投诉) made at the hall or through
# 12345; complaints.view: the complaints of the scope (a department head: its own department's);
# complaints.handle: accept/decline, investigate, conclude, tell the complainant, close;
# evaluation.supervise: the supervisor's workbench and accountability (责任追究) decisions;
# evaluation.department: a department head's view of its own rectifications and complaints.
# cases.rehandle: send a delivered or concluded case back for re-handling (重办, after a
# dissatisfied 12345 callback). hotline.callback: the callback work list and questionnaire;
# hotline.tickets: receive, dispatch and call back 12345 tickets; hotline.handle: sign and answer
# the tickets dispatched to one's department; hotline.metrics: the per-unit 12345 figures;
# hotline.reveal: see a caller's whole phone number (each time audited).
# licences.view: the licence register (电子证照) of the scope; licences.manage: suspend, resume
# and revoke a licence (an act of the issuing office, as a decision is: the department head).
# training.manage: the courses, sessions and attendance of 学习培训 and the training records
# of the scope (hall managers and supervisors).
# assessment.view: the scorecards (考核评分) of the scope (a department head: its own department
# and its staff); assessment.manage: approve manual bonus/deduction items (加分/扣分) asked by
# another person. Every staff member sees their own scorecard (/assessment/mine/) without either.
# assessment.select: run a 红旗窗口/服务明星 selection (create, exclude, nominate, decide, publish);
# assessment.nominate: nominate the windows and staff of one's own hall; assessment.review: vote
# on the nominations or sign them off (the approving leader); assessment.honours: the published
# lists and their notices (通报) — the leadership's and the departments' view.
# projects.view: the engineering construction projects (工程建设项目) of the scope, their stages'
# clocks and one-time notices; projects.tracks: the approval tracks (审批路线) — copy a published
# version into a draft, edit the draft's stages and items, publish it.
PERMISSIONS: dict[str, set[str]] = {
    Role.WINDOW_CLERK: {
        "registry.view",
        "org.view",
        "audit.view",
        "catalog.view",
        "cases.view",
        "cases.accept",
        "cases.deliver",
        "hall.desk",
        "hall.pickup",
        "licences.use",
        "complaints.register",
    },
    Role.REVIEWER: {
        "org.view",
        "catalog.view",
        "cases.view",
        "cases.accept",
        "cases.review",
        "cases.deliver",
        "licences.use",
        "licences.view",
        "evaluation.rectify",
        "hotline.handle",
        "projects.view",
    },
    Role.DEPARTMENT_HEAD: {
        "org.view",
        "audit.view",
        "catalog.view",
        "catalog.publish",
        "catalog.audit",
        "cases.view",
        "cases.review",
        "cases.decide",
        "cases.assign",
        "licences.view",
        "licences.manage",
        "evaluation.rectify",
        "complaints.view",
        "evaluation.department",
        "hotline.handle",
        "hotline.metrics",
        "assessment.view",
        "assessment.honours",
        "projects.view",
    },
    Role.HALL_MANAGER: {
        "registry.view",
        "org.view",
        "org.manage_hall",
        "audit.view",
        "catalog.view",
        "cases.view",
        "hall.stats",
        "hall.manage",
        "evaluation.rectify",
        "complaints.register",
        "complaints.view",
        "training.manage",
        "assessment.view",
        "assessment.nominate",
        "assessment.honours",
        "projects.view",
    },
    Role.SUPERVISOR: {
        "registry.view",
        "org.view",
        "audit.view",
        "catalog.view",
        "catalog.audit",
        "cases.view",
        "hall.stats",
        "licences.view",
        "complaints.register",
        "complaints.view",
        "complaints.handle",
        "evaluation.supervise",
        "hotline.metrics",
        "training.manage",
        "assessment.view",
        "assessment.manage",
        "assessment.select",
        "assessment.review",
        "assessment.honours",
        "projects.view",
    },
    Role.HELPER: {"registry.view", "org.view", "catalog.view", "projects.view"},
    Role.CATALOG_OFFICER: {
        "org.view",
        "audit.view",
        "catalog.view",
        "catalog.edit",
        "catalog.audit",
        "projects.view",
        "projects.tracks",
    },
    Role.ADMINISTRATOR: {
        "registry.view",
        "registry.change",
        "org.view",
        "org.manage",
        "org.manage_hall",
        "audit.view",
        "calendar.manage",
        "catalog.view",
        "catalog.edit",
        "catalog.publish",
        "catalog.audit",
        "cases.view",
        "hall.stats",
        "hall.manage",
        "licences.view",
        "assessment.view",
        "assessment.review",
        "assessment.honours",
        "projects.view",
        "projects.tracks",
    },
    Role.HOTLINE: {
        "org.view",
        "catalog.view",
        "cases.view",
        "cases.rehandle",
        "hotline.callback",
        "hotline.tickets",
        "hotline.metrics",
        "hotline.reveal",
        "complaints.register",
    },
}


def role_can(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, set())
