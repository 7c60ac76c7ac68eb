"""The edge to the provincial platform: scale conversion both ways, the month's export in the
national and GB/T 39046 codings, pluggable exporters, and the push through a background task."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from banhao.evaluation import export, ratings
from banhao.evaluation.models import Level, Rating, RatingUpload

pytestmark = pytest.mark.django_db

NAMES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


# --- conversion -------------------------------------------------------------------------------


def test_the_national_coding_is_5_for_very_satisfied_down_to_1():
    assert [export.to_national(v) for v in (Level.VERY_SATISFIED, Level.VERY_DISSATISFIED)] == [5, 1]
    for level in Level:
        assert export.from_national(export.to_national(level)) == level
    assert {NAMES[export.from_national(c)] for c in range(1, 6)} == set(NAMES.values())
    assert export.from_national(5).label == "非常满意" and export.from_national(1).label == "非常不满意"


def test_gbt39046_numbers_the_other_way_round():
    assert export.to_gbt39046(Level.VERY_SATISFIED) == 1
    assert export.to_gbt39046(Level.VERY_DISSATISFIED) == 5
    assert export.to_gbt39046(Level.BASIC) == 3
    for level in Level:
        assert export.from_gbt39046(export.to_gbt39046(level)) == level
    assert export.from_gbt39046(1).label == "非常满意" and export.from_gbt39046(4).label == "不满意"


@pytest.mark.parametrize("code", [0, 6, "x", None])
def test_codes_outside_the_scale_are_refused_in_chinese(code):
    with pytest.raises(ValueError, match="编码无效"):
        export.from_national(code)
    with pytest.raises(ValueError, match="编码无效"):
        export.from_gbt39046(code)


@pytest.mark.parametrize("month", ["2026-13", "2026/11", "26-11", "", "2026-1"])
def test_a_bad_month_is_refused(month):
    with pytest.raises(ValueError, match="YYYY-MM"):
        export.month_range(month)


def test_december_ends_at_new_year():
    start, end = export.month_range("2026-12")
    assert (start.month, end.year, end.month, end.day) == (12, 2027, 1, 1)


# --- the month ------------------------------------------------------------------------------------


@pytest.fixture
def month_of_ratings(rated_case, applicant):
    """November 2026: a 非常满意 and a 非常不满意 (with reasons), a default one, one excluded by an
    upheld appeal, and one in December."""
    user = applicant["user"]
    good, bad, dflt, gone, later = (rated_case(key=k) for k in "abcde")
    r_good = ratings.rating_record_case(case_id=good.pk, user=user, level=5, dimensions={"efficiency": 4})
    r_bad = ratings.rating_record_case(case_id=bad.pk, user=user, level=1, reasons=["slow"], comment="太慢")
    r_gone = ratings.rating_record_case(case_id=gone.pk, user=user, level=2, reasons=["fee"], comment="收费")
    r_later = ratings.rating_record_case(case_id=later.pk, user=user, level=3)
    r_dflt = Rating.objects.create(channel="default", level=4, case=dflt, is_default=True)
    nov = timezone.make_aware(dt.datetime(2026, 11, 10, 9))
    Rating.objects.filter(pk__in=[r_good.id, r_bad.id, r_gone.id, r_dflt.pk]).update(created_at=nov)
    Rating.objects.filter(pk=r_later.id).update(
        created_at=timezone.make_aware(dt.datetime(2026, 12, 1, 0, 30))
    )
    Rating.objects.filter(pk=r_gone.id).update(excluded=True, excluded_reason="申诉成立：恶意评价")
    return {"good": good, "bad": bad, "dflt": dflt, "gone": gone, "later": later}


def test_the_command_writes_the_national_coding_and_prints_a_summary(month_of_ratings, tmp_path):
    out = io.StringIO()
    path = tmp_path / "nov.json"
    call_command("evaluation_export", str(path), format="national", month="2026-11", stdout=out)
    assert out.getvalue().strip() == (
        f"ratings=3 format=national month=2026-11 file={path} default=1 excluded_not_sent=1"
    )
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "national" and doc["count"] == 3 and doc["default_count"] == 1
    by_case = {r["case_numbers"][0]: r for r in doc["records"]}
    good, bad = by_case[month_of_ratings["good"].number], by_case[month_of_ratings["bad"].number]
    assert good["level"] == 5 and good["dimensions"] == {"efficiency": 4}
    assert (
        bad["level"] == 1
        and bad["is_bad"]
        and bad["reasons"] == [{"code": "slow", "label": "办理时间过长、超时限"}]
    )
    assert by_case[month_of_ratings["dflt"].number]["is_default"] is True
    assert month_of_ratings["gone"].number not in by_case  # excluded by an upheld appeal: not sent
    assert month_of_ratings["later"].number not in by_case  # December
    assert bad["department"] and bad["region_code"] == "371302"


def test_gbt39046_writes_the_same_ratings_numbered_the_other_way(month_of_ratings, tmp_path):
    path = tmp_path / "nov.json"
    call_command("evaluation_export", str(path), format="gbt39046", month="2026-11", stdout=io.StringIO())
    doc = json.loads(path.read_text(encoding="utf-8"))
    by_case = {r["case_numbers"][0]: r for r in doc["records"]}
    assert by_case[month_of_ratings["good"].number]["level"] == 1
    assert by_case[month_of_ratings["good"].number]["dimensions"] == {"efficiency": 2}
    assert by_case[month_of_ratings["bad"].number]["level"] == 5
    assert by_case[month_of_ratings["dflt"].number]["level"] == 2
    assert doc["scale"] == "GB/T 39046"


def test_a_re_rating_replaces_the_earlier_one_in_the_export(month_of_ratings):
    old = Rating.objects.get(case=month_of_ratings["bad"])
    Rating.objects.filter(pk=old.pk).update(current=False)
    new = Rating.objects.create(channel="pc", level=4, case=month_of_ratings["bad"], rerate_of=old)
    Rating.objects.filter(pk=new.pk).update(created_at=timezone.make_aware(dt.datetime(2026, 11, 20, 9)))
    data = export.month_ratings("2026-11")
    levels = [r.rating.level for r in data.rows if r.rating.case_id == month_of_ratings["bad"].pk]
    assert levels == [4]


def test_a_bad_format_or_month_is_a_chinese_command_error(tmp_path):
    with pytest.raises(CommandError, match="不支持的导出格式"):
        call_command("evaluation_export", str(tmp_path / "x"), format="fax", month="2026-11")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("evaluation_export", str(tmp_path / "x"), month="2026-1")
    with pytest.raises(CommandError, match="输出文件"):
        call_command("evaluation_export", month="2026-11")


class ShandongExporter(export.NationalExporter):
    """A province's own format: the national coding with other field names."""

    name = "shandong"

    def record(self, row):
        return {"pjbh": row.rating.pk, "myd": self.level_code(row.rating.level)}


