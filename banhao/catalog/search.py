"""Applicant search of the catalog (事项搜索): a jieba-segmented full-text index.

One ``SearchEntry`` per published implementation (the item is published in that region and
its standard text has a published version). Its ``tokens`` are the words jieba finds in the
item's names, keywords, result and department (``lcut_for_search``), plus every 2-character
sliding bigram and every single character of the title and 2-grams of the keywords: people type
two characters (低保, 社保) that jieba may not cut out of a longer name, and a word cut one way
in a name may be cut another way in a query.

The query is cut the same way; each word must match (AND), a longer word either whole or by
all its bigrams. When nothing matches every word, any word will do (OR) and the page says the
results are only related (相关结果). Filters are ordinary ORM filters; only the match and the
rank are raw SQL:

- SQLite: the FTS5 table ``catalog_search_fts`` (external content = catalog_searchentry,
  rowid = id), ``MATCH '"a" AND ("bc" OR ("b" AND "c"))'``, ranked by ``bm25()``.
- PostgreSQL: the generated column ``search_vector = to_tsvector('simple', tokens)`` with a GIN
  index, ``@@ to_tsquery('simple', $$'a' & ('bc' | ('b' & 'c'))$$)``, ranked by ``ts_rank``.

Exact title matches come first, then titles that contain the query, then the rank.

``refresh_item`` rebuilds one item's entries; the catalog services call it after every change
that can add, remove or alter one. ``reindex_all`` (``manage.py catalog_reindex``) rebuilds all.
"""

from __future__ import annotations

import logging
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jieba
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import BooleanField, Case, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from banhao.org.api import region_id_by_code

from . import codes
from .models import Implementation, SearchEntry, StandardVersion, Status

jieba.setLogLevel(logging.WARNING)  # it prints its dictionary loading at DEBUG otherwise

# The raw SQL, all of it: constants, every value a bound parameter.
FTS_DELETE_ITEM = (  # the FTS5 'delete' command needs the very words that were indexed
    "INSERT INTO catalog_search_fts(catalog_search_fts, rowid, tokens) "
    "SELECT 'delete', id, tokens FROM catalog_searchentry WHERE standard_id = %s"
)
FTS_INSERT_ITEM = (
    "INSERT INTO catalog_search_fts(rowid, tokens) "
    "SELECT id, tokens FROM catalog_searchentry WHERE standard_id = %s"
)
FTS_REBUILD = "INSERT INTO catalog_search_fts(catalog_search_fts) VALUES ('rebuild')"
FTS_MATCH_IDS = "SELECT rowid FROM catalog_search_fts WHERE catalog_search_fts MATCH %s"
# One page of ranked ids; {matched} is the ORM's compiled "matched and filtered ids" query.
# bm25() is negative: the more negative, the better.
FTS_RANKED_PAGE = """
SELECT e.id
FROM catalog_search_fts
JOIN catalog_searchentry e ON e.id = catalog_search_fts.rowid
JOIN catalog_standarditem s ON s.id = e.standard_id
JOIN org_region r ON r.id = e.region_id
WHERE catalog_search_fts MATCH %s AND e.id IN ({matched})
ORDER BY CASE WHEN e.title = %s THEN 0 WHEN instr(e.title, %s) > 0 THEN 1 ELSE 2 END,
         bm25(catalog_search_fts), s.code, r."order", e.id
LIMIT %s OFFSET %s
"""
PG_MATCH = "catalog_searchentry.search_vector @@ to_tsquery('simple'::regconfig, %s)"
PG_RANK = "ts_rank(catalog_searchentry.search_vector, to_tsquery('simple'::regconfig, %s))"

MAX_QUERY_LENGTH = 50
MAX_LIMIT = 100

AUDIENCES = {"person": "个人", "legal": "法人"}
THEMES = list(dict.fromkeys(codes.PERSONAL_THEMES + codes.LEGAL_THEMES))

# Words of a request that never describe an item ("我要办低保" → 低保).
STOPWORDS = frozenset(
    "的 了 和 与 及 或 是 在 去 到 给 我 你 要 想 能 吗 呢 啊 吧 怎 么 个 "
    "我要 我想 想要 需要 怎么 怎样 如何 怎么办 哪里 在哪 在哪里 去哪 哪儿 什么 请问 可以 办 办理 "
    "申请 一下 相关 事项".split()
)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]+|[0-9a-z]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")


