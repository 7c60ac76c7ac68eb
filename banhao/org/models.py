"""The city as data: regions, departments, halls, zones, windows and staff."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from banhao.core.identifiers import normalize_uscc

from .roles import Role

division_code = RegexValidator(r"^\d{6}$", "行政区划代码应为6位数字。")


class Region(models.Model):
    """A division (GB/T 2260) or a functional zone with a statistical code."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        DISTRICT = "district", "区"
        COUNTY = "county", "县"
        ZONE = "zone", "功能区"
        TOWNSHIP = "township", "乡镇（街道）"

    code = models.CharField("区划代码", max_length=12, unique=True, validators=[division_code])
    name = models.CharField("名称", max_length=50)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "行政区域"
        verbose_name_plural = "行政区域"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_id(self) -> int | None:
        """A region's own audit events lie in that region (core.audit.region_of)."""
        return self.pk


class Department(models.Model):
    name = models.CharField("部门名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    region = models.ForeignKey(
        Region, verbose_name="所属区域", on_delete=models.PROTECT, related_name="departments"
    )
    phone = models.CharField("咨询电话", max_length=30, blank=True)
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region__order", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="org_department_unique_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.credit_code:
            try:
                self.credit_code = normalize_uscc(self.credit_code)
            except ValidationError as e:
                raise ValidationError({"credit_code": e.messages}) from None


class Hall(models.Model):
    name = models.CharField("大厅名称", max_length=100)
    region = models.ForeignKey(
        Region, verbose_name="所属区域", on_delete=models.PROTECT, related_name="halls"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    opening_hours = models.CharField("办公时间", max_length=200, blank=True)
    # Structured hours for appointments and ticketing (on working days of the calendar).
    am_open = models.TimeField("上午开始", default=dt.time(9, 0))
    am_close = models.TimeField("上午结束", default=dt.time(12, 0))
    pm_open = models.TimeField("下午开始", default=dt.time(13, 30))
    pm_close = models.TimeField("下午结束", default=dt.time(17, 0))
    slot_minutes = models.PositiveSmallIntegerField(
        "预约时段长度（分钟）", default=30, validators=[MinValueValidator(10), MaxValueValidator(120)]
    )

    class Meta:
        verbose_name = "政务服务大厅"
        verbose_name_plural = "政务服务大厅"
        ordering = ["region__order", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="org_hall_unique_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if not (self.am_open < self.am_close <= self.pm_open < self.pm_close):
            raise ValidationError("办公时间应依次为：上午开始 < 上午结束 ≤ 下午开始 < 下午结束。")


class Zone(models.Model):
    """A functional area of a hall; its letter prefixes ticket numbers (A001…)."""

    class Kind(models.TextChoices):
        INVESTMENT = "investment", "投资规划"
        CONSTRUCTION = "construction", "工程许可"
        MARKET = "market", "市场准入"
        AGRICULTURE = "agriculture", "涉农事务"
        SOCIAL = "social", "社会事务"
        SELF_SERVICE = "self_service", "24小时自助服务区"
        PICKUP = "pickup", "统一出件区"
        OTHER = "other", "其他"

    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.CASCADE, related_name="zones")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    name = models.CharField("名称", max_length=50)
    letter = models.CharField(
        "叫号字母", max_length=2, validators=[RegexValidator(r"^[A-Z]{1,2}$", "叫号字母应为大写英文字母。")]
    )
    floor = models.CharField("楼层位置", max_length=30, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    slot_capacity = models.PositiveSmallIntegerField("每时段预约名额", default=6)
    bookable = models.BooleanField("可预约", default=True)
    takes_tickets = models.BooleanField("可取号", default=True)

    class Meta:
        verbose_name = "功能区"
        verbose_name_plural = "功能区"
        ordering = ["hall", "order"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "letter"], name="org_zone_unique_letter"),
            models.UniqueConstraint(fields=["hall", "name"], name="org_zone_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.hall.name}·{self.name}"


class Window(models.Model):
    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", "综合受理窗口"
        SPECIALISED = "specialised", "专业窗口"
        PICKUP = "pickup", "统一出件窗口"

    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.CASCADE, related_name="windows")
    zone = models.ForeignKey(Zone, verbose_name="功能区", on_delete=models.PROTECT, related_name="windows")
    number = models.PositiveSmallIntegerField("窗口号")
    kind = models.CharField("窗口类型", max_length=20, choices=Kind.choices, default=Kind.COMPREHENSIVE)
    departments = models.ManyToManyField(
        Department, verbose_name="进驻部门（专业窗口）", blank=True, related_name="windows"
    )
    skills = models.ManyToManyField(
        Zone,
        verbose_name="兼办功能区（可叫号的其他功能区）",
        blank=True,
        related_name="skilled_windows",
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["hall", "number"]
        constraints = [models.UniqueConstraint(fields=["hall", "number"], name="org_window_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}号窗口（{self.get_kind_display()}）"

    def served_zone_ids(self) -> list[int]:
        """The zones this window calls tickets from: its own, plus its skills."""
        return [self.zone_id, *[z.pk for z in self.skills.all() if z.pk != self.zone_id]]


class StaffMember(models.Model):
    """A staff account's role and data scope (region, and department for back-office roles)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="账户", on_delete=models.CASCADE, related_name="staff"
    )
    name = models.CharField("姓名", max_length=50)
    employee_no = models.CharField("工号", max_length=20, unique=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name="数据范围（区域）", on_delete=models.PROTECT, related_name="staff"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    hall = models.ForeignKey(
        Hall, verbose_name="所在大厅", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    window = models.ForeignKey(
        Window,
        verbose_name="所在窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        ordering = ["region__order", "employee_no"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["reviewer", "department_head"])
                | models.Q(department__isnull=False),
                name="org_staff_backoffice_has_department",
                violation_error_message="后台审批人员和部门负责人必须指定所属部门。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"
