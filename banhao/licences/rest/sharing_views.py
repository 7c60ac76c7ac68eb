"""The sharing API (证照共享) for departments and other systems: query by holder, by identifier,
by the content of a QR code, and download a watermarked copy (加注件).

Who may call: an API client (bearer token) with the scope ``licences.read`` (the copy:
``licences.copy``), or a logged-in staff member whose role has ``licences.use``. Every call
carries ``reason`` (用证事由, at most 200 characters) or is refused with 400, and every licence
returned is logged as a LicenceUse (the client or staff member, the reason, the time), which
the holder sees in 我的证照. The status is the verification status (signature recomputed).
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from banhao.core.identifiers import normalize_licence_identifier, normalize_resident_id, normalize_uscc
from banhao.core.masking import mask_identifiers, mask_resident_id
from banhao.core.pdf import PdfUnavailable
from banhao.org.api import scope_for_user, staff_for_user

from .. import documents, selectors, services
from ..models import HolderKind, Licence, LicenceUse
from . import sharing_serializers as s

TAGS = ["电子证照共享"]
PERMISSION = "licences.use"
LIST_LIMIT = 100

REASON = OpenApiParameter(
    "reason",
    str,
    required=True,
    description="用证事由（必填，不超过200字），如“办件371302-20261204-00012审查核验营业执照”；缺少或超长返回400",
)
IDENTIFIER = OpenApiParameter(
    "identifier", str, OpenApiParameter.PATH, description="电子证照标识，如 1.2.156.3005.2.…"
)
BAD_REQUEST = OpenApiResponse(
    s.ErrorSerializer, description="缺少用证事由、事由超过200字或参数有误：中文说明"
)
UNAUTHORIZED = OpenApiResponse(s.ErrorSerializer, description="接口令牌无效")
FORBIDDEN = OpenApiResponse(
    s.ErrorSerializer, description="未登录、客户端未获授权，或工作人员角色无权使用证照"
)
NOT_FOUND = OpenApiResponse(s.ErrorSerializer, description="电子证照库中没有这本证照")

STATUS_LABELS = {
    "valid": "有效",
    "suspended": "暂停使用",
    "revoked": "已注销",
    "expired": "已过期",
    "tampered": "签名核验未通过",
}


class BadRequest(APIException):
    status_code = http.HTTP_400_BAD_REQUEST
    default_detail = "请求参数有误。"
    default_code = "invalid"


def _first(e: DjangoValidationError) -> str:
    return e.messages[0] if e.messages else str(e)


class Caller:
    """An API client (its scope was checked by accounts.rest) or a staff member with licences.use."""

    def __init__(self, request):
        self.client = request.auth if getattr(request.auth, "token_prefix", None) else None
        self.user = request.user
        self.label = ""
        if self.client is not None:
            return
        scope = scope_for_user(request.user)
        if scope is None or not scope.can(PERMISSION):
            raise PermissionDenied("您的账户无权使用电子证照共享接口（需要工作人员角色的“使用证照”权限）。")
        staff = staff_for_user(request.user)
        if staff is not None:
            where = staff.department_name or staff.region_name
            self.label = f"{staff.name}（{where}）" if where else staff.name

    def log(self, licence: Licence, kind: str, reason: str) -> None:
        services.licence_use_record(
            licence=licence, kind=kind, reason=reason, user=self.user, client=self.client, label=self.label
        )


def _reason(request) -> str:
    try:
        return services.use_reason(request.query_params.get("reason"))
    except DjangoValidationError as e:
        raise BadRequest(_first(e)) from None


class ReasonFirst:
    """Every sharing call carries a 用证事由: a call without one is a 400 before anything else
    (authentication included), so the rule reads the same to every caller."""

    def initial(self, request, *args, **kwargs):
        _reason(request)
        super().initial(request, *args, **kwargs)


def holder_code(value: str | None) -> str:
    """A holder's code as typed (NFKC: full-width digits fold): a resident ID or a USCC."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        raise BadRequest("请提供持证主体代码（holder）：公民身份号码或统一社会信用代码。")
    errors = []
    for normalize in (normalize_resident_id, normalize_uscc):
        try:
            return normalize(text)
        except DjangoValidationError as e:
            errors.append(_first(e))
    raise BadRequest(f"持证主体代码应为18位公民身份号码或统一社会信用代码：{errors[0]}；{errors[1]}")


def _identifier(value: str) -> str:
    try:
        return normalize_licence_identifier(unicodedata.normalize("NFKC", value or ""))
    except DjangoValidationError as e:
        raise BadRequest(_first(e)) from None