# --- segmentation ----------------------------------------------------------------------------


def _is_cjk(word: str) -> bool:
    return bool(_CJK_RUN.fullmatch(word))


def _words(text: str) -> list[str]:
    """jieba's search-mode words of a text, lower-cased, without punctuation or spaces."""
    out = []
    for piece in jieba.lcut_for_search(text or ""):
        out.extend(_WORD.findall(piece.lower()))
    return out


def _bigrams(text: str) -> list[str]:
    out = []
    for run in _CJK_RUN.findall(text or ""):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _chars(text: str) -> list[str]:
    return [c for run in _CJK_RUN.findall(text or "") for c in run]


def index_tokens(*, title: str, keywords: Iterable[str], texts: Iterable[str]) -> str:
    """The space-separated index words of one entry (order kept, duplicates dropped)."""
    keywords = list(keywords)
    words: list[str] = []
    for text in [title, *keywords, *texts]:
        words.extend(_words(text))
    for text in [title, *keywords]:
        words.extend(_bigrams(text))
    words.extend(_chars(title))  # so a one-character query (税, 车) still finds a title
    return " ".join(dict.fromkeys(words))


# A query is a list of groups; a group matches when any of its alternatives does; an
# alternative matches when all its words do.
Group = tuple[tuple[str, ...], ...]


def query_groups(q: str) -> list[Group]:
    """The groups a query asks for (empty when it has no usable word)."""
    words = [w for w in dict.fromkeys(_words(q)) if w not in STOPWORDS]
    longer = [w for w in words if not (len(w) == 1 and _is_cjk(w))]
    if longer:  # a stray single character (开饭店 → 开) narrows nothing
        words = longer
    groups: list[Group] = []
    for w in words:
        if _is_cjk(w) and len(w) >= 3:
            groups.append(((w,), tuple(dict.fromkeys(_bigrams(w)))))
        else:
            groups.append(((w,),))
    return groups


def _fts5_expression(groups: list[Group], op: str) -> str:
    def alt(words):
        quoted = [f'"{w}"' for w in words]  # words hold only CJK letters and [0-9a-z]
        return quoted[0] if len(quoted) == 1 else "(" + " AND ".join(quoted) + ")"

    parts = []
    for group in groups:
        alts = [alt(a) for a in group]
        parts.append(alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")")
    return f" {op} ".join(parts)


def _tsquery_expression(groups: list[Group], op: str) -> str:
    def alt(words):
        quoted = [f"'{w}'" for w in words]
        return quoted[0] if len(quoted) == 1 else "(" + " & ".join(quoted) + ")"

    parts = []
    for group in groups:
        alts = [alt(a) for a in group]
        parts.append(alts[0] if len(alts) == 1 else "(" + " | ".join(alts) + ")")
    return f" {'&' if op == 'AND' else '|'} ".join(parts)


# --- the index -------------------------------------------------------------------------------


def _title(version: StandardVersion) -> str:
    return version.display_name


def _summary(version: StandardVersion) -> str:
    text = " ".join((version.conditions or "").split())
    if text:
        return text if len(text) <= 80 else text[:79] + "…"
    return f"办理结果：{version.result_name}"


def _entry(version: StandardVersion, impl: Implementation) -> SearchEntry:
    objects = set(version.service_objects or [])
    themes = list(version.themes or [])
    title = _title(version)
    return SearchEntry(
        implementation=impl,
        standard_id=impl.standard_id,
        region_id=impl.region_id,
        department_id=impl.department_id,
        zone=version.zone,
        item_type=version.item_type,
        is_personal=bool(objects & codes.PERSONAL_OBJECTS),
        is_legal=bool(objects - codes.PERSONAL_OBJECTS),
        themes="|" + "|".join(themes) + "|" if themes else "",
        title=title[:200],
        summary=_summary(version)[:200],
        promised_days=version.promised_days,
        visits=version.visits,
        online_depth=version.online_depth,
        tokens=index_tokens(
            title=title,
            keywords=version.keywords or [],
            texts=[
                version.name,
                version.sub_item_name,
                version.handling_name,
                version.result_name,
                impl.department.name,
                *themes,
            ],
        ),
    )


