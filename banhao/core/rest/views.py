"""Public calendar endpoints: the same functions the services use, nothing recomputed here."""

import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from banhao.core import calendar


class DeadlineQuery(serializers.Serializer):
    start = serializers.DateField(
        help_text="起算日（受理日），YYYY-MM-DD", error_messages={"invalid": "日期格式应为 YYYY-MM-DD。"}
    )
    days = serializers.IntegerField(
        min_value=0,
        max_value=3650,
        help_text="工作日数（0 表示当日办结）",
        error_messages={
            "invalid": "工作日数应为整数。",
            "min_value": "工作日数不能为负数。",
            "max_value": "工作日数不能超过3650。",
        },
    )

    def validate_start(self, value):
        if not (calendar.FIRST_DAY <= value <= calendar.LAST_DAY - dt.timedelta(days=3650 * 2)):
            raise serializers.ValidationError("起算日超出工作日历的范围。")
        return value


class DeadlineResult(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField()
    due = serializers.DateField(help_text="期限届满日")
    start_is_workday = serializers.BooleanField()
    estimated = serializers.BooleanField(help_text="涉及尚未录入节假日安排的年份，按周末双休推算")


class DeadlineView(APIView):
    """The last day of a period of N working days that starts the day after `start`."""

    permission_classes = [AllowAny]
    client_scopes = {"GET": "calendar.read"}  # for API clients (accounts.rest)

    @extend_schema(
        operation_id="calendar_deadline",
        summary="按工作日计算期限届满日",
        parameters=[
            OpenApiParameter("start", dt.date, required=True, description="起算日（受理日）"),
            OpenApiParameter("days", int, required=True, description="工作日数"),
        ],
        responses=DeadlineResult,
    )
    def get(self, request):
        query = DeadlineQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, days = query.validated_data["start"], query.validated_data["days"]
        due = calendar.add_workdays(start, days)
        known = calendar.known_years()
        estimated = any(year not in known for year in range(start.year, due.year + 1))
        return Response(
            DeadlineResult(
                {
                    "start": start,
                    "days": days,
                    "due": due,
                    "start_is_workday": calendar.is_workday(start),
                    "estimated": estimated,
                }
            ).data
        )
