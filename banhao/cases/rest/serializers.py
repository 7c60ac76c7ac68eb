"""Response and request shapes of the cases API (also what /api/schema/ documents)."""

from rest_framework import serializers

from banhao.cases.commands import ACTIONS, STAFF
from banhao.cases.models import Case, Pause, Status, Warning
from banhao.core.rest.errors import int_errors

_errors = int_errors


class CaseListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        error_messages={"invalid_choice": "没有这种办件状态：{input}。"},
    )
    page = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=100_000, error_messages=_errors("页码")
    )
    page_size = serializers.IntegerField(
        required=False, default=20, min_value=1, max_value=100, error_messages=_errors("每页条数")
    )


class CaseRegionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="行政区划代码")
    name = serializers.CharField(help_text="区域名称")


class CaseSummarySerializer(serializers.Serializer):
    number = serializers.CharField(help_text="办件编号")
    item = serializers.CharField(help_text="事项名称")
    region = CaseRegionSerializer(help_text="办理区域")
    department = serializers.CharField(help_text="承办部门")
    channel = serializers.ChoiceField(choices=Case.Channel.choices, help_text="申请渠道")
    status = serializers.ChoiceField(choices=Status.choices, help_text="状态")
    status_label = serializers.CharField(help_text="状态（中文）")
    applicant = serializers.CharField(help_text="申请人（身份证号已脱敏）或申请单位")
    current_step = serializers.CharField(help_text="当前环节")
    submitted_at = serializers.DateTimeField(help_text="提交时间")
    accepted_on = serializers.DateField(allow_null=True, help_text="受理日期")
    promised_due = serializers.DateField(allow_null=True, help_text="承诺办结日期")
    statutory_due = serializers.DateField(allow_null=True, help_text="法定办结日期")
    warning = serializers.ChoiceField(
        choices=Warning.choices, help_text="时限预警：none 正常，yellow 临期，red 超期"
    )
    countdown = serializers.CharField(
        help_text="时限提示，如“剩余3个工作日”“今日到期”“超期2个工作日”；无计时为空"
    )
    assignee = serializers.CharField(allow_null=True, help_text="承办人（仅工作人员可见；申请人为 null）")


class CaseListResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="总条数")
    page = serializers.IntegerField(help_text="当前页码")
    page_size = serializers.IntegerField(help_text="每页条数")
    num_pages = serializers.IntegerField(help_text="总页数")
    results = CaseSummarySerializer(many=True)


class CaseFormRowSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="表单项")
    value = serializers.CharField(help_text="填写内容")


class CaseMaterialSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="材料名称")
    state = serializers.CharField(help_text="received 已收取，accepted 合格，defective 需补正")
    state_label = serializers.CharField()
    defect = serializers.CharField(help_text="补正要求")
    has_file = serializers.BooleanField(help_text="是否有上传文件")
    licence_identifier = serializers.CharField(
        help_text="以电子证照免提交时所调用证照的标识（GB/T 36904），否则为空"
    )
    download_url = serializers.CharField(allow_null=True, help_text="下载地址（仅工作人员）")


class CasePauseSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Pause.Kind.choices, help_text="特别程序")
    kind_label = serializers.CharField()
    reason = serializers.CharField()
    started_on = serializers.DateField()
    expected_days = serializers.IntegerField(help_text="预计时长（工作日）")
    ended_on = serializers.DateField(allow_null=True)


class CaseDetailSerializer(CaseSummarySerializer):
    contact_phone = serializers.CharField(help_text="联系电话（脱敏，如 138****0001）")
    promised_limit = serializers.IntegerField(allow_null=True, help_text="承诺时限（工作日）")
    statutory_limit = serializers.IntegerField(allow_null=True, help_text="法定时限（工作日）")
    clock_start = serializers.DateField(allow_null=True, help_text="计时起算日")
    form = CaseFormRowSerializer(many=True, help_text="申请表（按事项表单的顺序）")
    materials = CaseMaterialSerializer(many=True, help_text="申请材料")
    pauses = CasePauseSerializer(many=True, help_text="特别程序（计时暂停）")
    refusal_reason = serializers.CharField(help_text="不予受理理由")
    competent_office = serializers.CharField(help_text="有权受理的机关")
    decision_reason = serializers.CharField(help_text="决定理由")
    decided_at = serializers.DateTimeField(allow_null=True, help_text="决定时间")
    delivery_method = serializers.CharField(
        help_text="送达方式：pickup 窗口领取，post 邮寄，electronic 电子送达"
    )
    tracking_number = serializers.CharField(help_text="快递单号")
    delivered_at = serializers.DateTimeField(allow_null=True, help_text="送达时间")
    concluded_at = serializers.DateTimeField(allow_null=True, help_text="办结时间")
    actions = serializers.ListField(
        child=serializers.CharField(),
        help_text="当前状态下您可以进行的操作（POST …/actions/ 的 action）；申请人为空",
    )


class CaseEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="时间")
    action = serializers.CharField(help_text="动作")
    action_label = serializers.CharField(help_text="动作（中文）")
    actor = serializers.CharField(help_text="操作人")
    from_status = serializers.CharField(help_text="原状态（无状态变化为空）")
    to_status = serializers.CharField(help_text="新状态（无状态变化为空）")
    note = serializers.CharField(help_text="说明")
    items = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="一次性告知的补正清单：[{material, reason}]",
    )


