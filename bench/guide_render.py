"""Render time of the service guide page and of its PDF.

Builds (once, idempotently) a sample item in the database the settings name — a city
standard text published and implemented in 兰山区 — then requests GET /guide/<id>/ and
GET /guide/<id>/pdf/ N times each through Django's test client (the PDF cache is cleared
before every PDF request, so every one is a real render). Needs the demo city
(`make demo` or `manage.py load_demo`): the departments 临沂市市场监督管理局 and
兰山区行政审批服务局 must exist. Usage:

    .venv/bin/python bench/guide_render.py [--renders 20] [--settings config.settings.dev]

The last line is machine-readable:
    guide_page_ms_p50=<x> guide_pdf_ms_p50=<y>
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The richer item rendered by this benchmark: the test fixture's sample with more sections
# (two legal bases, a catering situation, five steps, two FAQs) so the guide is realistic.
SAMPLE_CHANGES = {
    "basic_code": "BH9900000001",
    "sub_item_name": "食品经营许可（含网络经营）",
    "department": "临沂市市场监督管理局",
    "service_objects": ["企业法人", "非法人企业", "其他组织"],
    "keywords": ["开饭店", "餐饮许可", "食品店"],
    "legal_bases": [
        {
            "law": "中华人民共和国食品安全法",
            "article": "第三十五条",
            "text": "国家对食品生产经营实行许可制度。从事食品生产、食品销售、餐饮服务，应当依法取得许可。",
        },
        {
            "law": "食品经营许可和备案管理办法",
            "article": "第六条",
            "text": "食品经营者在不同经营场所从事食品经营活动的，应当依法分别取得食品经营许可或者进行备案。",
        },
    ],
    "conditions": "1. 已取得营业执照或者其他主体资格证明文件；\n"
    "2. 具有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所；\n"
    "3. 具有与经营的食品品种、数量相适应的经营设备或者设施；\n"
    "4. 有专职或者兼职的食品安全总监、食品安全员等食品安全管理人员和保证食品安全的规章制度。",
    "situations": [
        {"key": "agent", "question": "是否委托他人办理？", "answer": "是"},
        {"key": "catering", "question": "是否从事餐饮服务？", "answer": "是"},
    ],
    "materials": [
        {
            "name": "食品经营许可申请书",
            "medium": "both",
            "copy": "原件",
            "copies": 1,
            "pages": 2,
            "standard": "填写完整，经营者签字或盖章",
            "has_blank_form": True,
            "has_sample": True,
        },
        {
            "name": "营业执照",
            "medium": "electronic",
            "source": "政府部门核发",
            "standard": "在有效期内，经营范围包含食品经营",
            "shared": True,
            "licence_type": "营业执照",
        },
        {
            "name": "法定代表人身份证明",
            "medium": "electronic",
            "source": "政府部门核发",
            "standard": "在有效期内",
            "shared": True,
            "licence_type": "居民身份证",
        },
        {
            "name": "经营场所平面图及设备布局图",
            "copy": "复印件",
            "copies": 1,
            "standard": "标明各功能区布局、面积和主要设备位置",
            "tolerated": True,
            "has_sample": True,
        },
        {
            "name": "食品安全管理制度文本",
            "copy": "复印件",
            "standard": "包括从业人员健康管理、进货查验记录等制度",
            "situation": "catering",
        },
        {
            "name": "授权委托书及受托人身份证",
            "copy": "原件和复印件",
            "copies": 1,
            "standard": "载明委托事项、权限和期限，委托人签字或盖章",
            "situation": "agent",
            "has_blank_form": True,
        },
        {
            "name": "食品安全管理人员培训合格证明",
            "required": False,
            "copy": "复印件",
            "standard": "近一年内取得",
        },
    ],
    "steps": [
        {"name": "受理", "role": "窗口受理人员", "share": 10},
        {"name": "审查", "role": "后台审批人员", "share": 40},
        {"name": "现场核查", "role": "核查人员", "share": 20},
        {"name": "决定", "role": "部门负责人", "share": 20},
        {"name": "制证送达", "role": "出件窗口", "share": 10},
    ],
    "statutory_days": 20,
    "faq": [
        {
            "q": "只卖预包装食品需要办理许可吗？",
            "a": "仅销售预包装食品的，向所在地市场监督管理部门备案即可，无需办理许可。",
        },
        {
            "q": "许可证有效期多久？",
            "a": "食品经营许可证有效期为5年，有效期届满需要延续的，应当在届满前90个工作日至15个工作日期间提出申请。",
        },
    ],
    "form_fields": [
        {"key": "org_name", "label": "经营者名称", "type": "text", "prefill": "org.name"},
        {
            "key": "credit_code",
            "label": "统一社会信用代码",
            "type": "credit_code",
            "prefill": "org.credit_code",
        },
        {"key": "address", "label": "经营场所", "type": "address"},
        {
            "key": "category",
            "label": "经营项目",
            "type": "choice",
            "choices": ["热食类", "冷食类", "预包装食品"],
        },
        {"key": "seats", "label": "餐位数", "type": "number", "situation": "catering", "required": False},
        {"key": "agent_id", "label": "受托人身份证号", "type": "resident_id", "situation": "agent"},
    ],
}
LOCAL = {
    "address": "临沂市兰山区北京路与蒙山大道交汇处兰山区政务服务中心二楼",
    "phone": "0539-8211234",
    "office_hours": "法定工作日 上午9:00—12:00，下午13:30—17:00（夏季14:00—17:30）",
    "windows": "市场准入区 A12—A15 综合受理窗口",
}


def ensure_sample() -> int:
    """The id of the sample implementation, created and published when missing."""
    from banhao.catalog import services
    from banhao.catalog.models import Status
    from conftest import sample_content

    version, _ = services.standard_save(actor="基准测试", data=sample_content(**SAMPLE_CHANGES))
    if version.status != Status.PUBLISHED:
        version = services.version_publish(actor="基准测试", version=version)
    impl, _ = services.implementation_save(
        actor="基准测试",
        standard=version.item,
        region_code="371302",
        department="兰山区行政审批服务局",
        local=LOCAL,
    )
    if impl.status != Status.PUBLISHED:
        impl = services.implementation_publish(actor="基准测试", implementation=impl)
    return impl.pk


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--settings", default=os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.dev"))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = args.settings
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    impl_id = ensure_sample()
    client = Client(SERVER_NAME="127.0.0.1")
    page_url, pdf_url = f"/guide/{impl_id}/", f"/guide/{impl_id}/pdf/"

    # warm-up: imports, template loading, the working-day table, fontconfig caches
    assert client.get(page_url).status_code == 200
    cache.clear()
    first = time.perf_counter()
    response = client.get(pdf_url)
    first_ms = (time.perf_counter() - first) * 1000
    assert response.status_code == 200, response.status_code
    size = len(response.content)

    page_ms, pdf_ms = [], []
    for _ in range(args.renders):
        t = time.perf_counter()
        assert client.get(page_url).status_code == 200
        page_ms.append((time.perf_counter() - t) * 1000)
    for _ in range(args.renders):
        cache.clear()
        t = time.perf_counter()
        assert client.get(pdf_url).status_code == 200
        pdf_ms.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    client.get(pdf_url)
    cached_ms = (time.perf_counter() - t) * 1000

    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; settings {args.settings}"
    )
    print(f"sample implementation id {impl_id}: {page_url}  {pdf_url}")
    print(f"renders: {args.renders} each; PDF size {size / 1024:.0f} KiB; first PDF (cold) {first_ms:.0f} ms")
    print(f"guide page: p50 {pct(page_ms, 0.5):.1f} ms  p95 {pct(page_ms, 0.95):.1f} ms")
    print(
        f"guide PDF:  p50 {pct(pdf_ms, 0.5):.1f} ms  p95 {pct(pdf_ms, 0.95):.1f} ms  (cache hit {cached_ms:.1f} ms)"
    )
    print(f"mean page {statistics.mean(page_ms):.1f} ms, mean PDF {statistics.mean(pdf_ms):.1f} ms")
    print("rerun: " + shlex.join([".venv/bin/python", "bench/guide_render.py", *sys.argv[1:]]))
    print(f"guide_page_ms_p50={pct(page_ms, 0.5):.1f} guide_pdf_ms_p50={pct(pdf_ms, 0.5):.1f}")


if __name__ == "__main__":
    main()
