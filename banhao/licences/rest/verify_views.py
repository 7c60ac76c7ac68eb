"""GET /api/v1/licences/verify/ — the public verification of a licence, as the QR page does it
(banhao.licences.verification): no login and no 用证事由 needed; limited per address. An API
client (bearer token with the licences.verify scope) or a logged-in staff member may add a
reason; its use is then logged under its own name."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from banhao.licences import verification
from banhao.org.api import scope_for_user

TAGS = ["电子证照"]


class VerifiedLicenceSerializer(serializers.Serializer):
    identifier = serializers.CharField(help_text="电子证照标识（GB/T 36904）")
    name = serializers.CharField(help_text="证照名称")
    number = serializers.CharField(help_text="证照编号")
    holder = serializers.CharField(help_text="持证主体（自然人只显示姓氏，单位显示全称）")
    holder_code = serializers.CharField(help_text="持证主体代码（公民身份号码脱敏；统一社会信用代码公开）")
    issuer = serializers.CharField(help_text="颁发机构")
    issued_on = serializers.DateField(help_text="颁发日期")
    valid_until = serializers.DateField(allow_null=True, help_text="有效期截止日期；null 表示长期有效")
    face = serializers.DictField(
        child=serializers.CharField(), help_text="证照类型标为公开的照面项：{名称: 内容}"
    )


class VerifyResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=list(verification.STATUS_LABELS),
        help_text="valid 有效；suspended 暂停使用；revoked 已注销（含已换发的旧版本）；expired 已过期；"
        "unknown 未找到；tampered 证照数据与签名不一致（被篡改）",
    )
    status_label = serializers.CharField(help_text="状态的中文说明")
    superseded = serializers.BooleanField(help_text="已换发新版本（status 为 revoked）")
    licence = VerifiedLicenceSerializer(
        allow_null=True, help_text="证照的公开信息；未找到或被篡改时为 null（数据不可信，不予显示）"
    )


class VerifyErrorSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="固定为 unknown（未能核验）")
    detail = serializers.CharField(help_text="中文说明")


def _licence(info) -> dict | None:
    if info is None:
        return None
    return {
        "identifier": info.identifier,
        "name": info.name,
        "number": info.number,
        "holder": info.holder_masked,
        "holder_code": info.holder_code_masked,
        "issuer": info.issuer_name,
        "issued_on": info.issued_on,
        "valid_until": info.valid_until,
        "face": dict(info.face),
    }


def _client(request):
    """The API client of a bearer call (accounts.rest puts it in request.auth), else None."""
    auth = request.auth
    return auth if auth is not None and hasattr(auth, "scopes") and hasattr(auth, "token_hash") else None


class VerifyView(APIView):
    permission_classes = [AllowAny]
    client_scopes = {"GET": "licences.verify"}  # for API clients (accounts.rest)

    @extend_schema(
        operation_id="licences_verify",
        summary="核验电子证照",
        description=(
            "按电子证照标识（或证照二维码的内容）核验证照：重新计算签名，返回证照状态和可公开的信息"
            "（持证主体脱敏、证照类型标为公开的照面项）。无需登录，也无需用证事由；按来源地址限制频率"
            "（超限返回 429 和 Retry-After）。接入系统（Bearer 令牌，需“licences.verify”权限）或已登录的工作人员"
            "可带 reason（用证事由，≤200字），核验记入持证人可查看的用证记录；公众核验同一地址每天记一次。"
        ),
        tags=TAGS,
        auth=[{"apiClientToken": []}, {}],
        parameters=[
            OpenApiParameter(
                "id", str, description="电子证照标识，如 1.2.156.3005.2.11100000000013338W001.…"
            ),
            OpenApiParameter(
                "qr",
                str,
                description="证照二维码的内容（核验页网址 …/licences/verify/?id=… 或标识本身）；与 id 二选一",
            ),
            OpenApiParameter(
                "reason", str, description="用证事由（选填，≤200字）：仅对接入系统和工作人员记录"
            ),
        ],
        responses={
            200: VerifyResultSerializer,
            400: OpenApiResponse(VerifyErrorSerializer, description="未提供标识，或标识格式、校验位有误"),
            429: OpenApiResponse(VerifyErrorSerializer, description="核验过于频繁"),
        },
        examples=[
            OpenApiExample(
                "有效",
                response_only=True,
                status_codes=["200"],
                value={
                    "status": "valid",
                    "status_label": "有效",
                    "superseded": False,
                    "licence": {
                        "identifier": "1.2.156.3005.2.11100000000013338W001.113713003713000108.20260000001.001.Q",
                        "name": "营业执照",
                        "number": "91371302MA1234AB17",
                        "holder": "临沂某餐饮有限公司",
                        "holder_code": "91371302MA1234AB17",
                        "issuer": "临沂市行政审批服务局",
                        "issued_on": "2026-12-04",
                        "valid_until": None,
                        "face": {"名称": "临沂某餐饮有限公司"},
                    },
                },
            ),
            OpenApiExample(
                "标识有误",
                response_only=True,
                status_codes=["400"],
                value={"status": "unknown", "detail": "电子证照标识校验位不正确，请核对是否输错。"},
            ),
        ],
    )
    def get(self, request):
        ip = request.META.get("REMOTE_ADDR", "")
        client = _client(request)
        if client is None:  # a client has its own per-client limit (accounts.rest)
            wait = verification.verify_throttle(ip)
            if wait:
                return Response(
                    {"status": "unknown", "detail": verification.throttled_message(wait)},
                    status=429,
                    headers={"Retry-After": str(wait)},
                )
        staff = request.user if client is None and scope_for_user(request.user) is not None else None
        try:
            result = verification.licence_verify(
                identifier=request.query_params.get("id"),
                qr=request.query_params.get("qr"),
                ip=ip,
                user=client.user if client is not None else staff,
                client=client,
                reason=request.query_params.get("reason"),
            )
        except DjangoValidationError as e:
            return Response({"status": "unknown", "detail": e.messages[0]}, status=400)
        return Response(
            {
                "status": result.status,
                "status_label": result.status_label,
                "superseded": result.superseded,
                "licence": _licence(result.licence),
            }
        )
