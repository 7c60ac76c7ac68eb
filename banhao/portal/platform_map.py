"""What the platform consists of, what is live, and what each role's home page offers.

Plain data, so the portal, the workbench and the tests read the same facts. A target is a
URL name ("org:staff_list"), an absolute path ("/admin/…"), or None for a service that is
still being built. Only entries whose target resolves are shown: a tile leads somewhere real
or is not there (an unbuilt service, or a URL name whose app is not written yet, is left out).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from banhao.org.api import Role, role_can

APPLICANT = "applicant"
AUDIENCE_LABELS: dict[str, str] = {**dict(Role.choices), APPLICANT: "办事群众/企业"}

CALENDAR_ADMIN = "admin:core_calendarday_changelist"
CALENDAR_ADMIN_PATH = "/admin/core/calendarday/"


@dataclass(frozen=True)
class Entry:
    """A service people can open: a tile on a home page or a line of the platform map."""

    title: str
    text: str = ""
    target: str | None = None


@dataclass(frozen=True)
class Resolved:
    title: str
    text: str
    url: str | None

    @property
    def live(self) -> bool:
        return self.url is not None


def resolve_url(target: str | None) -> str | None:
    if not target:
        return None
    if target.startswith("/"):
        return target
    try:
        return reverse(target)
    except NoReverseMatch:
        return None


def resolve(entries) -> list[Resolved]:
    """The entries that lead somewhere real, with their URL; the others are not shown."""
    resolved = (Resolved(e.title, e.text, resolve_url(e.target)) for e in entries)
    return [r for r in resolved if r.live]


# --- the eight sections of the platform ----------------------------------------------------


@dataclass(frozen=True)
class Section:
    number: int
    key: str
    name: str
    description: str
    audiences: tuple[str, ...]
    target: str | None = None  # the section's entry page once it exists

    @property
    def audience_labels(self) -> list[str]:
        return [AUDIENCE_LABELS[a] for a in self.audiences]


SECTIONS: tuple[Section, ...] = (
    Section(
        1,
        "catalog",
        "标准化事项目录",
        "全市统一的政务服务事项清单和办事指南，同一事项在各区县同一标准。",
        (Role.CATALOG_OFFICER, Role.ADMINISTRATOR, Role.DEPARTMENT_HEAD, APPLICANT),
        "catalog_search:search",
    ),
    Section(
        2,
        "online_hall",
        "网上办事大厅",
        "群众和企业在网上查指南、交申请、查进度，能网上办的不跑腿。",
        (APPLICANT, Role.HELPER, Role.WINDOW_CLERK),
    ),
    Section(
        3,
        "one_window",
        "无差别一窗受理大厅",
        "预约取号、叫号，综合窗口一窗收件受理，统一出件。",
        (Role.WINDOW_CLERK, Role.HALL_MANAGER, APPLICANT),
        "hall:index",
    ),
    Section(
        4,
        "cases",
        "办件与时限",
        "办件全程留痕，按工作日计算承诺时限和法定时限，临期预警、超期督办。",
        (Role.REVIEWER, Role.DEPARTMENT_HEAD, Role.WINDOW_CLERK, Role.SUPERVISOR),
        "cases_office:inbox",
    ),
    Section(
        5,
        "evaluation",
        "好差评与效能监督",
        "一次一评、差评整改与回访，效能投诉处理，红黑榜与服务之星评选。",
        (Role.SUPERVISOR, Role.HALL_MANAGER, Role.DEPARTMENT_HEAD, Role.HOTLINE, APPLICANT),
        "evaluation_public:figures",
    ),
    Section(
        6,
        "licences",
        "电子证照",
        "证照电子化签发、亮证扫码核验，办事时已有证照免予提交。",
        (APPLICANT, Role.REVIEWER, Role.WINDOW_CLERK),
        "licences:verify",
    ),
    Section(
        7,
        "projects",
        "工程建设项目审批",
        "项目分阶段并联审批、联合验收，重点项目全程帮办代办。",
        (Role.HELPER, Role.REVIEWER, Role.DEPARTMENT_HEAD, APPLICANT),
    ),
    Section(
        8,
        "insights",
        "数据分析",
        "办件量、按时办结率、好差评和大厅运行情况的统计分析与领导驾驶舱。",
        (Role.DEPARTMENT_HEAD, Role.HALL_MANAGER, Role.SUPERVISOR, Role.ADMINISTRATOR),
    ),
)

# Foundation pieces every section builds on; these are in service today.
FOUNDATION: tuple[Entry, ...] = (
    Entry("基础信息库", "自然人、法人基础信息，受理和网上申请时自动预填。", "registry:person_list"),
    Entry("组织机构", "行政区域、部门、大厅、功能区、窗口和工作人员。", "org:department_list"),
    Entry("审计日志", "每条数据谁在何时改了什么，在各条数据的详情页查看变更记录。", None),
    Entry("工作日历", "法定节假日和调休安排，所有期限按工作日推算。", CALENDAR_ADMIN),
    Entry("管理后台", "系统管理员维护基础数据和账户。", "admin:index"),
)
# The permission (org.roles.PERMISSIONS) a role needs for the map to link a piece.
FOUNDATION_PERMISSION: dict[str, str] = {
    "基础信息库": "registry.view",
    "组织机构": "org.view",
    "工作日历": "calendar.manage",
    "管理后台": "org.manage",
}
# Live without a page of its own: the history is shown on each object's detail page.
FOUNDATION_WITHOUT_PAGE = {"审计日志"}


@dataclass(frozen=True)
class SectionView:
    section: Section
    url: str


@dataclass(frozen=True)
class FoundationView:
    title: str
    text: str
    url: str | None  # None when the viewer's role may not open it (or it has no page of its own)


def platform_map(role: str | None = None) -> dict:
    """The map as the templates show it: the sections and foundation pieces in service.

    With a staff ``role``, the pieces that role may open carry their link; without one (the
    public portal, applicants) nothing is linked. Sections not in service are not listed.
    """
    sections = [SectionView(s, url) for s in SECTIONS if (url := resolve_url(s.target))]
    foundation = []
    for e in FOUNDATION:
        url = resolve_url(e.target)
        if url is None and e.title not in FOUNDATION_WITHOUT_PAGE:
            continue
        permission = FOUNDATION_PERMISSION.get(e.title)
        if role is None or (permission and not role_can(role, permission)):
            url = None
        foundation.append(FoundationView(e.title, e.text, url))
    return {"sections": sections, "foundation": foundation}


# --- the public portal ----------------------------------------------------------------------

PERSONAL_EVENTS: tuple[Entry, ...] = (
    Entry("生育", "出生医学证明、新生儿落户、生育津贴", "/search/?q=生育"),
    Entry("入学", "入学登记、学籍转接、学生资助", "/search/?q=入学"),
    Entry("就业", "就业登记、社保参保、职业培训补贴", "/search/?q=就业"),
    Entry("婚姻", "婚姻登记、户口迁移、住房公积金变更", "/search/?q=婚姻"),
    Entry("住房", "公积金提取、不动产登记、租赁备案", "/search/?q=住房"),
    Entry("退休", "退休审批、养老金领取、高龄津贴", "/search/?q=退休"),
)

LEGAL_EVENTS: tuple[Entry, ...] = (
    Entry("开办", "营业执照、公章刻制、发票申领、社保登记一次办", "/search/?q=开办"),
    Entry("变更", "名称、住所、法定代表人、经营范围变更", "/search/?q=变更"),
    Entry("经营", "经营许可、资质认定、年度报告", "/search/?q=经营"),
    Entry("投资建设", "立项、用地、规划、施工许可、竣工验收", "/search/?q=投资建设"),
    Entry("注销", "简易注销、清税、社保和公积金注销", "/search/?q=注销"),
)

PORTAL_ENTRIES: tuple[Entry, ...] = (
    Entry("一件事一次办", "多个事项一张表单、一次提交"),
    Entry("办件查询", "凭办件编号查询办理进度", "cases:lookup"),
    Entry("好差评", "对办事服务进行评价", "rating:mine"),
    Entry("电子证照", "出示、核验本人电子证照", "licences:mine"),
    Entry("投诉建议", "反映问题，提出意见建议", "complaints:new"),
)

# Elder mode: one column of the most used services as large tiles (6–8 of them).
ELDER_ENTRIES: tuple[Entry, ...] = (
    Entry("个人办事", "生育、入学、就业、婚姻、住房、退休", "catalog_search:search"),
    Entry("法人办事", "开办、变更、经营、投资建设、注销", "catalog_search:search"),
    Entry("一件事一次办", "多个事项一次提交"),
    Entry("办件查询", "查询办理进度", "cases:lookup"),
    Entry("电子证照", "出示本人证照", "licences:mine"),
    Entry("好差评", "评价办事服务", "rating:mine"),
    Entry("投诉建议", "反映问题", "complaints:new"),
)

APPLICANT_TILES: tuple[Entry, ...] = (
    Entry("我的办件", "查看已提交办件的进度和结果", "cases:mine"),
    Entry("在线申请", "查找事项，阅读指南后在网上提交申请", "catalog_search:search"),
    Entry("办件查询", "凭办件编号和手机号查询办理进度", "cases:lookup"),
    Entry("我的资料", "联系电话和住址（来自基础信息库）", "accounts:profile"),
    Entry("预约取号", "预约大厅办事时段，到厅签到优先叫号", "hall:appointments"),
    Entry("我的证照", "本人或本单位的电子证照，亮证和下载加注件", "licences:mine"),
    Entry("好差评", "评价已办结的办件", "rating:mine"),
)

# Only for enterprise accounts (建设单位的经办人), after the applicant tiles.
ENTERPRISE_TILES: tuple[Entry, ...] = (
    Entry("我的项目", "本单位的工程建设项目：登记、各阶段用时和一次告知", "projects:mine"),
)

# --- each staff role's home page ------------------------------------------------------------

ROLE_INTRO: dict[str, str] = {
    Role.WINDOW_CLERK: "在综合窗口接待办事群众，一次性告知、收件受理，能即办的当场办结。",
    Role.REVIEWER: "在后台审查受理的办件，在承诺时限内作出审批决定。",
    Role.DEPARTMENT_HEAD: "掌握本部门办件和时限情况，督办临期和超期办件。",
    Role.HALL_MANAGER: "管理大厅的窗口、人员、预约和叫号秩序。",
    Role.SUPERVISOR: "督查服务质量，处理差评整改、效能投诉，发布红黑榜。",
    Role.HELPER: "为重点项目和有需要的群众提供帮办代办服务。",
    Role.CATALOG_OFFICER: "维护市级标准化文本和本区域实施清单，确保两级十同。",
    Role.ADMINISTRATOR: "维护组织机构、基础信息、工作日历和账户。",
    Role.HOTLINE: "12345热线回访办结的办件并记录评价，接收、派发和回访热线工单，不满意的送回重办。",
}

ROLE_TASKS: dict[str, tuple[Entry, ...]] = {
    Role.WINDOW_CLERK: (
        Entry("叫号受理", "呼叫下一位办事群众，综合受理，办结后邀请评价", "hall:desk"),
        Entry("统一出件", "核验身份后发放办理结果", "hall:pickup"),
        Entry("网上申请受理", "网上申请的预审受理和一次性告知", "cases_office:inbox"),
        Entry("基础信息查询", "查询自然人、法人基础信息", "registry:person_list"),
        Entry("我的考核", "本人各月考核评分和所依据的事实", "assessment:mine"),
    ),
    Role.REVIEWER: (
        Entry("待办审批", "本部门待审查的办件", "cases_office:inbox"),
        Entry("办件时限预警", "临期、超期办件提醒", "/office/cases/?warning=red"),
        Entry("差评整改", "本部门差评的回访、核实、整改和反馈", "rectify:list"),
        Entry("12345工单", "派至本部门的热线工单：签收、答复", "hotline:department_tickets"),
        Entry("工程建设项目", "本区域工程建设项目各阶段用时和一次告知", "projects_office:list"),
        Entry("我的考核", "本人各月考核评分和所依据的事实", "assessment:mine"),
    ),
    Role.DEPARTMENT_HEAD: (
        Entry("部门办件", "本部门办件量和办理情况", "cases_office:inbox"),
        Entry("超期督办", "临期、超期办件的督办", "/office/cases/?warning=red"),
        Entry("部门人员", "本部门工作人员和角色", "org:staff_list"),
        Entry("差评整改", "本部门差评整改的期限和进度，恶意差评申诉", "rectify:list"),
        Entry("本部门好差评", "本部门差评整改、效能投诉和评价情况", "evaluation_office:department"),
        Entry("12345工单", "派至本部门的热线工单和考核指标", "hotline:department_tickets"),
        Entry(
            "考核评分",
            "本部门及其人员的考核评分、指标明细和各期对比",
            "/assessment/scorecards/?kind=department",
        ),
        Entry("评选通报", "已发布的红旗窗口、服务明星名单和通报", "selection:published"),
    ),
    Role.HALL_MANAGER: (
        Entry("大厅实时监控", "叫号大屏、实时统计、取号机和自助服务区", "hall:index"),
        Entry("窗口与人员", "窗口设置和在岗人员", "org:window_list"),
        Entry("窗口评价器", "各窗口评价平板的绑定地址", "evaluation:pads"),
        Entry("窗口差评整改", "本大厅窗口差评的回访、整改和反馈", "rectify:list"),
        Entry("培训管理", "学习培训课程、集中学习场次和考勤，人员学时统计", "training:manage"),
        Entry("考核评分", "各窗口和人员的月度考核评分、排名和依据", "assessment:scorecards"),
        Entry("红旗窗口与服务明星", "提名本大厅的窗口和人员，查看评选结果和通报", "selection:list"),
        Entry("红蓝榜", "本大厅窗口月度红蓝榜的审核、发布和蓝榜整改", "boards:list"),
    ),
    Role.SUPERVISOR: (
        Entry("督查工作台", "差评整改、效能投诉等待办事项和期限倒计时", "evaluation_office:workbench"),
        Entry("差评整改", "实名差评按期整改率、超期督办和申诉复核", "rectify:overview"),
        Entry("效能投诉", "受理和处理效能投诉", "complaints:list"),
        Entry("红黑榜", "各大厅窗口月度红蓝榜和蓝榜整改督查", "boards:list"),
        Entry("考核评分", "窗口、部门、县区和人员的考核评分、排名和依据", "assessment:scorecards"),
        Entry("红旗窗口与服务明星", "按季度、年度评选：候选排名、提名、评审、通报", "selection:list"),
        Entry("基础信息", "查询自然人、法人基础信息", "registry:person_list"),
        Entry("培训管理", "学习培训课程、集中学习场次和考勤，人员学时统计", "training:manage"),
    ),
    Role.HELPER: (
        Entry("重点项目帮办", "重点项目全流程帮办代办"),
        Entry("问题跟踪", "项目推进中的问题协调"),
        Entry("工程建设项目", "本区域工程建设项目各阶段用时和一次告知", "projects_office:list"),
    ),
    Role.CATALOG_OFFICER: (
        Entry("标准化文本", "起草、修订和提交市级标准化文本", "catalog_manage:item_list"),
        Entry("实施清单", "本区域实施清单的实施主体、地点和窗口", "catalog_manage:implementation_list"),
        Entry("两级十同核查", "实施清单与标准化文本的逐项比对", "catalog_manage:audit"),
        Entry("事项搜索", "按群众的说法查找事项", "catalog_search:search"),
        Entry("审批路线", "工程建设项目各类路线的阶段、牵头部门、事项和时限", "projects_office:track_list"),
    ),
    Role.ADMINISTRATOR: (
        Entry("管理后台", "账户、基础数据维护", "admin:index"),
        Entry("工作日历", "录入法定节假日和调休安排", CALENDAR_ADMIN),
        Entry("组织机构", "区域、部门、大厅、窗口、人员", "org:department_list"),
        Entry("基础信息库", "自然人、法人基础信息", "registry:person_list"),
        Entry("评选通报", "已发布的红旗窗口、服务明星名单和通报，评审签批", "selection:published"),
        Entry("工程建设项目", "全市工程建设项目各阶段用时，审批路线维护", "projects_office:list"),
    ),
    Role.HOTLINE: (
        Entry("回访任务", "昨日办结办件的抽样回访和全部差评回访，按问卷记录", "hotline:callbacks"),
        Entry("热线工单", "12345工单的派单、退回改派和答复后回访", "hotline:tickets"),
        Entry("承办单位考核", "按时签收率、按时办结率、解决率、满意率、重办率", "hotline:metrics"),
        Entry("效能投诉登记", "12345转办的窗口、人员、部门效能投诉", "complaints:register"),
    ),
}


# Every staff member's own things, whatever the role: shown on the home page under 我的工作.
STAFF_TILES: tuple[Entry, ...] = (Entry("学习培训", "日常自学、集中学习报名，本人学时记录", "training:mine"),)


def calendar_admin_url() -> str:
    return resolve_url(CALENDAR_ADMIN) or CALENDAR_ADMIN_PATH
