"""Cases endpoints. Reads go through the selectors (applicant or staff scope; a case outside it
is a 404), actions through commands.case_act (the function the back-office pages call), and
POST /api/v1/cases/ opens a case through commands.case_open."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from banhao.cases import commands, selectors
from banhao.cases.models import Case
from banhao.cases.states import ACTION_LABELS
from banhao.core.masking import mask_identifiers, mask_phone
from banhao.org.api import scope_for_user

from . import intake
from . import serializers as s

TAGS = ["办件"]
NUMBER = OpenApiParameter(
    "number", str, OpenApiParameter.PATH, description="办件编号，如 371302-20261124-00012"
)
NOT_FOUND = OpenApiResponse(description="办件不存在或不在您的可见范围内")
FORBIDDEN = OpenApiResponse(s.CaseErrorSerializer, description="未登录，或您的角色无权进行此操作")
BAD_REQUEST = OpenApiResponse(s.CaseErrorSerializer, description="参数有误或当前状态不允许：返回中文说明")
# Internal review steps an applicant's timeline leaves out.
INTERNAL_ACTIONS = {"claim", "assign", "opinion", "step", "escalate", "warning"}


class _Reader:
    """Who is reading: a staff scope (with cases.view), or an applicant account."""

    def __init__(self, request):
        self.user = request.user
        self.scope = scope_for_user(request.user)
        if self.scope is None:
            if not getattr(request.user, "is_applicant", False):
                raise PermissionDenied("该账户不能查看办件。")
        elif not self.scope.can("cases.view"):
            raise PermissionDenied("您的角色无权查看办件。")

    @property
    def is_staff(self) -> bool:
        return self.scope is not None

    def cases(self):
        if self.is_staff:
            return selectors.cases_for_staff(self.scope)
        return selectors.cases_for_applicant(self.user)

    def case(self, number: str) -> Case:
        case = selectors.case_visible_to(self.user, number)
        if case is None:
            raise NotFound("未找到该办件。")
        return case


def _summary(case: Case, reader: _Reader) -> dict:
    return {
        "number": case.number,
        "item": case.version.display_name,
        "region": {"code": case.region.code, "name": case.region.name},
        "department": case.department.name,
        "channel": case.channel,
        "status": case.status,
        "status_label": case.get_status_display(),
        "applicant": selectors.applicant_label(case),
        "current_step": selectors.current_step(case),
        "submitted_at": case.submitted_at,
        "accepted_on": case.accepted_on,
        "promised_due": case.promised_due,
        "statutory_due": case.statutory_due,
        "warning": case.warning,
        "countdown": selectors.countdown(case).text,
        "assignee": (str(case.assignee) if case.assignee else None) if reader.is_staff else None,
    }


def _detail(case: Case, reader: _Reader) -> dict:
    data = _summary(case, reader)
    data.update(
        {
            "contact_phone": mask_phone(case.contact_phone),
            "promised_limit": case.promised_limit,
            "statutory_limit": case.statutory_limit,
            "clock_start": case.clock_start,
            "form": [{"label": k, "value": v} for k, v in selectors.form_rows(case)],
            "materials": [
                {
                    "id": m.pk,
                    "name": m.name,
                    "state": m.state,
                    "state_label": m.get_state_display(),
                    "defect": mask_identifiers(m.defect),
                    "has_file": bool(m.file),
                    "licence_identifier": m.licence_identifier,
                    "download_url": (
                        reverse("cases_office:material_download", args=[case.number, m.pk])
                        if reader.is_staff and m.file
                        else None
                    ),
                }
                for m in case.materials.all()
            ],
            "pauses": [
                {
                    "kind": p.kind,
                    "kind_label": p.get_kind_display(),
                    "reason": mask_identifiers(p.reason),
                    "started_on": p.started_on,
                    "expected_days": p.expected_days,
                    "ended_on": p.ended_on,
                }
                for p in case.pauses.all()
            ],
            "refusal_reason": mask_identifiers(case.refusal_reason),
            "competent_office": mask_identifiers(case.competent_office),
            "decision_reason": mask_identifiers(case.decision_reason),
            "decided_at": case.decided_at,
            "delivery_method": case.delivery_method,
            "tracking_number": case.tracking_number,
            "delivered_at": case.delivered_at,
            "concluded_at": case.concluded_at,
            "actions": (
                [name for name, offer in commands.case_offers(case.pk, reader.user).items() if offer.enabled]
                if reader.is_staff
                else []
            ),
        }
    )
    return s.CaseDetailSerializer(data).data


class CaseListView(APIView):
    client_scopes = {"GET": "cases.read", "POST": "cases.create"}  # for API clients (accounts.rest)

    @extend_schema(
        operation_id="cases_list",
        summary="办件列表",
        description=(
            "申请人：本账户提交的办件，按提交时间倒序。工作人员：数据范围内的办件（后台审批人员和部门负责人"
            "仅本部门），超期在前、临期其次、再按承诺办结日期排序。"
        ),
        tags=TAGS,
        parameters=[
            OpenApiParameter("status", str, description="按状态筛选，如 accepted、under_review"),
            OpenApiParameter("page", int, description="页码，从1开始"),
            OpenApiParameter("page_size", int, description="每页条数，1–100，默认20"),
        ],
        responses={200: s.CaseListResponseSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def get(self, request):
        reader = _Reader(request)
        query = s.CaseListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        args = query.validated_data
        if reader.is_staff:
            qs = selectors.inbox(reader.scope, reader.user, status=args.get("status") or "all")
        else:
            qs = reader.cases().order_by("-submitted_at", "-id")
            if args.get("status"):
                qs = qs.filter(status=args["status"])
        paginator = Paginator(qs, args["page_size"])
        if args["page"] > paginator.num_pages:
            raise ValidationError({"page": [f"页码超出范围，共{paginator.num_pages}页。"]})
        page = paginator.page(args["page"])
        data = {
            "count": paginator.count,
            "page": page.number,
            "page_size": args["page_size"],
            "num_pages": paginator.num_pages,
            "results": [_summary(c, reader) for c in page.object_list],
        }
        return Response(s.CaseListResponseSerializer(data).data)

    @extend_schema(
        operation_id="cases_create",
        summary="提交申请（创建办件）",
        description=(
            "省级平台、移动端和合作系统创建办件，与网上大厅、综合窗口调用同一入口 case_open。"
            "请求头 Idempotency-Key（1–64位字母、数字、下划线或连字符）必填：同一账户以同一标识重复提交，"
            "返回第一次创建的办件（200），不会重复创建。申请表、情形和材料的校验与网上申请相同；"
            "参数有误返回400，errors 按字段路径给出中文说明（如 form_data.address、materials.营业执照、"
            "materials[1].licence）。对应证照在电子证照库中的材料（如营业执照）不会按“免提交（数据共享）”"
            "自动收取：须以 how=licence 明确调用申请人（或其单位）持有的有效电子证照"
            '（{"name": "营业执照", "how": "licence", "licence": "<证照标识>"}；视为申请人同意调用，'
            "用证记录载明办件编号），或上传文件；证照不存在、不属于申请人、已吊销/注销、中止、过期或签名核验"
            "未通过的，返回400且不创建办件。"
        ),
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="本次提交的唯一标识，重试时保持不变",
            )
        ],
        request=s.CaseCreateRequestSerializer,
        responses={
            201: s.CaseDetailSerializer,
            200: OpenApiResponse(s.CaseDetailSerializer, description="同一 Idempotency-Key 已创建的办件"),
            400: BAD_REQUEST,
            403: FORBIDDEN,
        },
    )
    def post(self, request):
        user = request.user
        if not getattr(user, "is_applicant", False):
            scope = scope_for_user(user)
            if scope is None or not scope.can("cases.accept"):
                raise PermissionDenied("您的账户无权创建办件。")
        body = request.data
        if not isinstance(body, Mapping):
            return Response({"detail": "请求内容应为JSON对象。"}, status=http.HTTP_400_BAD_REQUEST)
        try:
            key = intake.idempotency_key(request.headers.get("Idempotency-Key"))
            case, created = intake.open_case(user=user, body=body, key=key)
        except intake.IntakeError as e:
            return Response({"detail": str(e), "errors": e.errors}, status=http.HTTP_400_BAD_REQUEST)
        except DjangoPermissionDenied as e:
            raise PermissionDenied(str(e) or "您无权创建该办件。") from None
        except DjangoValidationError as e:
            payload = {"detail": "；".join(e.messages)}
            if hasattr(e, "error_dict"):
                payload["errors"] = e.message_dict
            return Response(payload, status=http.HTTP_400_BAD_REQUEST)
        reader = _Reader(request)
        code = http.HTTP_201_CREATED if created else http.HTTP_200_OK
        visible = (
            reader.scope.allows(case.region_id, case.department_id)
            if reader.is_staff
            else case.applicant_user_id == user.pk
        )
        if not visible:  # made, but outside what this account may read
            return Response({"number": case.number, "status": case.status}, status=code)
        return Response(_detail(case, reader), status=code)


class CaseDetailView(APIView):
    client_scopes = {"GET": "cases.read"}

    @extend_schema(
        operation_id="cases_detail",
        summary="办件详情",
        description="办件的全部信息、申请表、材料和特别程序；工作人员另见承办人和当前可进行的操作。",
        tags=TAGS,
        parameters=[NUMBER],
        responses={200: s.CaseDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, number: str):
        reader = _Reader(request)
        return Response(_detail(reader.case(number), reader))


class CaseEventsView(APIView):
    client_scopes = {"GET": "cases.read"}

    @extend_schema(
        operation_id="cases_events",
        summary="办件办理过程",
        description="办件的每一步记录（时间、操作人、状态变化、说明），按时间顺序。申请人看不到内部审查记录。",
        tags=TAGS,
        parameters=[NUMBER],
        responses={200: s.CaseEventSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, number: str):
        reader = _Reader(request)
        events = reader.case(number).events.order_by("at", "id")
        if not reader.is_staff:
            events = events.exclude(action__in=INTERNAL_ACTIONS)
        data = [
            {
                "at": e.at,
                "action": e.action,
                "action_label": ACTION_LABELS.get(e.action, e.action),
                "actor": e.actor_label,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": mask_identifiers(e.note),
                "items": [
                    {
                        "material": str(i.get("material", "")),
                        "reason": mask_identifiers(i.get("reason", "")),
                    }
                    for i in (e.data or {}).get("items") or []
                    if isinstance(i, Mapping)
                ],
            }
            for e in events
        ]
        return Response(s.CaseEventSerializer(data, many=True).data)


class CaseActionView(APIView):
    client_scopes = {"POST": "cases.act"}

    @extend_schema(
        operation_id="cases_action",
        summary="办理办件（工作人员）",
        description=(
            "对数据范围内的办件进行一项操作，与后台页面调用同一业务函数。成功返回办件详情（含新状态）；"
            "当前状态不允许或参数有误返回400及中文说明；角色无此权限（含须部门负责人签批的决定）返回403；"
            "办件不在范围内返回404。"
        ),
        tags=TAGS,
        parameters=[NUMBER],
        request=s.CaseActionRequestSerializer,
        responses={200: s.CaseDetailSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, number: str):
        reader = _Reader(request)
        if not reader.is_staff:
            raise PermissionDenied("只有工作人员可以办理办件。")
        case = reader.case(number)
        body = request.data
        if not isinstance(body, Mapping):
            return Response({"detail": "请求内容应为JSON对象。"}, status=http.HTTP_400_BAD_REQUEST)
        action = str(body.get("action", ""))
        spec = commands.ACTIONS.get(action)
        if spec is None or spec.side != commands.STAFF:
            return Response(
                {"detail": "未知的操作。", "errors": {"action": ["未知的操作。"]}},
                status=http.HTTP_400_BAD_REQUEST,
            )
        try:
            commands.case_act(case.pk, action, request.user, **commands.details_from(body))
        except commands.CaseNotFound:
            raise NotFound("未找到该办件。") from None
        except DjangoPermissionDenied as e:
            raise PermissionDenied(str(e) or "您的角色无权进行此操作。") from None
        except DjangoValidationError as e:
            payload = {"detail": "；".join(e.messages)}
            if hasattr(e, "error_dict"):
                payload["errors"] = e.message_dict
            return Response(payload, status=http.HTTP_400_BAD_REQUEST)
        case = selectors.case_for_staff(reader.scope, case.number) or case
        return Response(_detail(case, reader))