def _fts_sql(sql: str, params=()) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


@transaction.atomic
def refresh_item(standard_item_id: int) -> int:
    """Rebuilds the entries of one standard text; returns how many it has now."""
    # Read the indexed words out of the FTS5 index before the rows that hold them go.
    _fts_sql(FTS_DELETE_ITEM, [standard_item_id])
    SearchEntry.objects.filter(standard_id=standard_item_id).delete()
    version = (
        StandardVersion.objects.filter(item_id=standard_item_id, status=Status.PUBLISHED)
        .select_related("item")
        .first()
    )
    if version is None:
        return 0
    impls = Implementation.objects.filter(
        standard_id=standard_item_id, status=Status.PUBLISHED
    ).select_related("department")
    entries = [_entry(version, impl) for impl in impls]
    SearchEntry.objects.bulk_create(entries)
    _fts_sql(FTS_INSERT_ITEM, [standard_item_id])
    return len(entries)


@transaction.atomic
def reindex_all() -> int:
    """Rebuilds every entry (and on SQLite the whole FTS5 index); returns the number of entries."""
    SearchEntry.objects.all().delete()
    versions = {v.item_id: v for v in StandardVersion.objects.filter(status=Status.PUBLISHED)}
    impls = (
        Implementation.objects.filter(status=Status.PUBLISHED, standard_id__in=list(versions))
        .select_related("department")
        .order_by("standard_id", "region_id")
    )
    count, batch = 0, []
    for impl in impls.iterator(chunk_size=500):
        batch.append(_entry(versions[impl.standard_id], impl))
        if len(batch) >= 500:
            SearchEntry.objects.bulk_create(batch)
            count, batch = count + len(batch), []
    SearchEntry.objects.bulk_create(batch)
    count += len(batch)
    _fts_sql(FTS_REBUILD)
    return count


