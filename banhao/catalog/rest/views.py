"""Public catalog endpoints: the same search and reads the pages use, nothing recomputed here."""

from django.core.paginator import Paginator
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from banhao.catalog import codes, search, services
from banhao.catalog.models import Implementation

from . import serializers as s

TAGS = ["事项目录"]
BAD_REQUEST = OpenApiResponse(description="参数有误：返回 {参数名: [中文说明]}")
NOT_FOUND = OpenApiResponse(description="该事项未发布或不存在")

_zones = "、".join(f"{k}（{v}）" for k, v in codes.ZONES.items())
_types = "、".join(f"{k}（{v}）" for k, v in codes.ITEM_TYPES.items())


def _region(region) -> dict:
    return {"code": region.code, "name": region.name}


class SearchView(APIView):
    """Applicant search: jieba words, all of them first, else any of them (fallback)."""

    permission_classes = [AllowAny]
    client_scopes = {"GET": "catalog.read"}  # for API clients (accounts.rest)

    @extend_schema(
        operation_id="catalog_search",
        summary="搜索办事事项",
        description=(
            "按关键词搜索已发布的办事事项（中文分词）。先查找同时符合全部关键词的事项；"
            "一个也没有时，返回符合部分关键词的相关结果，并置 fallback 为 true。"
            "关键词为空时按筛选条件浏览。"
        ),
        tags=TAGS,
        parameters=[
            OpenApiParameter("q", str, description="关键词，如“低保”“营业执照”，最长50字"),
            OpenApiParameter("region", str, description="实施区域的行政区划代码，如 371302；不填为全市"),
            OpenApiParameter("dept", int, description="实施部门编号"),
            OpenApiParameter("zone", str, description=f"所属功能区：{_zones}"),
            OpenApiParameter(
                "audience", str, enum=list(search.AUDIENCES), description="服务对象：person 个人，legal 法人"
            ),
            OpenApiParameter("type", str, description=f"事项类别：{_types}"),
            OpenApiParameter("theme", str, enum=search.THEMES, description="主题分类"),
            OpenApiParameter("limit", int, description="每页条数，1–100，默认20"),
            OpenApiParameter("offset", int, description="起始位置，默认0"),
        ],
        responses={200: s.SearchResponseSerializer, 400: BAD_REQUEST},
    )
    def get(self, request):
        query = s.SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        args = dict(query.validated_data)
        result = search.search(args.pop("q", ""), **args)
        data = {
            "query": result.query,
            "words": list(result.words),
            "total": result.total,
            "fallback": result.fallback,
            "took_ms": result.took_ms,
            "limit": result.limit,
            "offset": result.offset,
            "hits": [hit.as_json() for hit in result.hits],
        }
        return Response(s.SearchResponseSerializer(data).data)


class ItemListView(APIView):
    """Published implementations (one per item and region), page by page."""

    permission_classes = [AllowAny]
    client_scopes = {"GET": "catalog.read"}  # for API clients (accounts.rest)

    @extend_schema(
        operation_id="catalog_items",
        summary="已发布事项列表",
        description="列出已发布的实施清单（事项在某一区域的实施），可按区域筛选，分页返回。",
        tags=TAGS,
        parameters=[
            OpenApiParameter("region", str, description="实施区域的行政区划代码；不填为全部区域"),
            OpenApiParameter("page", int, description="页码，从1开始"),
            OpenApiParameter("page_size", int, description="每页条数，1–100，默认20"),
        ],
        responses={200: s.ItemListResponseSerializer, 400: BAD_REQUEST},
    )
    def get(self, request):
        query = s.ItemQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        args = query.validated_data
        paginator = Paginator(search.published_implementations(args["region_code"]), args["page_size"])
        if args["page"] > paginator.num_pages:
            raise ValidationError({"page": [f"页码超出范围，共{paginator.num_pages}页。"]})
        page = paginator.page(args["page"])
        impls = list(page.object_list)
        versions = search.published_versions_for(i.standard_id for i in impls)
        results = []
        for impl in impls:
            v = versions[impl.standard_id]
            results.append(
                {
                    "id": impl.pk,
                    "implementation_code": impl.implementation_code,
                    "item_code": impl.standard.code,
                    "title": v.display_name,
                    "region": _region(impl.region),
                    "department": impl.department.name,
                    "item_type": v.item_type,
                    "item_type_label": v.item_type_label,
                    "zone": v.zone,
                    "promised_days": v.promised_days,
                    "visits": v.visits,
                    "online_depth": v.online_depth,
                    "guide_url": f"/guide/{impl.pk}/",
                }
            )
        data = {
            "count": paginator.count,
            "page": page.number,
            "page_size": args["page_size"],
            "num_pages": paginator.num_pages,
            "results": results,
        }
        return Response(s.ItemListResponseSerializer(data).data)


class ItemDetailView(APIView):
    """One published implementation with every element of its published standard text."""

    permission_classes = [AllowAny]
    client_scopes = {"GET": "catalog.read"}  # for API clients (accounts.rest)

    @extend_schema(
        operation_id="catalog_item",
        summary="事项详情（含全部要素）",
        description="返回某一区域已发布事项的实施信息（实施主体、办理地点、时间、窗口）和市级标准化文本的全部要素。",
        tags=TAGS,
        responses={200: s.ItemDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        impl: Implementation | None = search.published_implementations().filter(pk=pk).first()
        version = services.published_version(impl.standard) if impl is not None else None
        if impl is None or version is None:
            raise NotFound("该事项未发布或不存在。")
        data = {
            "id": impl.pk,
            "implementation_code": impl.implementation_code,
            "item_code": impl.standard.code,
            "title": version.display_name,
            "version": version.number,
            "effective_from": version.effective_from,
            "region": _region(impl.region),
            "department": impl.department.name,
            "address": impl.address,
            "phone": impl.phone,
            "office_hours": impl.office_hours,
            "windows": impl.windows,
            "guide_url": f"/guide/{impl.pk}/",
            "elements": services.version_content(version),
        }
        return Response(s.ItemDetailSerializer(data).data)
