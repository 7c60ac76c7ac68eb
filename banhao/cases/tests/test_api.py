"""The cases JSON API: applicant and staff scopes, actions through the same services, errors in Chinese."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from banhao.cases import services
from banhao.cases.models import Case, CaseEvent, Status
from banhao.registry.services import applicant_account_open
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

API = "/api/v1/cases/"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def post(client, number, **body):
    return client.post(f"{API}{number}/actions/", json.dumps(body), content_type="application/json")


@pytest.fixture
def office(published_implementation, make_department, make_staff, make_case):
    impl, _ = published_implementation
    other = make_department("兰山区市场监督管理局", region="lanshan")
    ours, theirs = make_case(), make_case()
    Case.objects.filter(pk=theirs.pk).update(department=other)
    return {
        "ours": ours,
        "theirs": theirs,
        "reviewer": make_staff("reviewer", region="lanshan", department=impl.department),
        "reviewer2": make_staff("reviewer", region="lanshan", department=impl.department),
        "head": make_staff("department_head", region="lanshan", department=impl.department),
        "clerk": make_staff("window_clerk", region="lanshan"),
        "other_reviewer": make_staff("reviewer", region="lanshan", department=other),
    }


@pytest.fixture
def applicants(make_person):
    """Two applicant accounts (banhao.registry.services.applicant_account_open)."""
    a = make_person("371302", name="李雷", phone="13900000001")
    b = make_person("371302", name="韩梅梅", phone="13900000002")
    return (
        applicant_account_open(actor="测试", person=a, password=PASSWORD).user,
        applicant_account_open(actor="测试", person=b, password=PASSWORD).user,
    )


# --- reading ----------------------------------------------------------------------------


def test_an_applicant_reads_their_own_cases_and_never_anothers(client, make_case, applicants):
    li, han = applicants
    mine, hers = make_case(key="k-li", user=li), make_case(key="k-han", user=han)
    login(client, li)
    listing = client.get(API).json()
    assert [c["number"] for c in listing["results"]] == [mine.number]
    detail = client.get(f"{API}{mine.number}/").json()
    assert detail["status"] == "submitted" and detail["actions"] == [] and detail["assignee"] is None
    assert detail["form"] == [{"label": "经营者名称", "value": "临沂某餐饮店"}]
    assert client.get(f"{API}{hers.number}/").status_code == 404
    assert client.get(f"{API}{hers.number}/events/").status_code == 404
    events = client.get(f"{API}{mine.number}/events/").json()
    assert [e["action"] for e in events] == ["submit"]


def test_an_applicant_cannot_act_on_a_case(client, make_case, applicants):
    li, _ = applicants
    mine = make_case(key="k-li", user=li)
    login(client, li)
    response = post(client, mine.number, action="withdraw")
    assert response.status_code == 403 and response.json()["detail"] == "只有工作人员可以办理办件。"


def test_the_applicant_timeline_leaves_out_the_internal_review(client, make_case, applicants, make_staff):
    li, _ = applicants
    case = services.case_accept(actor="测试", case=make_case(key="k", user=li))
    case = services.case_claim(actor=make_staff("administrator"), case=case)
    services.case_record_opinion(actor="测试", case=case, opinion="内部意见")
    login(client, li)
    actions = [e["action"] for e in client.get(f"{API}{case.number}/events/").json()]
    assert actions == ["submit", "accept", "start_review"]


def test_a_reviewer_cannot_read_another_departments_case(client, office):
    login(client, office["reviewer"])
    numbers = [c["number"] for c in client.get(API).json()["results"]]
    assert numbers == [office["ours"].number]
    theirs = office["theirs"].number
    assert client.get(f"{API}{theirs}/").status_code == 404
    assert client.get(f"{API}{theirs}/events/").status_code == 404
    assert post(client, theirs, action="accept").status_code == 404
    assert Case.objects.get(number=theirs).status == Status.SUBMITTED


def test_staff_see_the_actions_they_may_take(client, office):
    login(client, office["clerk"])
    detail = client.get(f"{API}{office['ours'].number}/").json()
    assert detail["actions"] == ["accept", "request_correction", "refuse"]
    assert detail["applicant"].startswith("王芳（") and "*" in detail["applicant"]


def test_staff_without_case_permissions_and_anonymous_callers_are_refused(client, office, make_staff):
    assert client.get(API).status_code == 403  # not logged in
    login(client, make_staff("catalog_officer"))
    assert client.get(API).status_code == 403
    assert client.get(f"{API}{office['ours'].number}/").status_code == 403


def test_a_bad_query_gets_a_400_in_chinese(client, office):
    login(client, office["clerk"])
    response = client.get(API, {"page_size": 0, "status": "nonsense"})
    assert response.status_code == 400
    assert response.json()["page_size"] == ["每页条数不能小于1。"]
    assert "没有这种办件状态" in response.json()["status"][0]


# --- acting -----------------------------------------------------------------------------


def test_every_action_via_the_api_returns_the_new_status(client, office, make_case):
    reviewer, head, clerk = office["reviewer"], office["head"], office["clerk"]
    n = office["ours"].number

    def run(user, **body):
        client.logout()
        login(client, user)
        response = post(client, n, **body)
        assert response.status_code == 200, response.json()
        return response.json()

    assert run(clerk, action="accept", on=timezone.localdate().isoformat())["status"] == "accepted"
    assert run(reviewer, action="claim")["status"] == "under_review"
    data = run(head, action="assign", assignee=office["reviewer2"].pk)
    assert data["status"] == "under_review" and data["assignee"] == str(office["reviewer2"])
    data = run(office["reviewer2"], action="opinion", opinion="材料齐全", complete_step=True)
    assert data["status"] == "under_review" and data["current_step"] == "决定"  # 审查 done
    data = run(reviewer, action="suspend", kind="site", reason="现场勘验", expected_days=2)
    assert data["status"] == "suspended" and data["pauses"][0]["kind"] == "site"
    assert run(reviewer, action="resume")["status"] == "under_review"
    assert run(head, action="decide", decision="approve", reason="符合条件")["status"] == "approved"
    assert run(clerk, action="result_ready")["status"] == "result_ready"
    data = run(clerk, action="deliver", method="post", tracking_number="EMS123")
    assert data["status"] == "delivered" and data["tracking_number"] == "EMS123"
    assert run(clerk, action="conclude")["status"] == "concluded"

    n = make_case().number
    data = run(
        clerk,
        action="request_correction",
        items=[{"material": "营业执照", "reason": "已过期"}, {"material": "授权委托书", "reason": "未签字"}],
    )
    assert data["status"] == "correction"
    notice = CaseEvent.objects.get(case__number=n, action="request_correction")
    assert [i["material"] for i in notice.data["items"]] == ["营业执照", "授权委托书"]

    n = make_case().number
    data = run(clerk, action="refuse", reason="不属于本机关职权", competent_office="临沂市市场监督管理局")
    assert data["status"] == "refused" and data["competent_office"] == "临沂市市场监督管理局"

    events = client.get(f"{API}{office['ours'].number}/events/").json()
    assert events[-1]["action"] == "conclude" and events[-1]["to_status"] == "concluded"


def test_an_action_the_status_does_not_allow_returns_400_in_chinese(client, office):
    login(client, office["clerk"])
    response = post(client, office["ours"].number, action="deliver", method="pickup")
    assert response.status_code == 400
    assert response.json()["detail"] == "办件当前状态为“已提交”，不能“送达”。"
    client.logout()
    login(client, office["reviewer"])
    response = post(client, office["ours"].number, action="claim")
    assert response.status_code == 400
    assert response.json()["detail"] == "办件当前状态为“已提交”，不能“认领”。"


def test_bad_parameters_return_400_with_the_field_and_the_reason(client, office):
    case = services.case_claim(
        actor=office["reviewer"], case=services.case_accept(actor="测试", case=office["ours"])
    )
    login(client, office["reviewer"])
    response = post(client, case.number, action="suspend", kind="party", expected_days=0)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["kind"] == ["请选择特别程序的种类。"]
    assert errors["reason"] == ["请说明进入特别程序的原因。"]
    assert errors["expected_days"] == ["预计时长至少1个工作日。"]
    assert post(client, case.number, action="opinion", opinion="同意", complete_step=True).status_code == 200
    client.logout()
    login(client, office["head"])
    response = post(client, case.number, action="assign", assignee=office["other_reviewer"].pk)
    assert response.status_code == 400 and response.json()["errors"]["assignee"] == [
        "请选择本部门的工作人员。"
    ]
    response = post(client, case.number, action="decide", decision="deny", reason="")
    assert response.status_code == 400 and response.json()["detail"] == "不予许可必须说明理由。"
    assert post(client, case.number, action="fly").json()["errors"]["action"] == ["未知的操作。"]


def test_a_role_without_the_permission_gets_403(client, office):
    case = services.case_claim(
        actor=office["reviewer"], case=services.case_accept(actor="测试", case=office["ours"])
    )
    login(client, office["clerk"])
    response = post(client, case.number, action="opinion", opinion="x")
    assert response.status_code == 403 and "无权" in response.json()["detail"]
    client.logout()
    login(client, office["reviewer"])
    response = post(client, case.number, action="decide", decision="approve")
    assert response.status_code == 403
    assert "部门负责人" in response.json()["detail"]
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW


def test_actions_need_the_csrf_token(office):
    client = Client(enforce_csrf_checks=True)
    login(client, office["clerk"])
    response = post(client, office["ours"].number, action="accept")
    assert response.status_code == 403
    assert Case.objects.get(pk=office["ours"].pk).status == Status.SUBMITTED


def test_the_cases_api_is_in_the_schema(client):
    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    paths = schema["paths"]
    assert paths["/api/v1/cases/"]["get"]["summary"] == "办件列表"
    assert paths["/api/v1/cases/{number}/"]["get"]["summary"] == "办件详情"
    assert paths["/api/v1/cases/{number}/events/"]["get"]["summary"] == "办件办理过程"
    action = paths["/api/v1/cases/{number}/actions/"]["post"]
    assert action["summary"] == "办理办件（工作人员）" and {"200", "400", "403", "404"} <= set(
        action["responses"]
    )
