"""The demo city's 12345 tickets: a few of each kind in the states of their life cycle, so the
hotline desk (account ``hotline``) and 兰山区行政审批服务局 (``reviewer_lanshan``) have work to see.

Loading again changes nothing: a ticket is received once by its 12345 number, and its steps are
taken only when it was received now.
"""

from __future__ import annotations

from banhao.evaluation import tickets
from banhao.org.models import Department, Region

ACTOR = "演示数据载入"
DEPARTMENT = "兰山区行政审批服务局"

# (12345 number, kind, title, content, caller, phone, steps taken after receipt)
TICKETS = [
    (
        "12345-DEMO-0001",
        "consult",
        "食品经营许可需要哪些材料",
        "想在兰山区开一家小餐馆，询问食品经营许可需要准备的材料和办理时间。",
        "王先生",
        "13905391001",
        [],
    ),
    (
        "12345-DEMO-0002",
        "help",
        "营业执照遗失如何补领",
        "个体工商户营业执照遗失，询问补领流程，能否网上办理。",
        "刘女士",
        "13905391002",
        ["dispatch"],
    ),
    (
        "12345-DEMO-0003",
        "complaint",
        "窗口要求提供清单以外的材料",
        "在兰山区政务服务中心办理许可时，被要求提供房东身份证复印件，办事指南没有这项。",
        "张先生",
        "13905391003",
        ["dispatch", "sign"],
    ),
    (
        "12345-DEMO-0004",
        "suggestion",
        "建议延长周六服务时间",
        "建议政务服务大厅周六全天开放，方便上班族办事。",
        "陈女士",
        "13905391004",
        ["dispatch", "sign", "answer"],
    ),
    (
        "12345-DEMO-0005",
        "consult",
        "二手房过户是否需要预约",
        "询问二手房不动产转移登记是否需要提前预约，可以网上预约吗。",
        "赵先生",
        "13905391005",
        ["dispatch", "sign", "answer", "callback", "close"],
    ),
]
ANSWER = "您好，已按您的诉求核实办理，具体情况已电话告知，感谢您对政务服务工作的监督和支持。"


def load() -> int:
    """Receives the demo tickets; returns how many were new."""
    region = Region.objects.filter(code="371302").first()
    department = Department.objects.filter(name=DEPARTMENT).first()
    if region is None or department is None:  # the city is not loaded (city.load first)
        return 0
    new = 0
    for number, kind, title, content, caller, phone, steps in TICKETS:
        data = {
            "number": number,
            "kind": kind,
            "title": title,
            "content": content,
            "caller_name": caller,
            "caller_phone": phone,
        }
        received = tickets.ticket_receive(
            actor=ACTOR, data=data, region_id=region.pk, source="12345热线（演示）"
        )
        if not received.created:
            continue
        new += 1
        args = {
            "dispatch": {"department_id": department.pk},
            "answer": {"answer": ANSWER},
            "callback": {"outcome": "reached", "resolved": "yes", "level": "5"},
        }
        for step in steps:
            tickets.ticket_act(received.ticket.pk, step, ACTOR, **args.get(step, {}))
    return new