# --- query -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    implementation_id: int
    implementation_code: str
    item_code: str
    title: str
    summary: str
    department_name: str
    region_code: str
    region_name: str
    zone: str
    zone_label: str
    item_type: str
    item_type_label: str
    themes: tuple[str, ...]
    promised_days: int
    visits: int
    online_depth: str
    online_depth_label: str

    @property
    def promised_label(self) -> str:
        return "即办" if self.promised_days == 0 else f"{self.promised_days}个工作日"

    @property
    def guide_url(self) -> str:
        return f"/guide/{self.implementation_id}/"

    def as_json(self) -> dict[str, Any]:
        return {
            "implementation_id": self.implementation_id,
            "implementation_code": self.implementation_code,
            "item_code": self.item_code,
            "title": self.title,
            "summary": self.summary,
            "department": self.department_name,
            "region": {"code": self.region_code, "name": self.region_name},
            "zone": self.zone,
            "zone_label": self.zone_label,
            "item_type": self.item_type,
            "item_type_label": self.item_type_label,
            "themes": list(self.themes),
            "promised_days": self.promised_days,
            "promised_label": self.promised_label,
            "visits": self.visits,
            "online_depth": self.online_depth,
            "online_depth_label": self.online_depth_label,
            "guide_url": self.guide_url,
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    words: tuple[str, ...]  # the words searched for (after segmentation and stopwords)
    hits: tuple[SearchHit, ...]
    total: int
    fallback: bool  # True: no item has every word; these have some (相关结果)
    took_ms: float
    limit: int
    offset: int


def _filtered(
    *, region_code=None, department_id=None, zone=None, audience=None, item_type=None, theme=None
) -> QuerySet[SearchEntry]:
    qs = SearchEntry.objects.all()
    if region_code:
        qs = qs.filter(region__code=region_code)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if zone:
        qs = qs.filter(zone=zone)
    if audience == "person":
        qs = qs.filter(is_personal=True)
    elif audience == "legal":
        qs = qs.filter(is_legal=True)
    if item_type:
        qs = qs.filter(item_type=item_type)
    if theme:
        qs = qs.filter(themes__contains=f"|{theme}|")
    return qs


def _matching(qs: QuerySet[SearchEntry], groups: list[Group], op: str) -> QuerySet[SearchEntry]:
    """``qs`` narrowed to the entries whose words match the groups."""
    if connection.vendor == "sqlite":
        ids = RawSQL(FTS_MATCH_IDS, (_fts5_expression(groups, op),))  # noqa: S611 (constant SQL, bound parameter)
        return qs.filter(id__in=ids)
    if connection.vendor == "postgresql":
        match = RawSQL(PG_MATCH, (_tsquery_expression(groups, op),), output_field=BooleanField())  # noqa: S611
        return qs.filter(match)
    raise ImproperlyConfigured(f"事项搜索不支持数据库 {connection.vendor}（仅支持 SQLite 和 PostgreSQL）。")


def _ranked_ids(matched: QuerySet[SearchEntry], groups, op, q, limit, offset) -> list[int]:
    """One page of the matched entries' ids, best first: exact title, title contains, rank."""
    if connection.vendor == "sqlite":
        # bm25() is only known inside a query on the FTS5 table, so the page is read from it,
        # restricted to the ORM's matched-and-filtered ids (a join: ~3 ms for 1,500 matches of
        # 30,000 entries, where a correlated bm25() per row took ~50 ms).
        where, params = matched.values("id").query.sql_with_params()
        sql = FTS_RANKED_PAGE.replace("{matched}", where)
        with connection.cursor() as cursor:
            cursor.execute(sql, [_fts5_expression(groups, op), *params, q, q, limit, offset])
            return [row[0] for row in cursor.fetchall()]
    rank = RawSQL(PG_RANK, (_tsquery_expression(groups, op),), output_field=FloatField())  # noqa: S611
    exact = Case(
        When(title=q, then=Value(0)),
        When(title__contains=q, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    ordered = matched.annotate(exact=exact, rank=rank).order_by(
        "exact", "-rank", "standard__code", "region__order", "id"
    )
    return list(ordered.values_list("id", flat=True)[offset : offset + limit])


def _hit(e: SearchEntry) -> SearchHit:
    return SearchHit(
        implementation_id=e.implementation_id,
        implementation_code=e.implementation.implementation_code,
        item_code=e.standard.code,
        title=e.title,
        summary=e.summary,
        department_name=e.department.name,
        region_code=e.region.code,
        region_name=e.region.name,
        zone=e.zone,
        zone_label=codes.ZONES.get(e.zone, e.zone),
        item_type=e.item_type,
        item_type_label=codes.ITEM_TYPES.get(e.item_type, e.item_type),
        themes=tuple(t for t in e.themes.split("|") if t),
        promised_days=e.promised_days,
        visits=e.visits,
        online_depth=e.online_depth,
        online_depth_label=codes.ONLINE_DEPTHS.get(e.online_depth, e.online_depth),
    )


def search(
    q: str,
    *,
    region_code: str | None = None,
    department_id: int | None = None,
    zone: str | None = None,
    audience: str | None = None,
    item_type: str | None = None,
    theme: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Published items matching the query and the filters (an empty query: browse by filters).

    The filters are expected to be clean (see ``clean_filters``).
    """
    started = time.perf_counter()
    q = " ".join((q or "").split())[:MAX_QUERY_LENGTH]
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    base = _filtered(
        region_code=region_code,
        department_id=department_id,
        zone=zone,
        audience=audience,
        item_type=item_type,
        theme=theme,
    )
    groups = query_groups(q) if q else []
    fallback, total, ids = False, 0, []
    if not q:
        total = base.count()
        page = base.order_by("standard__code", "region__order", "region__code", "id")[offset : offset + limit]
        ids = list(page.values_list("id", flat=True))
    elif groups:
        op = "AND"
        matched = _matching(base, groups, op)
        total = matched.count()
        if total == 0 and len(groups) > 1:
            op = "OR"
            matched = _matching(base, groups, op)
            total = matched.count()
            fallback = total > 0  # nothing at all is just nothing, not "related"
        if total:
            ids = _ranked_ids(matched, groups, op, q, limit, offset)
    rows = (
        SearchEntry.objects.select_related("implementation", "standard", "region", "department")
        .defer("tokens", "implementation__declared")
        .in_bulk(ids)
    )
    return SearchResult(
        query=q,
        words=tuple(group[0][0] for group in groups),
        hits=tuple(_hit(rows[pk]) for pk in ids if pk in rows),
        total=total,
        fallback=fallback,
        took_ms=round((time.perf_counter() - started) * 1000, 2),
        limit=limit,
        offset=offset,
    )


# --- parameters (the one validation the page and the API share) ------------------------------


def clean_filters(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Reads ?q=&region=&dept=&zone=&audience=&type=&theme= into ``search`` keyword arguments.

    Returns (arguments, errors): errors maps a parameter to Chinese messages; a parameter in
    error is left out of the arguments (the page still searches with the rest; the API says 400).
    """
    errors: dict[str, list[str]] = defaultdict(list)
    out: dict[str, Any] = {}

    def value(key: str) -> str:
        raw = data.get(key, "")
        return str(raw if raw is not None else "").strip()

    q = " ".join(value("q").split())
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"].append(f"关键词不能超过{MAX_QUERY_LENGTH}个字，请换用更短的说法。")
        q = q[:MAX_QUERY_LENGTH]
    out["q"] = q

    region = value("region")
    if region:
        if not re.fullmatch(r"\d{6,12}", region) or region_id_by_code(region) is None:
            errors["region"].append(f"找不到区划代码为“{region[:20]}”的区域。")
        else:
            out["region_code"] = region

    dept = value("dept")
    if dept:
        if not re.fullmatch(r"[1-9]\d{0,17}", dept):
            errors["dept"].append("部门编号应为正整数。")
        elif not Implementation.objects.filter(department_id=int(dept)).exists():
            errors["dept"].append(f"找不到编号为 {dept} 的实施部门。")
        else:
            out["department_id"] = int(dept)

    zone = value("zone")
    if zone:
        if zone in codes.ZONES:
            out["zone"] = zone
        else:
            allowed = "、".join(f"{k}（{v}）" for k, v in codes.ZONES.items())
            errors["zone"].append(f"“{zone[:20]}”不是有效的功能区，可选：{allowed}。")

    audience = value("audience")
    if audience:
        if audience in AUDIENCES:
            out["audience"] = audience
        else:
            errors["audience"].append("服务对象只能是 person（个人）或 legal（法人）。")

    item_type = value("type")
    if item_type:
        if item_type in codes.ITEM_TYPES:
            out["item_type"] = item_type
        else:
            allowed = "、".join(f"{k}（{v}）" for k, v in codes.ITEM_TYPES.items())
            errors["type"].append(f"“{item_type[:20]}”不是有效的事项类别，可选：{allowed}。")

    theme = value("theme")
    if theme:
        if theme in THEMES:
            out["theme"] = theme
        else:
            errors["theme"].append(f"“{theme[:20]}”不是有效的主题，可选：{'、'.join(THEMES)}。")
    return out, dict(errors)


# --- choices for filter forms ----------------------------------------------------------------


def region_options() -> list[tuple[str, str]]:
    """(code, name) of the regions that have searchable items, in display order."""
    rows = (
        SearchEntry.objects.values_list("region__code", "region__name", "region__order")
        .distinct()
        .order_by("region__order", "region__code")
    )
    return [(code, name) for code, name, _ in rows]


def department_options(region_code: str | None = None) -> list[tuple[int, str]]:
    """(id, name) of the departments that have searchable items (in a region, when given)."""
    qs = SearchEntry.objects.all()
    if region_code:
        qs = qs.filter(region__code=region_code)
    rows = (
        qs.values_list("department_id", "department__name", "region__order")
        .distinct()
        .order_by("region__order", "department__name")
    )
    return [(pk, name) for pk, name, _ in rows]


# --- reads for the public catalog API ---------------------------------------------------------


def published_implementations(region_code: str | None = None) -> QuerySet[Implementation]:
    """Implementations that are published and whose standard text has a published version."""
    qs = Implementation.objects.filter(
        Q(status=Status.PUBLISHED) & Q(standard__versions__status=Status.PUBLISHED)
    ).select_related("standard", "region", "department")
    if region_code:
        qs = qs.filter(region__code=region_code)
    return qs.order_by("standard__code", "region__order", "region__code")


def published_versions_for(item_ids: Iterable[int]) -> dict[int, StandardVersion]:
    """The published version of each of these standard texts, by item id (one query)."""
    rows = StandardVersion.objects.filter(item_id__in=list(item_ids), status=Status.PUBLISHED)
    return {v.item_id: v for v in rows.select_related("item", "department")}
