"""Request and response shapes of POST /api/v1/ratings/ (also what /api/schema/ documents)."""

from rest_framework import serializers

from ..models import BAD_REASONS, ONLINE_DIMENSIONS, ONSITE_DIMENSIONS, Level, Rating

_DIMS = ", ".join(f"{k}（{v}）" for k, v in {**ONLINE_DIMENSIONS, **ONSITE_DIMENSIONS}.items())
_REASONS = ", ".join(f"{k}（{v}）" for k, v in BAD_REASONS.items())
_CHANNELS = [Rating.Channel.PC, Rating.Channel.MOBILE]


class RatingCreateSerializer(serializers.Serializer):
    case = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="办件编号（申请人登录后评价时必填）"
    )
    token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=400,
        help_text="短信或二维码中的一次性评价令牌（不登录评价时必填）",
    )
    level = serializers.CharField(
        max_length=4,
        help_text="整体满意度，平台内部编码：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意",
        error_messages={"required": "请选择满意程度。", "blank": "请选择满意程度。"},
    )
    dimensions = serializers.DictField(
        child=serializers.CharField(max_length=4),
        required=False,
        default=dict,
        help_text=f"分项评价（同一编码）：网上渠道 efficiency, guide, convenience, usability；可用键：{_DIMS}",
        error_messages={"not_a_dict": '分项评价应为对象，如 {{"efficiency": 5}}。'},
    )
    reasons = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        max_length=20,
        help_text=f"差评原因（不满意、非常不满意时至少一项）：{_REASONS}",
        error_messages={"not_a_list": "差评原因应为列表。"},
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="评价内容（不满意、非常不满意时必填，不超过500字）",
        error_messages={"max_length": "评价内容不得超过500字。"},
    )
    channel = serializers.ChoiceField(
        choices=[(c.value, c.label) for c in _CHANNELS],
        required=False,
        allow_blank=True,
        help_text="登录评价的渠道：pc 电脑端（默认）或 mobile 移动端；令牌评价的渠道由令牌决定",
        error_messages={"invalid_choice": "评价渠道应为 pc 或 mobile。"},
    )


class RatingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(help_text="办件编号")
    level = serializers.ChoiceField(choices=Level.choices, help_text="整体满意度（内部编码 5…1）")
    level_label = serializers.CharField()
    is_bad = serializers.BooleanField(help_text="差评（不满意、非常不满意）")
    channel = serializers.ChoiceField(choices=Rating.Channel.choices)
    channel_label = serializers.CharField()
    dimensions = serializers.DictField(child=serializers.IntegerField())
    reasons = serializers.ListField(child=serializers.CharField())
    comment = serializers.CharField(allow_blank=True)
    rectification_due_on = serializers.DateField(allow_null=True, help_text="实名差评的整改期限；其他为 null")
    created_at = serializers.DateTimeField()


class RatingErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="中文说明")
