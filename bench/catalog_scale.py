"""The catalog at Linyi's scale: 429 standard texts x 16 regions (~6,900 implementations).

Builds a FRESH database (a temporary SQLite file by default, or a new PostgreSQL database
next to --database-url, dropped afterwards), migrates it, then measures:

  * import: every standard text saved and published through the services, then every
    implementation (each region declaring its own ten elements, as an imported county list
    would, with a few deliberate deviations);
  * audit: the whole two-level audit (target < 5 s);
  * search p50/p95 over a set of applicant queries (target p95 < 20 ms), when search exists;
  * guide page and guide PDF render times, when they exist.

Usage:
    .venv/bin/python bench/catalog_scale.py [--items 429] [--regions 16] [--materials 8]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres]

The last line is machine-readable:
    import_s=<s> excel_export_s=<s> excel_reimport_s=<s> audit_s=<s> deviations=<n> search_p50_ms=<x> search_p95_ms=<y> guide_ms=<g> guide_pdf_ms=<p>
"""

from __future__ import annotations

import argparse
import copy
import os
import shlex
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAMES = [
    "企业设立登记",
    "食品经营许可",
    "公共场所卫生许可",
    "建筑工程施工许可证核发",
    "不动产转移登记",
    "住房公积金提取",
    "社会保障卡申领",
    "最低生活保障审核确认",
    "城镇污水排入排水管网许可",
    "药品零售企业许可",
    "道路货物运输经营许可",
    "取水许可",
    "农药经营许可",
    "医师执业注册",
    "婚姻登记",
    "居住证申领",
]
HANDLING = ["新办", "变更", "延续", "注销", "补证"]
QUERIES = [
    "低保",
    "营业执照",
    "公积金提取",
    "食品经营许可",
    "施工许可",
    "社保卡",
    "不动产",
    "排水",
    "婚姻登记",
    "居住证",
    "药品",
    "取水",
    "医师",
    "开饭店",
    "农药经营",
]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--items", type=int, default=429)
    p.add_argument("--regions", type=int, default=16)
    p.add_argument("--materials", type=int, default=8)
    p.add_argument("--deviations", type=int, default=50, help="implementations given a deliberate deviation")
    p.add_argument("--search-runs", type=int, default=300)
    p.add_argument("--guide-runs", type=int, default=30)
    p.add_argument("--database-url", help="a PostgreSQL URL: a fresh database is created beside it")
    return p.parse_args()


