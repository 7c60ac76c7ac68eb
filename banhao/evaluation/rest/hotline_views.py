"""12345 tickets API.

POST /api/v1/hotline/tickets/ — the 12345 system hands over a ticket (API client with the
``hotline.push`` scope). Idempotent on the 12345 ticket number: the first call answers 201, the
same number again 200 with the ticket as it is (nothing changes). Bad input: 400 with Chinese
messages per field.
GET /api/v1/hotline/tickets/<number>/ — its state (``hotline.read``; or hotline staff logged in).
The caller's phone is masked in every answer. A ticket outside the caller's regions is a 404.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework import status as http
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from banhao.core.masking import mask_phone
from banhao.org.api import region_id_by_code, scope_for_user

from .. import tickets
from ..models_hotline import HotlineTicket

TAGS = ["12345热线"]


class TicketInSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="12345工单编号（幂等键）")
    kind = serializers.ChoiceField(
        choices=HotlineTicket.Kind.choices,
        help_text="consult 咨询；help 求助；complaint 投诉；suggestion 建议",
    )
    title = serializers.CharField(help_text="标题")
    content = serializers.CharField(help_text="诉求内容")
    caller_name = serializers.CharField(required=False, help_text="来电人")
    caller_phone = serializers.CharField(required=False, help_text="来电号码")
    region_code = serializers.CharField(
        required=False, help_text="诉求所在区划代码（6位）；缺省为服务账户所在区域"
    )
    received_at = serializers.DateTimeField(
        required=False, help_text="12345受理时间（ISO 8601）；缺省为接收时间"
    )


class TicketOutSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    caller_phone = serializers.CharField(help_text="脱敏")
    department = serializers.CharField(allow_null=True)
    received_at = serializers.DateTimeField()
    sign_due = serializers.DateField(allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)
    answer_due = serializers.DateField()
    answered_at = serializers.DateTimeField(allow_null=True)
    answer = serializers.CharField()
    resolved = serializers.BooleanField(allow_null=True)
    level = serializers.IntegerField(allow_null=True, help_text="满意程度：5 非常满意 … 1 非常不满意")
    rehandle_count = serializers.IntegerField()
    closed_at = serializers.DateTimeField(allow_null=True)
    created = serializers.BooleanField(required=False)


class HotlineErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(required=False)


def _out(t: HotlineTicket, created: bool | None = None) -> dict:
    data = {
        "number": t.number,
        "kind": t.kind,
        "kind_label": t.get_kind_display(),
        "title": t.title,
        "status": t.status,
        "status_label": t.get_status_display(),
        "caller_phone": mask_phone(t.caller_phone),
        "department": t.department.name if t.department_id else None,
        "received_at": t.received_at,
        "sign_due": t.sign_due,
        "signed_at": t.signed_at,
        "answer_due": t.answer_due,
        "answered_at": t.answered_at,
        "answer": t.answer,
        "resolved": t.resolved,
        "level": t.level,
        "rehandle_count": t.rehandle_count,
        "closed_at": t.closed_at,
    }
    if created is not None:
        data["created"] = created
    return TicketOutSerializer(data).data


def _is_client(request) -> bool:
    auth = request.auth
    return auth is not None and hasattr(auth, "scopes") and hasattr(auth, "token_hash")


class TicketReceiveView(APIView):
    client_scopes = {"POST": "hotline.push"}  # for API clients (accounts.rest)

    @extend_schema(
        operation_id="hotline_ticket_receive",
        summary="接收12345工单",
        description="12345系统推送工单。按工单编号幂等：首次返回201，同一编号再次推送返回200及现有工单，不作更改。",
        tags=TAGS,
        request=TicketInSerializer,
        responses={
            201: TicketOutSerializer,
            200: TicketOutSerializer,
            400: OpenApiResponse(HotlineErrorSerializer, description="参数有误：中文说明"),
            403: OpenApiResponse(
                HotlineErrorSerializer, description="不是12345系统的接口客户端，或未获 hotline.push 授权"
            ),
        },
    )
    def post(self, request):
        if not _is_client(request):
            raise PermissionDenied("该接口仅供12345系统通过接口令牌调用。")
        scope = scope_for_user(request.user)
        if scope is None:
            raise PermissionDenied("服务账户未登记数据范围。")
        body = request.data
        if not isinstance(body, Mapping):
            return Response({"detail": "请求内容应为JSON对象。"}, status=http.HTTP_400_BAD_REQUEST)
        region_id = scope.region_id
        code = str(body.get("region_code") or "").strip()
        if code:
            region_id = region_id_by_code(code)
            if region_id is None or not scope.allows(region_id):
                return Response(
                    {
                        "detail": "区划代码不在本平台范围内。",
                        "errors": {"region_code": ["区划代码不在本平台范围内。"]},
                    },
                    status=http.HTTP_400_BAD_REQUEST,
                )
        try:
            received = tickets.ticket_receive(
                actor=request.user, data=body, region_id=region_id, source=request.auth.name
            )
        except DjangoValidationError as e:
            errors = {k: [str(m) for v in vs for m in v.messages] for k, vs in e.error_dict.items()}
            return Response({"detail": "工单内容有误。", "errors": errors}, status=http.HTTP_400_BAD_REQUEST)
        return Response(
            _out(received.ticket, received.created),
            status=http.HTTP_201_CREATED if received.created else http.HTTP_200_OK,
        )


class TicketDetailView(APIView):
    client_scopes = {"GET": "hotline.read"}

    @extend_schema(
        operation_id="hotline_ticket_detail",
        summary="查询12345工单办理情况",
        tags=TAGS,
        parameters=[OpenApiParameter("number", str, OpenApiParameter.PATH, description="12345工单编号")],
        responses={200: TicketOutSerializer, 404: OpenApiResponse(description="工单不存在或不在范围内")},
    )
    def get(self, request, number: str):
        scope = scope_for_user(request.user)
        if scope is None or not (_is_client(request) or scope.can("hotline.tickets")):
            raise PermissionDenied("您无权查询12345工单。")
        t = tickets.tickets_for_scope(scope).filter(number=number).first()
        if t is None:
            raise NotFound("未找到该工单。")
        return Response(_out(t))
