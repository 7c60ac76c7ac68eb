"""Code tables of the catalog (domain.md §1). Stored codes are the canonical internal form."""

ITEM_TYPES = {
    "01": "行政许可",
    "02": "行政处罚",
    "03": "行政强制",
    "04": "行政征收",
    "05": "行政给付",
    "06": "行政检查",
    "07": "行政确认",
    "08": "行政奖励",
    "09": "行政裁决",
    "10": "其他行政权力",
    "20": "公共服务",
    "30": "行政备案",  # no national number: our local code
}
# Only items handled on application appear in the service hall.
HALL_ITEM_TYPES = {"01", "05", "07", "08", "09", "10", "20", "30"}

LEVELS = {"1": "国家级", "2": "省级", "3": "市级", "4": "县级", "5": "乡镇级", "6": "村级", "7": "分级"}
SERVICE_OBJECTS = ["自然人", "企业法人", "事业法人", "社会组织法人", "非法人企业", "行政机关", "其他组织"]
PERSONAL_OBJECTS = {"自然人"}
CASE_TYPES = {"immediate": "即办件", "promised": "承诺件"}
ONLINE_DEPTHS = {"1": "信息公开", "2": "在线预审", "3": "在线办理", "4": "全程网办"}
SCOPES = ["全国通办", "全省通办", "全市通办", "全县通办", ""]
ZONES = {
    "investment": "投资规划",
    "construction": "工程许可",
    "market": "市场准入",
    "agriculture": "涉农事务",
    "social": "社会事务",
}
PERSONAL_THEMES = ["生育", "入学", "就业", "婚姻", "住房", "退休", "社保", "医疗", "救助", "出行", "其他"]
LEGAL_THEMES = ["开办", "变更", "经营", "投资建设", "注销", "其他"]
MEDIA = {"paper": "纸质", "electronic": "电子", "both": "纸质和电子"}
COPY_KINDS = ["原件", "复印件", "原件和复印件"]
SOURCES = ["申请人自备", "政府部门核发", "其他"]
FIELD_TYPES = {
    "text": "文本",
    "textarea": "多行文本",
    "number": "数字",
    "date": "日期",
    "choice": "选项",
    "resident_id": "公民身份号码",
    "credit_code": "统一社会信用代码",
    "address": "地址",
    "phone": "电话",
}
PREFILL_SOURCES = [
    "",
    "person.name",
    "person.resident_id",
    "person.phone",
    "person.address",
    "org.name",
    "org.credit_code",
    "org.legal_representative",
    "org.address",
]

# The ten elements that must be identical at city and county level (两级十同), in order.
SHARED_ELEMENTS = {
    "name": "事项名称",
    "sub_item_name": "子项名称",
    "item_type": "事项类别",
    "basic_code": "事项编码（基本编码）",
    "legal_bases": "设立依据",
    "materials": "申请材料",
    "steps": "办理流程",
    "fee": "收费依据及标准",
    "promised_days": "承诺时限",
    "form_fields": "表单填写",
}
# What a county may set for itself.
LOCAL_FIELDS = {
    "department": "实施主体",
    "address": "办理地点",
    "phone": "咨询电话",
    "office_hours": "办理时间",
    "windows": "办理窗口",
}
