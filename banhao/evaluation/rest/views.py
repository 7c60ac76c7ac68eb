"""POST /api/v1/ratings/: one rating of a case (一事一评), by the applicant's session (CSRF as the
other session APIs) or by the signed one-time token of the SMS link / QR code.

201 the rating · 400 bad input (Chinese, by field; a 不满意 without reason or description) ·
403 not the applicant, not logged in without a token, or CSRF · 404 unknown case ·
409 already rated (ratings.AlreadyRated) · 429 throttled (BANHAO_RATING_API_RATE).
The view parses; ratings.rating_record_case decides.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from banhao.cases import api as cases_api

from .. import ratings
from ..models import Rating
from . import serializers as s

NO_CASE = "办件不存在。"
RATING_FIELDS = ("level", "channel", "dimensions", "reasons", "comment", "created_at", "case_id")


class Conflict(APIException):
    status_code = http.HTTP_409_CONFLICT
    default_detail = ratings.AlreadyRated.message
    default_code = "already_rated"


class RatingThrottle(SimpleRateThrottle):
    """Per account (a session) or per address (a token): BANHAO_RATING_API_RATE, e.g. "30/min"."""

    scope = "ratings"

    def get_rate(self):
        return getattr(settings, "BANHAO_RATING_API_RATE", "30/min")

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return f"throttle_ratings_{ident}"


def rating_data(rating: Rating, number: str) -> dict:
    rect = getattr(rating, "rectification", None) if rating.is_bad else None
    return {
        "id": rating.pk,
        "case": number,
        "level": rating.level,
        "level_label": rating.get_level_display(),
        "is_bad": rating.is_bad,
        "channel": rating.channel,
        "channel_label": rating.get_channel_display(),
        "dimensions": rating.dimensions,
        "reasons": rating.reasons,
        "comment": rating.comment,
        "rectification_due_on": rect.due_on if rect else None,
        "created_at": rating.created_at,
    }


class RatingCreateView(APIView):
    permission_classes = [AllowAny]  # a token holder has no login; the service checks who rates
    throttle_classes = [RatingThrottle]

    def throttled(self, request, wait):
        raise Throttled(wait, detail="评价提交过于频繁，请稍后再试。")

    @extend_schema(
        tags=["好差评"],
        summary="评价办件（一事一评）",
        description=(
            "申请人登录后（会话，须带 CSRF 令牌）以办件编号评价本人已送达或办结的办件，"
            "或不登录凭短信、二维码中的一次性评价令牌评价。等级为平台内部编码（5 非常满意 … 1 非常不满意）；"
            "不满意、非常不满意须至少选择一项差评原因并填写评价内容。"
        ),
        request=s.RatingCreateSerializer,
        responses={
            201: s.RatingSerializer,
            400: OpenApiResponse(
                description="参数有误（按字段的中文说明），如差评未选原因、令牌无效或过期、办件尚未办结"
            ),
            403: OpenApiResponse(
                s.RatingErrorSerializer, description="非本办件申请人、未登录且无评价令牌，或 CSRF 校验失败"
            ),
            404: OpenApiResponse(s.RatingErrorSerializer, description="办件不存在"),
            409: OpenApiResponse(s.RatingErrorSerializer, description="该办件已评价（每件办件只能评价一次）"),
            429: OpenApiResponse(s.RatingErrorSerializer, description="提交过于频繁"),
        },
    )
    def post(self, request):
        form = s.RatingCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        token = (data.get("token") or "").strip()
        number = cases_api.normal_number(data.get("case") or "")
        kwargs = {
            "level": data["level"],
            "dimensions": data.get("dimensions") or {},
            "reasons": data.get("reasons") or [],
            "comment": data.get("comment") or "",
        }
        if token:
            kwargs["token"] = token
        elif number:
            facts = cases_api.case_rating_facts(number=number)
            if facts is None:
                raise NotFound(NO_CASE)
            kwargs.update(
                case_id=facts.id, user=request.user, channel=data.get("channel") or Rating.Channel.PC
            )
        else:
            raise ValidationError({"case": ["请提供办件编号（case）或评价令牌（token）。"]})
        try:
            info = ratings.rating_record_case(**kwargs)
        except ratings.AlreadyRated as e:
            raise Conflict(e.message) from None
        except DjangoPermissionDenied as e:
            raise PermissionDenied(str(e) or "无权评价该办件。") from None
        except DjangoValidationError as e:
            if hasattr(e, "error_dict"):
                errors = e.message_dict
                if errors.get("case") == [NO_CASE]:
                    raise NotFound(NO_CASE) from None
                raise ValidationError(errors) from None
            raise ValidationError({"token": e.messages}) from None
        # one read for the answer: the rating, its rectification and its case's number
        rating = (
            Rating.objects.select_related("rectification", "case")
            .only(*RATING_FIELDS, "rectification__due_on", "case__number")
            .get(pk=info.id)
        )
        return Response(
            s.RatingSerializer(rating_data(rating, rating.case.number)).data, status=http.HTTP_201_CREATED
        )