def licence_data(licence: Licence, request, *, masked: bool) -> dict:
    status = services.verify_status(licence)
    person = licence.holder_kind == HolderKind.PERSON
    labels = {f["key"]: f.get("label") or f["key"] for f in licence.type.fields}
    order = [f["key"] for f in licence.type.fields]
    keys = [k for k in order if k in licence.face] + [k for k in licence.face if k not in labels]
    face = [
        {
            "key": k,
            "label": labels.get(k, k),
            "value": mask_identifiers(licence.face[k]) if masked and person else str(licence.face[k]),
        }
        for k in keys
    ]
    return s.LicenceSerializer(
        {
            "identifier": licence.identifier,
            "name": licence.name,
            "type_code": licence.type_code,
            "number": licence.number,
            "version": licence.version,
            "holder": {
                "kind": licence.holder_kind,
                "kind_label": licence.get_holder_kind_display(),
                "name": licence.holder_name,
                "code": mask_resident_id(licence.holder_code) if masked and person else licence.holder_code,
                "code_type": licence.holder_code_type,
            },
            "issuer": {"name": licence.issuer_name, "code": licence.issuer_code},
            "region_code": licence.region_code,
            "issued_on": licence.issued_on,
            "valid_from": licence.valid_from,
            "valid_until": licence.valid_until,
            "long_term": licence.valid_until is None,
            "face": face,
            "status": status,
            "status_label": STATUS_LABELS.get(status, status),
            "signature": {
                "algorithm": licence.algorithm,
                "key_id": licence.key_id,
                "signed_at": licence.signed_at,
            },
            "case_number": licence.case_number,
            "verification_url": services.verification_url(
                licence.identifier, base_url=request.build_absolute_uri("/")
            ),
        }
    ).data


def _one(identifier: str) -> Licence:
    licence = selectors.licence_by_identifier(identifier)
    if licence is None:
        raise NotFound("电子证照库中没有这本证照，请核对电子证照标识。")
    return licence


class LicenceQueryView(ReasonFirst, APIView):
    client_scopes = {"GET": "licences.read"}

    @extend_schema(
        operation_id="licences_by_holder",
        summary="按持证主体查询电子证照",
        description=(
            "持证主体的全部电子证照（含已注销、过期和换发的），按颁发日期倒序，最多100本。"
            "holder 为公民身份号码或统一社会信用代码（全角字符自动转换）。列表中的公民身份号码脱敏。"
            "返回的每本证照记入用证记录，持证人可在“我的证照”中看到。"
        ),
        tags=TAGS,
        parameters=[
            OpenApiParameter("holder", str, required=True, description="公民身份号码或统一社会信用代码"),
            REASON,
        ],
        responses={200: s.LicenceListSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN},
    )
    def get(self, request):
        caller = Caller(request)
        reason = _reason(request)
        code = holder_code(request.query_params.get("holder"))
        licences = list(selectors.licences_of_holder(code)[:LIST_LIMIT])
        results = [licence_data(x, request, masked=True) for x in licences]
        for licence in licences:
            caller.log(licence, LicenceUse.Kind.QUERY, reason)
        return Response(s.LicenceListSerializer({"count": len(results), "results": results}).data)


class LicenceDetailView(ReasonFirst, APIView):
    client_scopes = {"GET": "licences.read"}

    @extend_schema(
        operation_id="licences_by_identifier",
        summary="按电子证照标识查询",
        description="一本证照的元数据和全部照面信息，状态为重新核验签名后的结果。记入用证记录。",
        tags=TAGS,
        parameters=[IDENTIFIER, REASON],
        responses={
            200: s.LicenceSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request, identifier: str):
        caller = Caller(request)
        reason = _reason(request)
        licence = _one(_identifier(identifier))
        data = licence_data(licence, request, masked=False)
        caller.log(licence, LicenceUse.Kind.QUERY, reason)
        return Response(data)


class LicenceByQrView(ReasonFirst, APIView):
    client_scopes = {"GET": "licences.read"}

    @extend_schema(
        operation_id="licences_by_qr",
        summary="按二维码内容查询",
        description="qr 为扫描证照二维码得到的内容（核验地址或电子证照标识）。返回与按标识查询相同，记入用证记录。",
        tags=TAGS,
        parameters=[OpenApiParameter("qr", str, required=True, description="二维码内容"), REASON],
        responses={
            200: s.LicenceSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request):
        caller = Caller(request)
        reason = _reason(request)
        try:
            identifier = services.identifier_from_qr(
                unicodedata.normalize("NFKC", request.query_params.get("qr") or "")
            )
        except DjangoValidationError as e:
            raise BadRequest(_first(e)) from None
        licence = _one(identifier)
        data = licence_data(licence, request, masked=False)
        caller.log(licence, LicenceUse.Kind.QUERY, reason)
        return Response(data)


class LicenceCopyView(ReasonFirst, APIView):
    client_scopes = {"GET": "licences.copy"}

    def perform_content_negotiation(self, request, force=False):
        # a client asking for application/pdf still gets its errors, as JSON
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="licences_copy",
        summary="下载电子证照加注件",
        description=(
            "注明用途的加注件（PDF）：满页加注用证事由、用证方、生成时间、“本加注件有效期至”日期和生成时的证照状态。"
            "仅有效的证照可生成；暂停使用、已注销、已过期或签名核验未通过的返回400。记入用证记录。"
        ),
        tags=TAGS,
        parameters=[IDENTIFIER, REASON],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="加注件PDF"),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request, identifier: str):
        caller = Caller(request)
        reason = _reason(request)
        licence = _one(_identifier(identifier))
        try:
            body = documents.licence_copy_make(
                licence=licence,
                purpose=reason,
                kind=LicenceUse.Kind.COPY,
                user=caller.user,
                client=caller.client,
                label=caller.label,
                base_url=request.build_absolute_uri("/"),
            )
        except DjangoValidationError as e:
            raise BadRequest(_first(e)) from None
        except PdfUnavailable as e:
            return Response({"detail": str(e)}, status=http.HTTP_503_SERVICE_UNAVAILABLE)
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, documents.copy_filename(licence))
        response["Cache-Control"] = "no-store"
        return response
