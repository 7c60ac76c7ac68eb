"""Applicant search: jieba words in FTS5 (SQLite) or a tsvector (PostgreSQL), page and API."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from banhao.catalog import search, search_views, services
from banhao.catalog.models import Implementation, SearchEntry
from conftest import sample_content

pytestmark = pytest.mark.django_db

CITY, LANSHAN, YINAN = "371300", "371302", "371321"
DEPTS = {CITY: "临沂市行政审批服务局", LANSHAN: "兰山区行政审批服务局", YINAN: "沂南县行政审批服务局"}

DIBAO = dict(
    basic_code="371301005001",
    name="最低生活保障审核确认",
    sub_item_name="最低生活保障审核确认",
    handling_name="",
    item_type="05",
    zone="social",
    service_objects=["自然人"],
    themes=["救助"],
    keywords=["低保"],
    result_name="最低生活保障金领取证",
    result_is_licence=False,
)
COMPANY = dict(
    basic_code="371301001001",
    name="企业设立登记",
    sub_item_name="企业设立登记",
    handling_name="",
    item_type="01",
    zone="market",
    service_objects=["企业法人", "非法人企业"],
    themes=["开办"],
    keywords=["营业执照", "开公司"],
    result_name="准予设立登记通知书",
)
FUND = dict(
    basic_code="371301009001",
    name="住房公积金提取",
    sub_item_name="住房公积金提取",
    handling_name="",
    item_type="20",
    zone="social",
    service_objects=["自然人"],
    themes=["住房"],
    keywords=["公积金"],
    result_name="提取款项到账",
    statutory_days=None,
    promised_days=0,
    case_type="immediate",
)


def publish_standard(overrides):
    version, _ = services.standard_save(actor="测试", data=sample_content(**overrides))
    return services.version_publish(actor="测试", version=version, effective_from=dt.date(2026, 1, 1))


def implement(item, region_code, *, publish=True):
    impl, _ = services.implementation_save(
        actor="测试",
        standard=item,
        region_code=region_code,
        department=DEPTS[region_code],
        local={"address": "示例路1号", "phone": "0539-0000000", "office_hours": "工作日 9:00-17:00"},
    )
    if publish:
        impl = services.implementation_publish(actor="测试", implementation=impl)
    return impl


@pytest.fixture
def catalog(catalog_city):
    """低保 in the city and 兰山区, 企业设立登记 in the city, 公积金提取 in the city and 沂南县,
    食品经营许可 (the sample) implemented in 兰山区 but not published."""
    items = {}
    for key, overrides in (("dibao", DIBAO), ("company", COMPANY), ("fund", FUND), ("food", {})):
        items[key] = publish_standard(overrides).item
    impls = {
        "dibao_city": implement(items["dibao"], CITY),
        "dibao_lanshan": implement(items["dibao"], LANSHAN),
        "company_city": implement(items["company"], CITY),
        "fund_city": implement(items["fund"], CITY),
        "fund_yinan": implement(items["fund"], YINAN),
        "food_lanshan": implement(items["food"], LANSHAN, publish=False),
    }
    return {"items": items, "impls": impls}


def titles(result):
    return [h.title for h in result.hits]


def assert_fts_index_is_consistent():
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # raises when the FTS5 index and its content disagree
            cursor.execute(
                "INSERT INTO catalog_search_fts(catalog_search_fts, rank) VALUES ('integrity-check', 1)"
            )


# --- segmentation ------------------------------------------------------------------------------


def test_index_words_hold_jieba_words_and_every_bigram_of_the_title():
    words = search.index_tokens(
        title="住房公积金提取", keywords=["公积金"], texts=["临沂市行政审批服务局"]
    ).split()
    for word in ("住房", "公积金", "提取", "房公", "金提", "临沂", "住"):
        assert word in words
    assert len(words) == len(set(words))


def test_a_query_drops_request_words_and_stray_single_characters():
    assert [g[0][0] for g in search.query_groups("我要办低保")] == ["低保"]
    assert [g[0][0] for g in search.query_groups("开饭店")] == ["饭店"]
    assert search.query_groups("！？，") == []
    assert search.query_groups("税") == [(("税",),)]
    # a longer word matches whole or by all its bigrams
    assert (("营业执照",), ("营业", "业执", "执照")) in search.query_groups("营业执照")


# --- finding -----------------------------------------------------------------------------------


def test_a_two_character_keyword_finds_its_item(catalog):
    result = search.search("低保")
    assert set(titles(result)) == {"最低生活保障审核确认"}
    assert result.total == 2 and not result.fallback
    assert {h.region_name for h in result.hits} == {"临沂市", "兰山区"}


def test_a_keyword_finds_an_item_whose_name_does_not_contain_it(catalog):
    result = search.search("营业执照")
    assert titles(result) == ["企业设立登记"]
    hit = result.hits[0]
    assert hit.department_name == "临沂市行政审批服务局" and hit.region_code == CITY
    assert hit.item_code == "371301001001-01"
    assert hit.guide_url == f"/guide/{catalog['impls']['company_city'].pk}/"


def test_part_of_a_name_finds_the_item(catalog):
    result = search.search("公积金提取")
    assert set(titles(result)) == {"住房公积金提取"} and result.total == 2
    assert result.hits[0].promised_label == "即办"


def test_words_of_a_request_are_ignored(catalog):
    assert set(titles(search.search("我要办低保"))) == {"最低生活保障审核确认"}
    assert set(titles(search.search("怎么办理公积金提取？"))) == {"住房公积金提取"}


def test_a_query_without_any_match_finds_nothing(catalog):
    result = search.search("护照签注")
    assert result.total == 0 and result.hits == () and not result.fallback


def test_an_exact_title_comes_first(catalog_city):
    other = publish_standard(
        {
            **COMPANY,
            "basic_code": "371301001002",
            "name": "外商投资企业设立登记",
            "sub_item_name": "外商投资企业设立登记",
            "keywords": ["企业设立登记"],
        }
    ).item
    implement(other, CITY)
    company = publish_standard(COMPANY).item
    implement(company, CITY)
    assert titles(search.search("企业设立登记")) == ["企业设立登记", "外商投资企业设立登记"]


def test_when_no_item_has_every_word_any_word_will_do_and_says_so(catalog):
    result = search.search("低保 营业执照")
    assert result.fallback
    assert set(titles(result)) == {"最低生活保障审核确认", "企业设立登记"}


# --- filters -----------------------------------------------------------------------------------


def test_the_region_filter_keeps_that_region_only(catalog):
    result = search.search("低保", region_code=LANSHAN)
    assert [(h.title, h.region_name, h.department_name) for h in result.hits] == [
        ("最低生活保障审核确认", "兰山区", "兰山区行政审批服务局")
    ]
    assert search.search("低保", region_code=YINAN).total == 0


def test_the_audience_filter_separates_persons_from_organizations(catalog):
    legal = search.search("", audience="legal")
    person = search.search("", audience="person")
    assert set(titles(legal)) == {"企业设立登记"}
    assert set(titles(person)) == {"最低生活保障审核确认", "住房公积金提取"} and person.total == 4
    assert search.search("营业执照", audience="person").total == 0


def test_theme_zone_type_and_department_filters(catalog):
    assert set(titles(search.search("", theme="救助"))) == {"最低生活保障审核确认"}
    assert set(titles(search.search("", zone="market"))) == {"企业设立登记"}
    assert set(titles(search.search("", item_type="20"))) == {"住房公积金提取"}
    dept = catalog["impls"]["fund_yinan"].department_id
    result = search.search("", department_id=dept)
    assert [(h.title, h.region_name) for h in result.hits] == [("住房公积金提取", "沂南县")]


def test_a_query_combines_with_every_filter(catalog):
    result = search.search(
        "低保", region_code=LANSHAN, audience="person", theme="救助", zone="social", item_type="05"
    )
    assert [(h.title, h.region_code) for h in result.hits] == [("最低生活保障审核确认", LANSHAN)]
    assert search.search("低保", theme="住房").total == 0


def test_pages_of_results_do_not_overlap(catalog):
    first = search.search("", limit=3)
    second = search.search("", limit=3, offset=3)
    ids = [h.implementation_id for h in first.hits + second.hits]
    assert first.total == second.total == 5 and len(ids) == len(set(ids)) == 5


def test_browsing_without_a_query_lists_every_published_implementation(catalog):
    result = search.search("")
    assert result.total == 5
    assert "食品经营许可（新办）" not in titles(result)


# --- the index follows the catalog -------------------------------------------------------------


def test_an_unpublished_implementation_is_not_found_until_it_is_published(catalog):
    assert search.search("开饭店").total == 0
    services.implementation_publish(actor="测试", implementation=catalog["impls"]["food_lanshan"])
    result = search.search("开饭店")
    assert titles(result) == ["食品经营许可（新办）"] and result.hits[0].region_name == "兰山区"
    assert_fts_index_is_consistent()


def test_retiring_an_implementation_removes_it_from_results(catalog):
    services.implementation_retire(
        actor="测试", implementation=catalog["impls"]["dibao_lanshan"], reason="调整"
    )
    result = search.search("低保")
    assert [h.region_name for h in result.hits] == ["临沂市"]
    assert not SearchEntry.objects.filter(implementation=catalog["impls"]["dibao_lanshan"]).exists()
    assert_fts_index_is_consistent()


def test_retiring_the_standard_version_removes_every_region(catalog):
    version = services.published_version(catalog["items"]["fund"])
    services.version_retire(actor="测试", version=version, reason="事项取消")
    assert search.search("公积金").total == 0
    assert_fts_index_is_consistent()


def test_a_new_version_and_a_new_department_are_reflected(catalog, make_department):
    item = catalog["items"]["dibao"]
    second, _ = services.standard_save(
        actor="测试", data=sample_content(**{**DIBAO, "keywords": ["低保", "困难群众"]})
    )
    services.version_submit(actor="测试", version=second)
    services.version_publish(actor="测试", version=second, effective_from=dt.date(2026, 3, 1))
    assert search.search("困难群众").total == 2
    make_department("兰山区民政局", region="lanshan")
    services.implementation_save(actor="测试", standard=item, region_code=LANSHAN, department="兰山区民政局")
    result = search.search("低保", region_code=LANSHAN)
    assert result.hits[0].department_name == "兰山区民政局"
    assert search.search("民政局").total == 1
    assert_fts_index_is_consistent()


def test_reindex_rebuilds_the_same_entries(catalog):
    before = sorted(SearchEntry.objects.values_list("implementation_id", "tokens"))
    out = io.StringIO()
    call_command("catalog_reindex", stdout=out)
    assert "5 条" in out.getvalue()
    assert sorted(SearchEntry.objects.values_list("implementation_id", "tokens")) == before
    assert set(titles(search.search("低保"))) == {"最低生活保障审核确认"}
    assert_fts_index_is_consistent()


# --- parameters --------------------------------------------------------------------------------


def test_bad_filters_are_reported_in_chinese_and_left_out(catalog):
    args, errors = search.clean_filters(
        {
            "q": "低保",
            "region": "999999",
            "dept": "abc",
            "zone": "moon",
            "audience": "x",
            "type": "99",
            "theme": "火星",
        }
    )
    assert args == {"q": "低保"}
    assert set(errors) == {"region", "dept", "zone", "audience", "type", "theme"}
    assert "找不到区划代码" in errors["region"][0]
    assert "person（个人）" in errors["audience"][0]
    args, errors = search.clean_filters(
        {"q": "低保", "region": LANSHAN, "audience": "person", "theme": "救助"}
    )
    assert errors == {} and args == {
        "q": "低保",
        "region_code": LANSHAN,
        "audience": "person",
        "theme": "救助",
    }


# --- the page ----------------------------------------------------------------------------------


def assert_no_inline_code(html):
    assert 'style="' not in html
    assert not re.search(r"<style[\s>]", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_the_page_shows_the_count_and_links_to_the_guide(client, catalog):
    response = client.get(reverse("catalog_search:search"), {"q": "低保"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "共找到 2 个事项" in html
    assert f'href="/guide/{catalog["impls"]["dibao_city"].pk}/"' in html
    assert "最低生活保障审核确认" in html and "兰山区行政审批服务局" in html
    assert "承诺时限" in html and "5 个工作日" in html and "到现场次数" in html
    assert 'value="低保"' in html  # the box keeps the query
    assert 'class="bh-filters"' in html
    assert_no_inline_code(html)


def test_an_immediate_item_says_so(client, catalog):
    html = client.get(reverse("catalog_search:search"), {"q": "公积金"}).content.decode()
    assert "即办" in html


def test_nothing_found_says_what_to_do(client, catalog):
    html = client.get(reverse("catalog_search:search"), {"q": "护照签注"}).content.decode()
    assert "共找到 0 个事项" in html
    assert "可尝试更短的关键词或拨打12345咨询" in html


def test_the_page_labels_fallback_results(client, catalog):
    html = client.get(reverse("catalog_search:search"), {"q": "低保 营业执照"}).content.decode()
    assert "相关结果" in html and "企业设立登记" in html


def test_without_a_query_the_page_offers_themes(client, catalog):
    html = client.get(reverse("catalog_search:search")).content.decode()
    assert "个人办事" in html and "法人办事" in html
    assert "?theme=%E7%94%9F%E8%82%B2&amp;audience=person" in html  # 生育
    assert "?theme=%E5%BC%80%E5%8A%9E&amp;audience=legal" in html  # 开办
    assert "共找到" not in html


def test_a_theme_tile_lists_its_items(client, catalog):
    html = client.get(
        reverse("catalog_search:search"), {"theme": "开办", "audience": "legal"}
    ).content.decode()
    assert "共找到 1 个事项" in html and "企业设立登记" in html


def test_bad_filters_give_a_friendly_page(client, catalog):
    response = client.get(
        reverse("catalog_search:search"), {"q": "低保", "region": "123", "audience": "cat", "page": "x"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "找不到区划代码为“123”的区域" in html and "服务对象" in html and "页码应为正整数" in html
    assert "共找到 2 个事项" in html


def test_htmx_filter_requests_get_only_the_results(client, catalog):
    response = client.get(
        reverse("catalog_search:search"),
        {"q": "低保", "region": LANSHAN},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=search_views.RESULTS_ID,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and f'id="{search_views.RESULTS_ID}"' in html
    assert "共找到 1 个事项" in html


def test_pagination_keeps_the_filters(client, catalog, monkeypatch):
    monkeypatch.setattr(search_views, "PAGE_SIZE", 2)
    html = client.get(reverse("catalog_search:search"), {"audience": "person"}).content.decode()
    assert "共找到 4 个事项，第 1 / 2 页" in html
    assert 'href="?audience=person&amp;page=2"' in html
    html = client.get(reverse("catalog_search:search"), {"audience": "person", "page": "9"}).content.decode()
    assert "第 2 / 2 页" in html


def test_the_page_works_in_elder_mode(client, catalog):
    client.cookies["banhao_elder"] = "1"
    html = client.get(reverse("catalog_search:search"), {"q": "低保"}).content.decode()
    assert '<html lang="zh-CN" class="elder">' in html and "共找到 2 个事项" in html


def test_the_portal_search_box_is_live(client, catalog):
    html = client.get(reverse("portal:home")).content.decode()
    form = re.search(r'<form class="bh-search".*?</form>', html, re.S).group(0)
    assert 'action="/search/"' in form and 'name="q"' in form and "disabled" not in form
    assert "即将上线" not in html


# --- the API -----------------------------------------------------------------------------------


def test_the_search_api_returns_hits_as_json(client, catalog):
    response = client.get("/api/v1/catalog/search/", {"q": "低保", "region": LANSHAN})
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 1 and data["fallback"] is False and data["words"] == ["低保"]
    hit = data["hits"][0]
    assert hit["title"] == "最低生活保障审核确认"
    assert hit["region"] == {"code": LANSHAN, "name": "兰山区"}
    assert hit["guide_url"] == f"/guide/{catalog['impls']['dibao_lanshan'].pk}/"
    assert client.get("/api/v1/catalog/search/", {"q": "低保 营业执照"}).json()["fallback"] is True


def test_the_search_api_refuses_bad_parameters_in_chinese(client, catalog):
    response = client.get("/api/v1/catalog/search/", {"q": "低保", "region": "999999", "audience": "x"})
    assert response.status_code == 400
    errors = response.json()
    assert "找不到区划代码" in errors["region"][0] and "person（个人）" in errors["audience"][0]
    response = client.get("/api/v1/catalog/search/", {"q": "低保", "limit": "0"})
    assert response.status_code == 400 and "每页条数" in response.json()["limit"][0]


def test_the_item_list_api_filters_by_region_and_pages(client, catalog):
    data = client.get("/api/v1/catalog/items/", {"region": CITY}).json()
    assert data["count"] == 3 and data["num_pages"] == 1
    assert {r["title"] for r in data["results"]} == {"最低生活保障审核确认", "企业设立登记", "住房公积金提取"}
    assert all(r["region"]["code"] == CITY for r in data["results"])
    data = client.get("/api/v1/catalog/items/", {"page_size": 2, "page": 3}).json()
    assert data["count"] == 5 and len(data["results"]) == 1
    assert client.get("/api/v1/catalog/items/", {"page": 4, "page_size": 2}).status_code == 400
    assert client.get("/api/v1/catalog/items/", {"region": "abc"}).status_code == 400


def test_the_item_api_returns_every_element_for_that_region(client, catalog):
    impl = catalog["impls"]["dibao_lanshan"]
    data = client.get(f"/api/v1/catalog/items/{impl.pk}/").json()
    assert data["region"] == {"code": LANSHAN, "name": "兰山区"}
    assert data["department"] == "兰山区行政审批服务局" and data["address"] == "示例路1号"
    elements = data["elements"]
    assert elements["name"] == "最低生活保障审核确认" and elements["keywords"] == ["低保"]
    assert [m["name"] for m in elements["materials"]] == ["食品经营许可申请书", "营业执照", "授权委托书"]
    assert {"legal_bases", "steps", "fee", "form_fields", "faq", "promised_days"} <= set(elements)


def test_the_item_api_says_404_for_what_is_not_published(client, catalog):
    food = catalog["impls"]["food_lanshan"]
    response = client.get(f"/api/v1/catalog/items/{food.pk}/")
    assert response.status_code == 404 and "未发布" in response.json()["detail"]
    assert client.get("/api/v1/catalog/items/999999/").status_code == 404
    assert Implementation.objects.filter(pk=food.pk).exists()


def test_the_api_is_in_the_schema(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    assert paths["/api/v1/catalog/search/"]["get"]["summary"] == "搜索办事事项"
    names = {p["name"] for p in paths["/api/v1/catalog/search/"]["get"]["parameters"]}
    assert {"q", "region", "dept", "zone", "audience", "type", "theme", "limit", "offset"} <= names
    assert "/api/v1/catalog/items/" in paths and "/api/v1/catalog/items/{id}/" in paths