def test_a_province_plugs_in_its_own_exporter_by_setting(month_of_ratings, settings, tmp_path):
    settings.BANHAO_RATING_EXPORTERS = {"shandong": f"{__name__}.ShandongExporter"}
    path = tmp_path / "sd.json"
    out = io.StringIO()
    call_command("evaluation_export", str(path), format="shandong", month="2026-11", stdout=out)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(r["myd"] for r in doc["records"]) == [1, 4, 5] and "format=shandong" in out.getvalue()


# --- the push ------------------------------------------------------------------------------------------


def test_without_an_endpoint_the_push_says_so_and_does_nothing(settings):
    from django_tasks_db.models import DBTaskResult

    settings.BANHAO_RATING_PUSH = {}
    out = io.StringIO()
    call_command("evaluation_export", month="2026-11", push=True, stdout=out)
    assert "未配置省级平台推送地址" in out.getvalue()
    assert not DBTaskResult.objects.exists()
    assert export.ratings_push(month="2026-11") == 0 and not RatingUpload.objects.exists()


def test_the_push_is_a_background_task_that_posts_the_month(
    month_of_ratings, settings, monkeypatch, run_tasks
):
    from django_tasks_db.models import DBTaskResult

    settings.BANHAO_RATING_PUSH = {"url": "https://province.example/api/ratings", "token": "s3cret"}
    calls = []

    def fake_post(url, body, headers, timeout):
        calls.append((url, json.loads(body.decode("utf-8")), headers))
        return 200

    monkeypatch.setattr(export, "http_post", fake_post)
    out = io.StringIO()
    call_command("evaluation_export", month="2026-11", push=True, stdout=out)
    assert "push queued" in out.getvalue()
    assert DBTaskResult.objects.filter(task_path="banhao.evaluation.tasks.ratings_push").count() == 1
    assert calls == []  # queued, not sent in the command
    run_tasks()
    [(url, payload, headers)] = calls
    assert url == "https://province.example/api/ratings"
    assert headers["Authorization"] == "Bearer s3cret"
    assert headers["X-Batch-Id"].startswith("national-2026-11-")
    assert payload["format"] == "national" and payload["month"] == "2026-11" and payload["count"] == 3
    assert sorted(r["level"] for r in payload["records"]) == [1, 4, 5]
    upload = RatingUpload.objects.get()
    assert (upload.status, upload.count, upload.batch_id) == ("sent", 3, headers["X-Batch-Id"])


