"""The portal, the elder-mode switch, each role's home page and the error pages."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from banhao.core.identifiers import make_org_code, make_resident_id, make_uscc
from banhao.core.middleware import ELDER_COOKIE
from banhao.org.models import Department, Region, StaffMember
from banhao.org.roles import Role
from banhao.portal import platform_map as pm
from banhao.portal import views

pytestmark = pytest.mark.django_db

PASSWORD = "Test-pass-2025"


@pytest.fixture
def region():
    return Region.objects.create(code="371302", name="兰山区", level=Region.Level.DISTRICT)


@pytest.fixture
def department(region):
    code = make_uscc("1", "1", "371302", make_org_code("00430804"))
    return Department.objects.create(name="兰山区行政审批服务局", credit_code=code, region=region)


def make_staff(role, region, department, username=None):
    user = get_user_model().objects.create_user(
        username=username or f"staff_{role}", password=PASSWORD, kind="staff", display_name=f"{role}姓名"
    )
    StaffMember.objects.create(
        user=user,
        name=f"{Role(role).label}甲",
        employee_no=f"E{role[:8]}",
        role=role,
        region=region,
        department=department,
    )
    return user


def assert_no_inline_code(html: str):
    assert 'style="' not in html
    assert not re.search(r"<style[\s>]", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> found"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler found"


# --- portal --------------------------------------------------------------------------------


def test_portal_renders_in_chinese_with_site_name_and_footer(client, settings):
    response = client.get(reverse("portal:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN"' in html
    assert settings.BANHAO_SITE["name"] in html
    assert "主办单位：" + settings.BANHAO_SITE["sponsor"] in html
    assert "承办单位：" + settings.BANHAO_SITE["operator"] in html
    assert '<meta name="SiteName"' in html
    assert '<meta name="ColumnName" content="首页">' in html
    for word in (
        "个人办事",
        "法人办事",
        "生育",
        "退休",
        "开办",
        "注销",
        "办件查询",
    ):
        assert word in html
    assert 'action="/search/"' in html and 'name="q"' in html  # the catalog search is live
    # every tile leads somewhere real; a service not built yet is not shown at all
    assert "bh-tile--soon" not in html and "建设中" not in html
    assert 'href="/cases/lookup/"' in html and 'href="/search/?q=生育"' in html
    for unbuilt in ("一件事一次办",):
        assert f'<span class="bh-tile__title">{unbuilt}</span>' not in html
    assert 'href="/complaints/new/"' in html  # 投诉建议 leads to the complaint form


def test_portal_shows_the_sections_in_service_and_leaves_out_the_others(client):
    html = client.get(reverse("portal:home")).content.decode()
    platform = html.split('id="bh-platform-title"', 1)[1]
    for section in pm.SECTIONS:
        live = pm.resolve_url(section.target) is not None
        assert (section.name in platform) is live, section.name
    assert "基础信息库" in platform and "平台建设情况" not in html


@override_settings(
    BANHAO_SITE={
        "name": "某市政务服务网",
        "short_name": "",
        "domain": "",
        "id_code": "",
        "sponsor": "某市行政审批服务局",
        "operator": "",
        "address": "",
        "phone": "",
        "icp": "",
        "police_record": "",
        "error_report_url": "",
    }
)
def test_empty_site_facts_are_hidden(client):
    html = client.get(reverse("portal:home")).content.decode()
    assert "主办单位：某市行政审批服务局" in html
    for label in (
        "承办单位：",
        "ICP备案号：",
        "公安机关备案号：",
        "网站标识码：",
        "联系电话：",
        "我为政府网站找错",
    ):
        assert label not in html
    assert 'name="SiteIDCode"' not in html


@override_settings(
    BANHAO_SITE={
        "name": "某市政务服务网",
        "short_name": "某办",
        "domain": "www.example.gov.cn",
        "id_code": "3713000001",
        "sponsor": "某市行政审批服务局",
        "operator": "某市政务服务中心",
        "address": "某市某路1号",
        "phone": "12345",
        "icp": "鲁ICP备00000000号",
        "police_record": "鲁公网安备00000000000000号",
        "error_report_url": "https://example.gov.cn/jiucuo",
    }
)
def test_every_site_fact_appears_when_set(client):
    html = client.get(reverse("portal:home")).content.decode()
    for text in (
        "承办单位：某市政务服务中心",
        "地址：某市某路1号",
        "联系电话：12345",
        "鲁ICP备00000000号",
        "公安机关备案号：鲁公网安备00000000000000号",
        "网站标识码：3713000001",
        "我为政府网站找错",
        '<meta name="SiteIDCode" content="3713000001">',
        '<meta name="SiteDomain" content="www.example.gov.cn">',
    ):
        assert text in html


def test_portal_carries_a_content_security_policy(client):
    response = client.get(reverse("portal:home"))
    policy = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy


def test_pages_have_no_inline_styles_or_scripts(client, region, department):
    assert_no_inline_code(client.get(reverse("portal:home")).content.decode())
    client.cookies[ELDER_COOKIE] = "1"
    assert_no_inline_code(client.get(reverse("portal:home")).content.decode())
    user = make_staff(Role.ADMINISTRATOR, region, None)
    client.force_login(user)
    assert_no_inline_code(client.get(reverse("portal:workbench")).content.decode())


def test_anonymous_header_offers_login_and_the_elder_switch(client):
    html = client.get(reverse("portal:home")).content.decode()
    assert reverse("accounts:login") in html
    assert "长辈版" in html
    assert "跳到主要内容" in html
    assert 'action="' + reverse("accounts:logout") + '"' not in html


def test_logged_in_header_offers_a_logout_form_and_the_workbench(client, region, department):
    user = make_staff(Role.WINDOW_CLERK, region, department)
    client.force_login(user)
    html = client.get(reverse("portal:home")).content.decode()
    logout = re.search(
        r'<form method="post" action="' + reverse("accounts:logout") + r'".*?</form>', html, re.S
    )
    assert logout is not None
    assert "csrfmiddlewaretoken" in logout.group(0)
    assert user.display_name in html
    assert reverse("portal:workbench") in html


# --- elder mode ----------------------------------------------------------------------------


def test_elder_toggle_sets_the_cookie_and_the_next_page_is_in_elder_mode(client):
    response = client.post(reverse("portal:elder_toggle"), {"mode": "elder", "next": "/workbench/"})
    assert response.status_code == 302
    assert response["Location"] == "/workbench/"
    cookie = response.cookies[ELDER_COOKIE]
    assert cookie.value == "1"
    assert int(cookie["max-age"]) == 365 * 24 * 60 * 60
    assert cookie["samesite"] == "Lax"

    html = client.get(reverse("portal:home")).content.decode()
    assert 'class="elder"' in html
    assert "标准版" in html
    assert "常用服务" in html


def test_elder_toggle_switches_back_to_the_standard_mode(client):
    client.cookies[ELDER_COOKIE] = "1"
    response = client.post(reverse("portal:elder_toggle"), {"mode": "standard", "next": "/"})
    assert response.cookies[ELDER_COOKIE].value == ""
    html = client.get(reverse("portal:home")).content.decode()
    assert 'class="elder"' not in html


def test_elder_toggle_without_mode_flips_the_current_mode(client):
    response = client.post(reverse("portal:elder_toggle"))
    assert response.cookies[ELDER_COOKIE].value == "1"
    response = client.post(reverse("portal:elder_toggle"))
    assert response.cookies[ELDER_COOKIE].value == ""


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_elder_toggle_refuses_to_redirect_off_site(client, target):
    response = client.post(reverse("portal:elder_toggle"), {"mode": "elder", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_elder_toggle_only_accepts_post(client):
    assert client.get(reverse("portal:elder_toggle")).status_code == 405


def test_elder_portal_is_a_short_list_of_large_tiles(client):
    client.cookies[ELDER_COOKIE] = "1"
    html = client.get(reverse("portal:home")).content.decode()
    elder_block = html.split('id="bh-elder-title"', 1)[1].split("</section>", 1)[0]
    tiles = re.findall(r'<a class="bh-tile"', elder_block)
    assert 3 <= len(tiles) <= 8 and "bh-tile--soon" not in elder_block
    assert "data-read-aloud" in html


# --- workbench -----------------------------------------------------------------------------


def test_workbench_sends_anonymous_users_to_login(client):
    response = client.get(reverse("portal:workbench"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


ROLES_NEEDING_DEPARTMENT = {Role.REVIEWER, Role.DEPARTMENT_HEAD}


@pytest.mark.parametrize("role", list(Role.values))
def test_each_role_lands_on_its_own_home_page(client, region, department, role):
    user = make_staff(role, region, department if role in ROLES_NEEDING_DEPARTMENT else None)
    client.force_login(user)
    response = client.get(reverse("portal:workbench"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<section class="bh-role-home" data-role="{role}"' in html
    assert Role(role).label in html
    assert f"{Role(role).label}甲，您好" in html
    for task in pm.ROLE_TASKS[role]:
        shown = f'<span class="bh-tile__title">{task.title}</span>' in html
        assert shown is (pm.resolve_url(task.target) is not None), task.title
    assert 2 <= len(pm.ROLE_TASKS[role]) <= 8  # ui.md: the 6–8 most used services as tiles


def test_department_scope_is_shown_to_back_office_roles(client, region, department):
    client.force_login(make_staff(Role.REVIEWER, region, department))
    html = client.get(reverse("portal:workbench")).content.decode()
    assert "兰山区行政审批服务局" in html
    assert "兰山区" in html


def test_tasks_whose_page_is_not_built_are_not_shown(client, region, department):
    client.force_login(make_staff(Role.HELPER, region, None))
    html = client.get(reverse("portal:workbench")).content.decode()
    assert '<span class="bh-tile__title">问题跟踪</span>' not in html  # no page yet
    assert "bh-tile--soon" not in html and "建设中" not in html


def test_the_hall_manager_and_the_clerk_reach_the_hall_from_their_home(client, region, department):
    client.force_login(make_staff(Role.HALL_MANAGER, region, None))
    assert 'href="/hall/"' in client.get(reverse("portal:workbench")).content.decode()
    client.force_login(make_staff(Role.WINDOW_CLERK, region, None))
    html = client.get(reverse("portal:workbench")).content.decode()
    assert 'href="/hall/desk/"' in html and 'href="/hall/pickup/"' in html


def test_built_tasks_link_to_their_page(client, region, department):
    client.force_login(make_staff(Role.REVIEWER, region, department))
    html = client.get(reverse("portal:workbench")).content.decode()
    assert 'href="/office/cases/"' in html and "待办审批" in html


def test_unknown_url_names_and_unbuilt_entries_are_left_out():
    assert pm.resolve([pm.Entry("未来的页面", "", "nowhere:page"), pm.Entry("未建", "", None)]) == []
    [resolved] = pm.resolve([pm.Entry("首页", "", "portal:home")])
    assert resolved.url == "/" and resolved.live


def test_administrator_is_warned_about_a_missing_holiday_year(client, region, monkeypatch):
    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 11, 24))
    client.force_login(make_staff(Role.ADMINISTRATOR, region, None))
    html = client.get(reverse("portal:workbench")).content.decode()
    assert "2027年节假日安排尚未录入，期限按周末双休推算。请在「工作日历」中录入。" in html
    assert "bh-alert--warning" in html
    assert pm.calendar_admin_url() in html


def test_administrator_sees_no_warning_when_the_calendar_is_complete(client, region, monkeypatch):
    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 6, 1))
    client.force_login(make_staff(Role.ADMINISTRATOR, region, None))
    html = client.get(reverse("portal:workbench")).content.decode()
    assert "节假日安排尚未录入" not in html


def test_other_roles_never_see_the_calendar_warning(client, region, department, monkeypatch):
    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 11, 24))
    client.force_login(make_staff(Role.WINDOW_CLERK, region, department))
    html = client.get(reverse("portal:workbench")).content.decode()
    assert "节假日安排尚未录入" not in html


def test_applicant_home_shows_the_masked_id_and_never_the_full_one(client):
    from banhao.registry.models import ApplicantAccount, Person

    resident_id = make_resident_id("37130219900101123")
    person = Person.objects.create(
        name="张三", resident_id=resident_id, gender="M", birth_date=dt.date(1990, 1, 1), phone="13905391234"
    )
    user = get_user_model().objects.create_user(
        username="13905391234", password=PASSWORD, kind="applicant", display_name="张三"
    )
    ApplicantAccount.objects.create(user=user, person=person)
    client.force_login(user)
    response = client.get(reverse("portal:workbench"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-role="applicant"' in html
    assert "张三，您好" in html
    assert person.masked_id in html
    assert resident_id not in html
    assert "13905391234" not in html
    for tile in pm.APPLICANT_TILES:
        shown = f'<span class="bh-tile__title">{tile.title}</span>' in html
        assert shown is (pm.resolve_url(tile.target) is not None), tile.title
    assert "我的办事" in html


def test_enterprise_applicant_home_shows_the_enterprise(client):
    from banhao.registry.models import ApplicantAccount, Organization, Person

    person = Person.objects.create(
        name="李四",
        resident_id=make_resident_id("37130219850505123"),
        gender="M",
        birth_date=dt.date(1985, 5, 5),
    )
    code = make_uscc("9", "1", "371302", make_org_code("MA3C0000"))
    org = Organization.objects.create(
        name="临沂某某商贸有限公司", credit_code=code, kind="enterprise", legal_representative="李四"
    )
    user = get_user_model().objects.create_user(username="lisi", password=PASSWORD, kind="applicant")
    ApplicantAccount.objects.create(user=user, person=person, organization=org)
    client.force_login(user)
    html = client.get(reverse("portal:workbench")).content.decode()
    assert "临沂某某商贸有限公司" in html
    assert code in html
    assert person.resident_id not in html


@pytest.mark.parametrize("kind", ["staff", "applicant"])
def test_account_without_a_role_gets_a_notice(client, kind):
    user = get_user_model().objects.create_user(username="nobody", password=PASSWORD, kind=kind)
    client.force_login(user)
    response = client.get(reverse("portal:workbench"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-role="none"' in html
    assert "请联系系统管理员" in html


# --- platform map data ---------------------------------------------------------------------


def test_platform_map_lists_the_sections_in_service_catalog_hall_and_cases():
    data = pm.platform_map()
    assert len(pm.SECTIONS) == 8
    # 电子证照 (6) is in service once its public verification page (licences:verify) is there
    licences = [6] if pm.resolve_url("licences:verify") else []
    # 好差评与效能监督 (5) is in service with its public page (好差评公示)
    assert [s.section.number for s in data["sections"]] == [1, 3, 4, 5, *licences]
    assert data["sections"][1].url == "/hall/"
    assert data["sections"][0].url == "/search/"
    foundation = {f.title: f for f in data["foundation"]}
    assert "审计日志" in foundation and foundation["审计日志"].url is None  # no page of its own


def test_every_role_has_home_tasks_and_an_introduction():
    assert set(pm.ROLE_TASKS) == set(Role.values)
    assert set(pm.ROLE_INTRO) == set(Role.values)


def test_platform_map_links_only_what_the_role_may_open():
    clerk = {f.title: f for f in pm.platform_map(Role.WINDOW_CLERK)["foundation"]}
    admin = {f.title: f for f in pm.platform_map(Role.ADMINISTRATOR)["foundation"]}
    assert "管理后台" in clerk and clerk["管理后台"].url is None
    assert admin["管理后台"].url == reverse("admin:index")


# --- error pages ---------------------------------------------------------------------------


def test_not_found_page_is_in_chinese(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "您访问的页面不存在" in html
    assert '<html lang="zh-CN"' in html


def test_server_error_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "系统暂时出现问题" in html
    assert '<html lang="zh-CN">' in html


def test_forbidden_page_is_in_chinese(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    request = rf.get("/x/")
    request.user = AnonymousUser()
    request.elder_mode = False
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "没有访问此页面的权限" in response.content.decode()
