"""Query and response shapes of the public catalog API (also what /api/schema/ documents)."""

from rest_framework import serializers

from banhao.catalog import search
from banhao.core.rest.errors import int_errors

_errors = int_errors


class SearchQuerySerializer(serializers.Serializer):
    """?q=&region=&dept=&zone=&audience=&type=&theme=&limit=&offset= (filters checked by search.clean_filters)."""

    limit = serializers.IntegerField(
        required=False,
        default=20,
        min_value=1,
        max_value=search.MAX_LIMIT,
        error_messages=_errors("每页条数"),
    )
    offset = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=10_000, error_messages=_errors("起始位置")
    )

    def validate(self, attrs):
        filters, errors = search.clean_filters(self.initial_data)
        if errors:
            raise serializers.ValidationError(errors)
        return {**attrs, **filters}


class ItemQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=100_000, error_messages=_errors("页码")
    )
    page_size = serializers.IntegerField(
        required=False,
        default=20,
        min_value=1,
        max_value=search.MAX_LIMIT,
        error_messages=_errors("每页条数"),
    )

    def validate(self, attrs):
        filters, errors = search.clean_filters({"region": self.initial_data.get("region", "")})
        if errors:
            raise serializers.ValidationError(errors)
        return {**attrs, "region_code": filters.get("region_code")}


class RegionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="行政区划代码")
    name = serializers.CharField(help_text="区域名称")


class SearchHitSerializer(serializers.Serializer):
    implementation_id = serializers.IntegerField(help_text="实施清单编号（办事指南 /guide/<编号>/）")
    implementation_code = serializers.CharField(help_text="实施编码")
    item_code = serializers.CharField(help_text="标准化文本编码")
    title = serializers.CharField(help_text="事项名称")
    summary = serializers.CharField(help_text="摘要（受理条件或办理结果）")
    department = serializers.CharField(help_text="实施主体")
    region = RegionSerializer(help_text="实施区域")
    zone = serializers.CharField(help_text="所属功能区编码")
    zone_label = serializers.CharField(help_text="所属功能区")
    item_type = serializers.CharField(help_text="事项类别编码")
    item_type_label = serializers.CharField(help_text="事项类别")
    themes = serializers.ListField(child=serializers.CharField(), help_text="主题分类")
    promised_days = serializers.IntegerField(help_text="承诺时限（工作日，0 为即办）")
    promised_label = serializers.CharField(help_text="承诺时限（文字）")
    visits = serializers.IntegerField(help_text="到办事现场次数")
    online_depth = serializers.CharField(help_text="网上办理深度编码")
    online_depth_label = serializers.CharField(help_text="网上办理深度")
    guide_url = serializers.CharField(help_text="办事指南地址")


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="查询的关键词")
    words = serializers.ListField(child=serializers.CharField(), help_text="分词后参与查询的词")
    total = serializers.IntegerField(help_text="符合条件的事项总数")
    fallback = serializers.BooleanField(
        help_text="true：没有同时符合全部关键词的事项，结果为符合部分关键词的相关结果"
    )
    took_ms = serializers.FloatField(help_text="查询用时（毫秒）")
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    hits = SearchHitSerializer(many=True)


class ItemSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="实施清单编号")
    implementation_code = serializers.CharField(help_text="实施编码")
    item_code = serializers.CharField(help_text="标准化文本编码")
    title = serializers.CharField(help_text="事项名称")
    region = RegionSerializer()
    department = serializers.CharField(help_text="实施主体")
    item_type = serializers.CharField(help_text="事项类别编码")
    item_type_label = serializers.CharField(help_text="事项类别")
    zone = serializers.CharField(help_text="所属功能区编码")
    promised_days = serializers.IntegerField(help_text="承诺时限（工作日）")
    visits = serializers.IntegerField(help_text="到办事现场次数")
    online_depth = serializers.CharField(help_text="网上办理深度编码")
    guide_url = serializers.CharField(help_text="办事指南地址")


class ItemListResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="总条数")
    page = serializers.IntegerField(help_text="当前页码")
    page_size = serializers.IntegerField(help_text="每页条数")
    num_pages = serializers.IntegerField(help_text="总页数")
    results = ItemSummarySerializer(many=True)


class ItemDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="实施清单编号")
    implementation_code = serializers.CharField(help_text="实施编码")
    item_code = serializers.CharField(help_text="标准化文本编码")
    title = serializers.CharField(help_text="事项名称")
    version = serializers.IntegerField(help_text="标准化文本版本号")
    effective_from = serializers.DateField(allow_null=True, help_text="生效日期")
    region = RegionSerializer(help_text="实施区域")
    department = serializers.CharField(help_text="实施主体（本区域）")
    address = serializers.CharField(help_text="办理地点")
    phone = serializers.CharField(help_text="咨询电话")
    office_hours = serializers.CharField(help_text="办理时间")
    windows = serializers.CharField(help_text="办理窗口")
    guide_url = serializers.CharField(help_text="办事指南地址")
    elements = serializers.DictField(
        help_text="标准化文本的全部要素（与导入格式相同；department 为市级实施主体）"
    )