def test_a_refused_push_is_recorded_and_fails_the_task(month_of_ratings, settings, monkeypatch):
    settings.BANHAO_RATING_PUSH = {"url": "https://province.example/api/ratings"}
    monkeypatch.setattr(export, "http_post", lambda *a, **k: 503)
    with pytest.raises(export.PushFailed, match="HTTP 503"):
        export.ratings_push(month="2026-11", fmt="gbt39046")
    upload = RatingUpload.objects.get()
    assert upload.status == "failed" and upload.format == "gbt39046"

    def down(*a, **k):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(export, "http_post", down)
    with pytest.raises(export.PushFailed, match="推送失败"):
        export.ratings_push(month="2026-11")
    assert RatingUpload.objects.filter(status="failed").count() == 2


def test_the_real_transport_posts_to_a_local_endpoint(month_of_ratings, settings):
    """http_post against a real HTTP server in this process (no network beyond localhost)."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    got = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            got["body"] = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            got["batch"] = self.headers["X-Batch-Id"]
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    settings.BANHAO_RATING_PUSH = {"url": f"http://127.0.0.1:{server.server_port}/ratings"}
    assert export.ratings_push(month="2026-11") == 3
    thread.join(5)
    server.server_close()
    assert got["body"]["count"] == 3 and got["batch"].startswith("national-2026-11-")


def test_city_administrators_see_the_pushes_read_only_and_county_ones_do_not(
    month_of_ratings, settings, monkeypatch, client, make_staff
):
    settings.BANHAO_RATING_PUSH = {"url": "https://province.example/api/ratings"}
    monkeypatch.setattr(export, "http_post", lambda *a, **k: 500)
    with pytest.raises(export.PushFailed):
        export.ratings_push(month="2026-11")
    url = "/admin/evaluation/ratingupload/"
    city = make_staff("administrator", region="city")
    client.force_login(city)
    page = client.get(url).content.decode()
    assert "2026-11" in page and "推送失败" in page
    upload = RatingUpload.objects.get()
    assert client.post(f"{url}{upload.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RatingUpload.objects.filter(pk=upload.pk).exists()
    county = make_staff("administrator", region="lanshan")
    client.force_login(county)
    assert client.get(url).status_code == 403
