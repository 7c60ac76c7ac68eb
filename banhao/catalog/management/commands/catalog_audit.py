import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from banhao.catalog.selectors import catalog_audit
from banhao.org.api import region_id_by_code

COLUMNS = (("区域", 18), ("事项编码", 18), ("事项名称", 24), ("要素", 12), ("市级标准", 30), ("实施清单", 30))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    """The text cut and padded to ``width`` terminal columns (a Chinese character takes two)."""
    if _width(text) > width:
        while _width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - _width(text))


_TITLE_KEYS = ("name", "law", "label", "q", "key")


def _show(value) -> str:
    """An element's value in a few words: list elements by count and names, the fee by its lines."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "free" in value:
        return "不收费" if value.get("free") else _show(value.get("lines") or [])
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        titles = [str(next((v[k] for k in _TITLE_KEYS if v.get(k)), "?")) for v in value]
        return f"{len(value)}项：" + "、".join(titles)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Command(BaseCommand):
    help = "两级十同核查：列出各区县实施清单与市级标准化文本不一致的要素。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="以JSON列表输出（每处不一致一个对象）"
        )
        parser.add_argument("--region", metavar="CODE", help="只核查该行政区划代码的实施清单")

    def handle(self, *args, as_json: bool = False, region: str | None = None, **options):
        region_ids = None
        if region:
            region_id = region_id_by_code(region)
            if region_id is None:
                raise CommandError(f"找不到区划代码为“{region}”的区域。")
            region_ids = frozenset({region_id})
        deviations = catalog_audit(region_ids)
        if as_json:
            self.stdout.write(
                json.dumps([d.as_json() for d in deviations], ensure_ascii=False, indent=2, default=str)
            )
            return
        if not deviations:
            self.stdout.write(self.style.SUCCESS("未发现不一致：各实施清单与市级标准化文本一致。"))
            return
        self.stdout.write("  ".join(_fit(title, width) for title, width in COLUMNS).rstrip())
        self.stdout.write("  ".join("-" * width for _, width in COLUMNS))
        for d in deviations:
            ours, theirs = _show(d.standard_value), _show(d.implementation_value)
            if ours == theirs:
                theirs = "明细不同（见 --json）"
            cells = (
                f"{d.region_name}（{d.region_code}）",
                d.item_code,
                d.item_name,
                d.element_label,
                ours,
                theirs,
            )
            self.stdout.write(
                "  ".join(_fit(text, width) for text, (_, width) in zip(cells, COLUMNS, strict=True)).rstrip()
            )
        self.stdout.write(self.style.WARNING(f"共发现{len(deviations)}处不一致。"))
