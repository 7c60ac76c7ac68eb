"""The edge to the provincial / national 好差评 platform: a month's ratings in an upload coding,
written to a file (manage.py evaluation_export) or pushed to the platform's API (a background task).

One internal scale (models.Level: 5 = 非常满意 … 1 = 非常不满意). The codes of the outside world are
converted here and nowhere else (domain.md §4):

- national upload interface: 1 = 非常不满意 … 5 = 非常满意 (numerically the internal scale, but
  mapped explicitly so that a change of either side cannot leak into the other);
- GB/T 39046: 1 = 非常满意 … 5 = 非常不满意 (the other way round).

Which ratings a month contains (docs/ratings.md): those recorded in the month (local time), the
current one of each case (a re-rating replaces the earlier one, which is not sent); default ratings
are sent flagged ``is_default`` (counted separately); ratings excluded by an upheld appeal are not
sent — they must not count anywhere — and the summary says how many were left out.

Exporters are pluggable per province: BANHAO_RATING_EXPORTERS maps a format name to the dotted
path of a class with ``name``, ``content_type``, ``level_code(level)``, ``record(row)`` and
``write(records, fp, month)``; the two below are the defaults.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from banhao.cases import api as cases_api
from banhao.core.audit import audit_record
from banhao.org import api as org

from .models import BAD_REASONS, Level, Rating

# --- the conversion tables ---------------------------------------------------------------------

NATIONAL_CODES: dict[int, int] = {
    Level.VERY_SATISFIED: 5,
    Level.SATISFIED: 4,
    Level.BASIC: 3,
    Level.DISSATISFIED: 2,
    Level.VERY_DISSATISFIED: 1,
}
GBT39046_CODES: dict[int, int] = {
    Level.VERY_SATISFIED: 1,
    Level.SATISFIED: 2,
    Level.BASIC: 3,
    Level.DISSATISFIED: 4,
    Level.VERY_DISSATISFIED: 5,
}
_FROM_NATIONAL = {code: Level(level) for level, code in NATIONAL_CODES.items()}
_FROM_GBT39046 = {code: Level(level) for level, code in GBT39046_CODES.items()}


def to_national(level: int) -> int:
    return NATIONAL_CODES[Level(level)]


def from_national(code: int) -> Level:
    try:
        return _FROM_NATIONAL[int(code)]
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"国家上报编码无效：{code}（应为1至5）") from None


def to_gbt39046(level: int) -> int:
    return GBT39046_CODES[Level(level)]


def from_gbt39046(code: int) -> Level:
    try:
        return _FROM_GBT39046[int(code)]
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"GB/T 39046 编码无效：{code}（应为1至5）") from None


# --- the month's ratings ------------------------------------------------------------------------


def month_range(month: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a month given as YYYY-MM, in local time; ValueError in Chinese."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", (month or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"月份格式应为 YYYY-MM，如 2026-11：{month}")
    year, mon = int(m.group(1)), int(m.group(2))
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, mon, 1, tzinfo=tz)
    end = dt.datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=tz)
    return start, end


@dataclass(frozen=True)
class Row:
    """One rating with the facts an exporter needs (read through the other apps' api)."""

    rating: Rating
    case_numbers: tuple[str, ...]
    department: org.DepartmentInfo | None
    region: org.RegionInfo | None


@dataclass(frozen=True)
class MonthRatings:
    month: str
    rows: list[Row]
    excluded: int  # left out: an upheld appeal excluded them from every score
    default: int  # among rows: default ratings (flagged)


def month_ratings(month: str) -> MonthRatings:
    start, end = month_range(month)
    qs = Rating.objects.filter(created_at__gte=start, created_at__lt=end, current=True).order_by(
        "created_at", "id"
    )
    excluded = qs.filter(excluded=True).count()
    ratings = list(qs.filter(excluded=False))
    ids = [r.pk for r in ratings]
    links: dict[int, list[int]] = {}
    through = Rating.cases.through
    for chunk in range(0, len(ids), 1000):
        for rid, cid in through.objects.filter(rating_id__in=ids[chunk : chunk + 1000]).values_list(
            "rating_id", "case_id"
        ):
            links.setdefault(rid, []).append(cid)
    case_ids = sorted({c for cs in links.values() for c in cs} | {r.case_id for r in ratings if r.case_id})
    numbers: dict[int, str] = {}
    for chunk in range(0, len(case_ids), 500):
        numbers.update(
            {s["id"]: s["number"] for s in cases_api.case_summaries(case_ids[chunk : chunk + 500])}
        )
    departments: dict[int, org.DepartmentInfo | None] = {}
    regions: dict[int, org.RegionInfo | None] = {}
    rows = []
    for r in ratings:
        if r.department_id and r.department_id not in departments:
            departments[r.department_id] = org.department_info(r.department_id)
        if r.region_id and r.region_id not in regions:
            regions[r.region_id] = org.region_info(r.region_id)
        cids = sorted(set(links.get(r.pk, [])) | ({r.case_id} if r.case_id else set()))
        rows.append(
            Row(
                rating=r,
                case_numbers=tuple(numbers[c] for c in cids if c in numbers),
                department=departments.get(r.department_id) if r.department_id else None,
                region=regions.get(r.region_id) if r.region_id else None,
            )
        )
    return MonthRatings(month, rows, excluded, sum(1 for r in ratings if r.is_default))


# --- the exporters -----------------------------------------------------------------------------------


class NationalExporter:
    """The national upload coding (1 = 非常不满意 … 5 = 非常满意), one JSON document."""

    name = "national"
    content_type = "application/json"
    scale = "national"

    def level_code(self, level: int) -> int:
        return to_national(level)

    def record(self, row: Row) -> dict:
        r = row.rating
        return {
            "rating_id": r.pk,
            "case_numbers": list(row.case_numbers),
            "channel": r.channel,
            "channel_label": r.get_channel_display(),
            "level": self.level_code(r.level),
            "dimensions": {k: self.level_code(v) for k, v in sorted((r.dimensions or {}).items())},
            "is_bad": r.is_bad,
            "reasons": [{"code": k, "label": BAD_REASONS.get(k, k)} for k in r.reasons or []],
            "comment": r.comment,
            "real_name": r.real_name,
            "is_default": r.is_default,  # 默认评价: counted separately
            "department": row.department.name if row.department else "",
            "department_code": row.department.credit_code if row.department else "",
            "region_code": row.region.code if row.region else "",
            "hall_id": r.hall_id,
            "window_id": r.window_id,
            "rated_at": timezone.localtime(r.created_at).isoformat(timespec="seconds"),
        }

    def document(self, data: MonthRatings) -> dict:
        return {
            "format": self.name,
            "scale": self.scale,
            "month": data.month,
            "count": len(data.rows),
            "default_count": data.default,
            "records": [self.record(row) for row in data.rows],
        }

    def write(self, data: MonthRatings, fp) -> None:
        json.dump(self.document(data), fp, ensure_ascii=False, indent=1)
        fp.write("\n")


class Gbt39046Exporter(NationalExporter):
    """GB/T 39046 numbering (1 = 非常满意 … 5 = 非常不满意); otherwise the same record."""

    name = "gbt39046"
    scale = "GB/T 39046"

    def level_code(self, level: int) -> int:
        return to_gbt39046(level)


DEFAULT_EXPORTERS = {
    "national": "banhao.evaluation.export.NationalExporter",
    "gbt39046": "banhao.evaluation.export.Gbt39046Exporter",
}


def exporters() -> dict[str, str]:
    return {**DEFAULT_EXPORTERS, **(getattr(settings, "BANHAO_RATING_EXPORTERS", None) or {})}


def exporter(fmt: str):
    path = exporters().get(fmt)
    if not path:
        raise ValueError(f"不支持的导出格式：{fmt}（可用：{'、'.join(sorted(exporters()))}）")
    return import_string(path)()


def export_month(*, fmt: str, month: str, fp) -> MonthRatings:
    """Writes the month's ratings in that format to ``fp`` (text); returns what was written."""
    ex = exporter(fmt)
    data = month_ratings(month)
    ex.write(data, fp)
    return data


# --- the push to the platform's API -------------------------------------------------------------------


def push_settings() -> dict:
    conf = getattr(settings, "BANHAO_RATING_PUSH", None) or {}
    return {
        "url": conf.get("url") or "",
        "token": conf.get("token") or "",
        "format": conf.get("format") or "national",
        "timeout": float(conf.get("timeout") or 15),
    }


class PushFailed(Exception):
    pass


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """The transport (replaced in tests): POSTs the body, returns the HTTP status."""
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (configured https URL)
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
        return resp.status


def ratings_push(*, month: str, fmt: str | None = None) -> int:
    """Pushes the month's ratings to the configured endpoint. The batch id (format and month, and a
    digest of the body) goes in a header so the platform can drop a repeat: the task may run twice
    (decision 0008). Returns how many ratings were sent; raises PushFailed (the task fails, is
    listed, and can be re-run)."""
    conf = push_settings()
    if not conf["url"]:
        return 0
    ex = exporter(fmt or conf["format"])
    data = month_ratings(month)
    body = json.dumps(ex.document(data), ensure_ascii=False).encode("utf-8")
    digest = hashlib.sha256(body).hexdigest()[:16]
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Batch-Id": f"{ex.name}-{month}-{digest}",
    }
    if conf["token"]:
        headers["Authorization"] = f"Bearer {conf['token']}"
    from .models_rate import RatingUpload

    def record(status: str, error: str = "") -> None:
        upload = RatingUpload.objects.create(
            month=month,
            format=ex.name,
            count=len(data.rows),
            batch_id=headers["X-Batch-Id"],
            status=status,
            error=error[:300],
        )
        audit_record(
            actor="好差评数据推送",
            obj=upload,
            action="evaluation.push",
            after={"status": status, "count": len(data.rows)},
        )

    try:
        status = http_post(conf["url"], body, headers, conf["timeout"])
    except OSError as e:
        record(RatingUpload.Status.FAILED, str(e))
        raise PushFailed(f"推送失败：{e}") from e
    if not 200 <= status < 300:
        record(RatingUpload.Status.FAILED, f"HTTP {status}")
        raise PushFailed(f"推送失败：平台返回 HTTP {status}")
    record(RatingUpload.Status.SENT)
    return len(data.rows)