def fresh_database(url: str | None):
    """Points DATABASE_URL at a new empty database; returns a cleanup function."""
    if not url:
        path = Path(tempfile.mkdtemp(prefix="banhao-bench-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return lambda: None
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"banhao_bench_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return drop


def content_for(i: int, materials: int) -> dict:
    from conftest import sample_content

    base = sample_content()
    name = NAMES[i % len(NAMES)]
    mats = []
    for m in range(materials):
        mats.append({**base["materials"][m % 2], "name": f"{name}材料{m + 1}", "situation": ""})
    return sample_content(
        basic_code=f"3713{i:08d}"[:12],
        handling_code=f"{i % 90 + 1:02d}",
        name=name,
        sub_item_name=f"{name}（第{i // len(NAMES) + 1}类）",
        handling_name=HANDLING[i % len(HANDLING)],
        keywords=[name[:2], name[-2:]],
        materials=mats,
    )


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def main() -> None:
    args = parse_args()
    cleanup = fresh_database(args.database_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["BANHAO_DEBUG"] = "false"
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection, transaction

    from banhao.catalog import selectors, services
    from banhao.core.identifiers import make_org_code, make_uscc
    from banhao.org import services as org

    try:
        call_command("migrate", verbosity=0)
        vendor = connection.vendor
        city = org.region_ensure(actor="bench", code="371300", name="临沂市", level="city")
        codes = [
            "371302",
            "371311",
            "371312",
            "371321",
            "371322",
            "371323",
            "371324",
            "371325",
            "371326",
            "371327",
            "371328",
            "371329",
            "371371",
            "371372",
            "371373",
        ][: args.regions - 1]
        regions = [city] + [
            org.region_ensure(actor="bench", code=c, name=f"区县{c}", level="county", parent=city)
            for c in codes
        ]
        for r in regions:
            name = "临沂市行政审批服务局" if r.code == "371300" else f"区县{r.code}行政审批服务局"
            org.department_ensure(
                actor="bench",
                name=name,
                region=r,
                credit_code=make_uscc("1", "1", r.code, make_org_code(r.code + "01")),
            )

        contents = [content_for(i, args.materials) for i in range(args.items)]
        t0 = time.perf_counter()
        items = []
        for data in contents:
            with transaction.atomic():
                version, _ = services.standard_save(actor="bench", data=data)
                services.version_publish(actor="bench", version=version)
            items.append(version.item)
        t_standards = time.perf_counter() - t0
        deviating = 0
        for i, (item, data) in enumerate(zip(items, contents, strict=True)):
            with transaction.atomic():
                for r in regions[1:]:
                    declared = copy.deepcopy(data)
                    if deviating < args.deviations and (i + int(r.code)) % 97 == 0:
                        declared["promised_days"] = max(0, declared["promised_days"] - 1) or 1
                        declared["case_type"] = "promised"
                        deviating += 1
                    services.implementation_save(
                        actor="bench",
                        standard=item,
                        region_code=r.code,
                        department=f"区县{r.code}行政审批服务局",
                        declared=declared,
                    )
                services.implementation_save(
                    actor="bench", standard=item, region_code="371300", department="临沂市行政审批服务局"
                )
        t_import = time.perf_counter() - t0
        n_impl = len(items) * len(regions)

        t0 = time.perf_counter()
        found = selectors.catalog_audit()
        t_audit = time.perf_counter() - t0

        import io

        from banhao.catalog.excel import export_catalog, import_catalog

        t0 = time.perf_counter()
        workbook = io.BytesIO()
        export_catalog(workbook)
        t_export = time.perf_counter() - t0
        workbook.seek(0)
        t0 = time.perf_counter()
        report = import_catalog(workbook, actor="bench")
        t_reimport = time.perf_counter() - t0
        if report.errors:
            raise RuntimeError(report.errors[:5])

        search_p50 = search_p95 = guide_ms = pdf_ms = float("nan")
        search_note = "search: not built"
        try:
            from banhao.catalog import search
        except ImportError:
            search = None
        if search is not None:
            from banhao.catalog.models import Implementation

            for impl in (
                Implementation.objects.filter(declared__isnull=False)
                .exclude(pk__in=[d.implementation_id for d in found])
                .iterator()
            ):
                impl.declared = None
                impl.save(update_fields=["declared"])
            Implementation.objects.update(status="published")
            search.reindex_all()
            times = []
            for k in range(args.search_runs):
                q = QUERIES[k % len(QUERIES)]
                s = time.perf_counter()
                search.search(q, limit=20)
                times.append((time.perf_counter() - s) * 1000)
            search_p50, search_p95 = statistics.median(times), percentile(times, 95)
            search_note = f"search over {search.SearchEntry.objects.count() if hasattr(search, 'SearchEntry') else '?'} entries"
        try:
            from django.core.cache import cache
            from django.test import Client

            from banhao.catalog.models import Implementation

            impl = Implementation.objects.filter(region__code="371302").first()
            client = Client(HTTP_HOST="127.0.0.1")
            for url, bucket in ((f"/guide/{impl.pk}/", "page"), (f"/guide/{impl.pk}/pdf/", "pdf")):
                samples = []
                for _ in range(args.guide_runs if bucket == "page" else max(3, args.guide_runs // 5)):
                    cache.clear()  # the PDF view caches its output: measure real renders
                    s = time.perf_counter()
                    response = client.get(url)
                    samples.append((time.perf_counter() - s) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")
                if bucket == "page":
                    guide_ms = statistics.median(samples)
                else:
                    pdf_ms = statistics.median(samples)
        except Exception as exc:  # the guide pages are optional for this benchmark
            print(f"guide rendering not measured: {exc}", file=sys.stderr)

        print(
            f"database: {vendor}; {args.items} standard texts x {len(regions)} regions = {n_impl} implementations, "
            f"{args.materials} materials each"
        )
        print(
            f"  import (services, with audit trail): {t_import:8.1f} s  "
            f"({t_standards:.1f} s standards, {n_impl / t_import:,.0f} implementations/s overall)"
        )
        print(
            f"  Excel export {t_export:.1f} s ({len(workbook.getvalue()) / 1e6:.1f} MB); re-import of that workbook "
            f"{t_reimport:.1f} s: {report.summary}"
        )
        print(
            f"  two-level audit:                     {t_audit:8.2f} s  ({len(found)} deviations, {deviating} seeded)"
        )
        print(f"  {search_note}: p50 {search_p50:.2f} ms, p95 {search_p95:.2f} ms")
        print(f"  guide page p50 {guide_ms:.1f} ms, guide PDF p50 {pdf_ms:.1f} ms")
        print("rerun: " + shlex.join([".venv/bin/python", "bench/catalog_scale.py", *sys.argv[1:]]))
        print(
            f"import_s={t_import:.1f} excel_export_s={t_export:.1f} excel_reimport_s={t_reimport:.1f} "
            f"audit_s={t_audit:.2f} deviations={len(found)} search_p50_ms={search_p50:.2f} "
            f"search_p95_ms={search_p95:.2f} guide_ms={guide_ms:.1f} guide_pdf_ms={pdf_ms:.1f}"
        )
    finally:
        cleanup()


if __name__ == "__main__":
    main()
