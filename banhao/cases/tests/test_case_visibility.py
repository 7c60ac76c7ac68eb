"""Who may read a case (issue 10, fix 1): one scoped reader, selectors.case_visible_to, behind
every case page, notice PDF and the API. Roles without ``cases.view`` (a helper, a catalog
officer) see no case even in their own region; out of scope answers 404 like an absent case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from banhao.cases import selectors
from banhao.cases.tests.factories import advance
from banhao.core import pdf
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(db):
    return get_user_model().objects.create_user(
        username="13800000001", password=PASSWORD, kind="applicant", display_name="王芳"
    )


@pytest.fixture
def case(make_case, applicant):
    """A 兰山区 case of 兰山区行政审批服务局, accepted (so its acceptance notice exists)."""
    return advance(make_case(user=applicant), accepted=True, on=dt.date(2026, 2, 13))


def _page(case):
    return reverse("cases:detail", args=[case.number])


def _pdf(case):
    return reverse("cases:notice", args=[case.number, "acceptance"])


@pytest.mark.parametrize("role", ["helper", "catalog_officer"])
@pytest.mark.parametrize("region", ["lanshan", "city"])
def test_a_role_without_cases_view_gets_404_for_the_case_page_and_its_notice(
    client, case, make_staff, role, region
):
    user = make_staff(role, region=region)
    client.force_login(user)
    assert client.get(_page(case)).status_code == 404
    assert client.get(_pdf(case)).status_code == 404
    assert selectors.case_visible_to(user, case.number) is None
    # the same answer as for a number that does not exist
    assert client.get(reverse("cases:detail", args=["371302-20260101-99999"])).status_code == 404


@pytest.mark.parametrize("role", ["helper", "catalog_officer"])
def test_a_role_without_cases_view_reads_no_case_through_the_api_or_the_office(
    client, case, make_staff, role
):
    client.force_login(make_staff(role, region="lanshan"))
    assert client.get(f"/api/v1/cases/{case.number}/").status_code in (403, 404)
    assert client.get("/api/v1/cases/").status_code == 403
    assert client.get(reverse("cases_office:case_detail", args=[case.number])).status_code == 403


def test_the_staff_queryset_is_empty_for_a_role_without_cases_view(case, make_staff):
    from banhao.org.api import scope_for_user

    scope = scope_for_user(make_staff("catalog_officer", region="lanshan"))
    assert scope.allows(case.region_id, case.department_id)  # the region alone would let it in
    assert not selectors.cases_for_staff(scope).exists()
    assert selectors.case_for_staff(scope, case.number) is None


def test_a_reviewer_of_another_department_gets_404(client, case, make_staff, make_department):
    dept = make_department("兰山区市场监督管理局", region="lanshan")
    client.force_login(make_staff("reviewer", region="lanshan", department=dept))
    assert client.get(_page(case)).status_code == 404
    assert client.get(_pdf(case)).status_code == 404
    assert client.get(f"/api/v1/cases/{case.number}/").status_code == 404


def test_the_owner_and_a_clerk_in_scope_still_see_the_case_and_its_notice(
    client, case, applicant, make_staff
):
    pdf_ok = True
    try:
        pdf.check_available()
    except pdf.PdfUnavailable:
        pdf_ok = False
    clerk = make_staff("window_clerk", region="lanshan")
    for user in (applicant, clerk):
        client.force_login(user)
        page = client.get(_page(case))
        assert page.status_code == 200 and case.number in page.content.decode()
        notice = client.get(_pdf(case))
        # 503 (in Chinese) only where the PDF libraries are missing; never a 404 for these two
        assert notice.status_code == (200 if pdf_ok else 503)
        assert client.get(f"/api/v1/cases/{case.number}/").status_code == 200
        assert selectors.case_visible_to(user, case.number).pk == case.pk
    assert selectors.is_owner(case, applicant) and not selectors.is_owner(case, clerk)


def test_a_city_administrator_with_cases_view_sees_a_county_case(client, case, make_staff):
    client.force_login(make_staff("administrator", region="city"))
    assert client.get(_page(case)).status_code == 200
