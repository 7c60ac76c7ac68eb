"""GET /api/v1/assessment/boards/?hall=<id>&period=YYYY-MM — the published 红蓝榜 of a hall,
public (no login): what the hall's page and big screen show. Drafts and reviewed boards are
never returned."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from banhao.org.api import hall_info

from .. import boards
from ..periods import MONTH, parse_period

TAGS = ["考核评价"]


class BoardWindowSerializer(serializers.Serializer):
    window_id = serializers.IntegerField(help_text="窗口编号")
    window = serializers.CharField(help_text="窗口名称（不含大厅名称），如 1号窗口")
    score = serializers.DecimalField(
        max_digits=8, decimal_places=2, allow_null=True, help_text="总分；null 为无数据"
    )
    rank = serializers.IntegerField(allow_null=True, help_text="大厅内排名（并列同名次）；无数据为 null")
    list = serializers.ChoiceField(
        choices=["red", "blue"], allow_null=True, help_text="red 红榜；blue 蓝榜；null 两榜均未列入"
    )


class BoardSerializer(serializers.Serializer):
    hall = serializers.DictField(help_text="大厅：{id, name}")
    period = serializers.CharField(help_text="月份 YYYY-MM")
    period_label = serializers.CharField(help_text="月份的中文名称，如 2026年11月")
    scheme = serializers.CharField(help_text="考核方案名称")
    published_at = serializers.DateTimeField(help_text="发布时间")
    windows = BoardWindowSerializer(many=True, help_text="全部窗口，按排名")
    red = BoardWindowSerializer(many=True, help_text="红榜窗口")
    blue = BoardWindowSerializer(many=True, help_text="蓝榜窗口")


class BoardErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="中文说明")


def _error(status: int, text: str) -> Response:
    return Response({"detail": text}, status=status)


def board_payload(hall, board) -> dict:
    period = parse_period(board.period)
    rows = [
        {
            "window_id": r["window_id"],
            "window": r["short"],
            "score": None if r["total"] is None else f"{r['total']:.2f}",
            "rank": r["rank"],
            "list": r["list"],
        }
        for r in boards.board_rows(board)
    ]
    return {
        "hall": {"id": hall.id, "name": hall.name},
        "period": board.period,
        "period_label": period.label,
        "scheme": str(board.scheme),
        "published_at": board.published_at.isoformat(),
        "windows": rows,
        "red": [r for r in rows if r["list"] == boards.RED],
        "blue": [r for r in rows if r["list"] == boards.BLUE],
    }


class BoardView(APIView):
    authentication_classes: list = []  # public read: no session, no CSRF, no token needed
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="assessment_board",
        summary="大厅窗口红蓝榜",
        description=(
            "某政务服务大厅某月已发布的窗口红蓝榜：各窗口总分、排名和所列榜单（红榜/蓝榜），以及发布时间。"
            "无需登录；只返回已发布的红蓝榜（草稿和已审核未发布的不返回）。不带 period 时返回最近发布的一期。"
        ),
        tags=TAGS,
        auth=[{}],
        parameters=[
            OpenApiParameter("hall", int, required=True, description="大厅编号"),
            OpenApiParameter("period", str, description="月份 YYYY-MM；省略为最近发布的一期"),
        ],
        responses={
            200: BoardSerializer,
            400: OpenApiResponse(BoardErrorSerializer, description="未提供大厅编号，或月份格式有误"),
            404: OpenApiResponse(BoardErrorSerializer, description="大厅不存在，或该月红蓝榜尚未发布"),
        },
        examples=[
            OpenApiExample(
                "已发布",
                response_only=True,
                status_codes=["200"],
                value={
                    "hall": {"id": 1, "name": "兰山区政务服务中心"},
                    "period": "2026-11",
                    "period_label": "2026年11月",
                    "scheme": "窗口月度考核（示例）",
                    "published_at": "2026-12-02T09:30:00+08:00",
                    "windows": [
                        {"window_id": 3, "window": "1号窗口", "score": "98.50", "rank": 1, "list": "red"},
                        {"window_id": 7, "window": "5号窗口", "score": "61.00", "rank": 12, "list": "blue"},
                    ],
                    "red": [
                        {"window_id": 3, "window": "1号窗口", "score": "98.50", "rank": 1, "list": "red"}
                    ],
                    "blue": [
                        {"window_id": 7, "window": "5号窗口", "score": "61.00", "rank": 12, "list": "blue"}
                    ],
                },
            ),
            OpenApiExample(
                "未发布",
                response_only=True,
                status_codes=["404"],
                value={"detail": "该大厅2026年11月的红蓝榜尚未发布。"},
            ),
        ],
    )
    def get(self, request):
        raw_hall = (request.query_params.get("hall") or "").strip()
        if not raw_hall.isdigit():
            return _error(400, "请以 hall 参数提供大厅编号（整数）。")
        code = (request.query_params.get("period") or "").strip()
        period = None
        if code:
            try:
                period = parse_period(code)
            except ValidationError:
                period = None
            if period is None or period.kind != MONTH:
                return _error(400, "月份格式应为 YYYY-MM，例如 2026-11。")
        hall = hall_info(int(raw_hall), windows=False)
        if hall is None:
            return _error(404, "未找到该政务服务大厅。")
        board = boards.published_board(hall.id, period.code if period else None)
        if board is None:
            when = period.label if period else ""
            return _error(404, f"该大厅{when}的红蓝榜尚未发布。")
        return Response(board_payload(hall, board))