class CorrectionItemSerializer(serializers.Serializer):
    material = serializers.CharField(help_text="材料名称")
    reason = serializers.CharField(help_text="补正原因")


_STAFF_ACTIONS = {name: a for name, a in ACTIONS.items() if a.side == STAFF}
_ACTIONS_DOC = "、".join(f"{name}（{a.label}）" for name, a in _STAFF_ACTIONS.items())


class CaseActionRequestSerializer(serializers.Serializer):
    """The body of POST …/actions/ (documentation; each action checks its own parameters)."""

    action = serializers.ChoiceField(choices=list(_STAFF_ACTIONS), help_text=f"操作：{_ACTIONS_DOC}")
    on = serializers.DateField(required=False, help_text="accept：受理日期，默认今天")
    items = CorrectionItemSerializer(
        many=True, required=False, help_text="request_correction：需补正的全部材料，逐项写明原因"
    )
    note = serializers.CharField(required=False, help_text="request_correction：告知说明")
    reason = serializers.CharField(
        required=False,
        help_text="refuse：不予受理理由（必填）；suspend：原因（必填）；decide：决定理由（不予许可必填）",
    )
    competent_office = serializers.CharField(required=False, help_text="refuse：有权受理的机关")
    assignee = serializers.IntegerField(
        required=False, help_text="assign：承办人的账户编号（本部门工作人员）"
    )
    opinion = serializers.CharField(required=False, help_text="opinion：审查意见")
    complete_step = serializers.BooleanField(required=False, help_text="opinion：完成本环节")
    kind = serializers.ChoiceField(
        choices=Pause.Kind.choices, required=False, help_text="suspend：特别程序种类"
    )
    expected_days = serializers.IntegerField(required=False, help_text="suspend：预计时长（工作日）")
    decision = serializers.ChoiceField(
        choices=[("approve", "准予许可"), ("deny", "不予许可")], required=False, help_text="decide：决定"
    )
    method = serializers.ChoiceField(
        choices=Case.Delivery.choices, required=False, help_text="deliver：送达方式"
    )
    tracking_number = serializers.CharField(required=False, help_text="deliver：快递单号（邮寄送达必填）")


class CaseErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="中文说明")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="按参数名列出的说明",
    )


class CaseApplicantRequestSerializer(serializers.Serializer):
    resident_id = serializers.CharField(help_text="申请人（或经办人）的居民身份证号码（须已在基础信息库）")
    organization_credit_code = serializers.CharField(
        required=False, help_text="以单位名义申请时，单位的统一社会信用代码"
    )


class CaseFileRequestSerializer(serializers.Serializer):
    filename = serializers.CharField(help_text="原文件名")
    content_base64 = serializers.CharField(help_text="文件内容（Base64）；PDF/JPG/PNG/OFD，按内容识别")


class CaseMaterialRequestSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="材料名称（与办事指南一致）")
    how = serializers.ChoiceField(
        choices=[
            ("shared", "免提交（数据共享）"),
            ("licence", "免提交（电子证照）"),
            ("file", "上传文件"),
            ("paper", "纸质原件核验"),
            ("defective", "需补正"),
        ],
        help_text=(
            "收取方式；申请人只能用 shared、licence 或 file。对应证照在电子证照库中的材料不能用 shared，"
            "须用 licence（调用持有的电子证照）或 file"
        ),
    )
    file = CaseFileRequestSerializer(required=False)
    licence = serializers.CharField(
        required=False,
        help_text=(
            "how=licence 时：申请人（或其单位）持有的电子证照标识，如 1.2.156.3005.2.…；"
            "不填时仅当申请人恰好持有一本该类有效证照时自动使用"
        ),
    )


class CaseCorrectionRequestSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.DictField(), help_text="[{material, reason}]")
    note = serializers.CharField(required=False)


class CaseRefusalRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="不予受理理由")
    competent_office = serializers.CharField(required=False, help_text="有权受理的机关")


class CaseCreateRequestSerializer(serializers.Serializer):
    implementation_id = serializers.IntegerField(help_text="实施清单编号（办事指南地址 /guide/<编号>/）")
    applicant = CaseApplicantRequestSerializer(
        required=False, help_text="仅工作人员填写；申请人账户以本人（或经授权的本单位）名义申请"
    )
    contact_phone = serializers.CharField(required=False, help_text="联系电话；不填则用基础信息库中的手机号")
    situations = serializers.DictField(
        child=serializers.BooleanField(), required=False, help_text="情形选择：{情形编码: true/false}"
    )
    form_data = serializers.DictField(required=False, help_text="申请表：{字段编码: 值}")
    materials = CaseMaterialRequestSerializer(many=True, required=False)
    outcome = serializers.ChoiceField(
        choices=[
            ("submit", "提交"),
            ("accept", "受理"),
            ("correction", "一次性告知补正"),
            ("refuse", "不予受理"),
        ],
        required=False,
        default="submit",
        help_text="申请人只能 submit；具有受理权限的工作人员可直接受理、告知补正或不予受理",
    )
    correction = CaseCorrectionRequestSerializer(required=False)
    refusal = CaseRefusalRequestSerializer(required=False)
