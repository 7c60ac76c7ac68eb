"""The standardized catalog: city standard texts in versions, and regional implementations.

A standard text (标准化文本) is defined once at city level and lives in versions; exactly
one version is published at a time. The list-like elements (legal bases, materials, steps,
fees, form fields, situations, FAQ) are validated JSON on the version (decision 0005), so a
new version is one copy and the two-level audit compares canonical dictionaries.

A regional implementation (实施清单) holds only local fields; when a region's own list was
imported with its ten shared elements, they are kept in ``declared`` and the audit compares
them with the standard. A deviating implementation cannot be published.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from . import codes


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    REVIEW = "review", "待审核"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class StandardItem(models.Model):
    """The identity of a city standard text (one per handling item)."""

    code = models.CharField(
        "标准化文本编码",
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Z]{1,12}-\d{2}$", "编码格式应为“基本编码-两位办理项编码”。")],
    )
    basic_code = models.CharField("基本编码", max_length=12, db_index=True)
    handling_code = models.CharField("办理项编码", max_length=2)
    region = models.ForeignKey(
        "org.Region", verbose_name="制定区域", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "标准化文本"
        verbose_name_plural = "标准化文本"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class StandardVersion(models.Model):
    """One version of a standard text: all its elements, and where it is in its life.

    The JSON elements are blank=True for the model: which may be empty, and what their rows
    must hold, is decided by content.validate_content (one place for the rules).
    """

    item = models.ForeignKey(
        StandardItem, verbose_name="标准化文本", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField("生效日期", null=True, blank=True)
    effective_to = models.DateField("失效日期", null=True, blank=True)
    change_note = models.CharField("变更说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # --- the ten shared elements (codes.SHARED_ELEMENTS) ---
    name = models.CharField("事项名称", max_length=100)
    sub_item_name = models.CharField("子项名称", max_length=100)
    item_type = models.CharField("事项类别", max_length=2, choices=list(codes.ITEM_TYPES.items()))
    legal_bases = models.JSONField("设立依据", default=list, blank=True)
    materials = models.JSONField("申请材料", default=list, blank=True)
    steps = models.JSONField("办理流程", default=list, blank=True)
    fee = models.JSONField("收费依据及标准", default=dict, blank=True)
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    form_fields = models.JSONField("表单", default=list, blank=True)

    # --- the other elements ---
    handling_name = models.CharField("业务办理项", max_length=50, blank=True)
    statutory_days = models.PositiveSmallIntegerField("法定时限（工作日）", null=True, blank=True)
    zone = models.CharField("所属功能区", max_length=20, choices=list(codes.ZONES.items()))
    department = models.ForeignKey(
        "org.Department", verbose_name="实施主体（市级）", on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField("行使层级", max_length=1, choices=list(codes.LEVELS.items()), default="3")
    service_objects = models.JSONField("服务对象", default=list, blank=True)
    themes = models.JSONField("主题分类", default=list, blank=True)
    keywords = models.JSONField("搜索关键词", default=list, blank=True)
    conditions = models.TextField("受理条件", blank=True)
    situations = models.JSONField("情形", default=list, blank=True)
    case_type = models.CharField("办件类型", max_length=10, choices=list(codes.CASE_TYPES.items()))
    visits = models.PositiveSmallIntegerField("到办事现场次数", default=0)
    visit_reason = models.CharField("到现场原因", max_length=200, blank=True)
    online_depth = models.CharField("网上办理深度", max_length=1, choices=list(codes.ONLINE_DEPTHS.items()))
    booking = models.BooleanField("支持预约", default=False)
    post = models.BooleanField("支持物流快递", default=False)
    online_payment = models.BooleanField("支持网上支付", default=False)
    scope = models.CharField("通办范围", max_length=10, blank=True)
    result_name = models.CharField("办理结果名称", max_length=100)
    result_is_licence = models.BooleanField("结果为电子证照", default=False)
    result_delivery = models.CharField("结果送达方式", max_length=100, blank=True)
    consult_phone = models.CharField("咨询电话", max_length=30, blank=True)
    complaint_phone = models.CharField("监督投诉电话", max_length=30, blank=True)
    faq = models.JSONField("常见问题", default=list, blank=True)

    class Meta:
        verbose_name = "标准化文本版本"
        verbose_name_plural = "标准化文本版本"
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="catalog_version_unique_number"),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="published"), name="catalog_one_published_version"
            ),
            models.CheckConstraint(
                condition=models.Q(statutory_days__isnull=True)
                | models.Q(promised_days__lte=models.F("statutory_days")),
                name="catalog_promised_within_statutory",
                violation_error_message="承诺时限不得超过法定时限。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name}（第{self.number}版·{self.get_status_display()}）"

    @property
    def display_name(self) -> str:
        parts = [self.sub_item_name or self.name]
        if self.handling_name:
            parts.append(f"（{self.handling_name}）")
        return "".join(parts)

    @property
    def item_type_label(self) -> str:
        return codes.ITEM_TYPES.get(self.item_type, self.item_type)


class Implementation(models.Model):
    """A region's implementation list entry (实施清单) of a standard text."""

    standard = models.ForeignKey(
        StandardItem, verbose_name="标准化文本", on_delete=models.PROTECT, related_name="implementations"
    )
    region = models.ForeignKey(
        "org.Region", verbose_name="实施区域", on_delete=models.PROTECT, related_name="+"
    )
    implementation_code = models.CharField("实施编码", max_length=36, unique=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    # local fields (the only ones a region may set)
    department = models.ForeignKey(
        "org.Department", verbose_name="实施主体", on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField("办理地点", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=30, blank=True)
    office_hours = models.CharField("办理时间", max_length=200, blank=True)
    windows = models.CharField("办理窗口", max_length=200, blank=True)
    # The ten shared elements as the region's own list declared them (None: inherits the standard).
    declared = models.JSONField("区域申报的十同要素", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "实施清单"
        verbose_name_plural = "实施清单"
        ordering = ["standard__code", "region__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "region"], name="catalog_one_implementation_per_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.implementation_code}"


class SearchEntry(models.Model):
    """What the applicant search finds: one row per published implementation (banhao.catalog.search).

    A projection, rebuilt by ``search.refresh_item`` whenever a version or an implementation
    of the item changes, and wholly by ``manage.py catalog_reindex``. ``tokens`` holds the
    jieba-segmented words and bigrams; the full-text index over it lives outside the model
    (SQLite: the FTS5 table ``catalog_search_fts``; PostgreSQL: the generated column
    ``search_vector`` with a GIN index), both created by migration 0002.
    """

    implementation = models.OneToOneField(
        Implementation, verbose_name="实施清单", on_delete=models.CASCADE, related_name="search_entry"
    )
    standard = models.ForeignKey(
        StandardItem, verbose_name="标准化文本", on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "org.Region", verbose_name="实施区域", on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name="实施主体", on_delete=models.CASCADE, related_name="+"
    )
    zone = models.CharField("所属功能区", max_length=20, choices=list(codes.ZONES.items()))
    item_type = models.CharField("事项类别", max_length=2, choices=list(codes.ITEM_TYPES.items()))
    is_personal = models.BooleanField("面向自然人", default=False)
    is_legal = models.BooleanField("面向法人和其他组织", default=False)
    # "|生育|住房|": a plain text column, so a theme filter is one LIKE on every database.
    themes = models.CharField("主题分类", max_length=200, blank=True)
    title = models.CharField("事项名称", max_length=200)
    summary = models.CharField("摘要", max_length=200, blank=True)
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    visits = models.PositiveSmallIntegerField("到办事现场次数", default=0)
    online_depth = models.CharField("网上办理深度", max_length=1, choices=list(codes.ONLINE_DEPTHS.items()))
    tokens = models.TextField("检索词")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "事项检索条目"
        verbose_name_plural = "事项检索条目"
        ordering = ["standard__code", "region__order"]

    def __str__(self) -> str:
        return self.title


class MaterialFile(models.Model):
    """A blank form or a filled-in sample of one application material of a standard text.

    Attached to the standard text (not a version) by material name, so it carries over to the
    next version as long as the material keeps its name. A new upload replaces the current one.
    """

    class Kind(models.TextChoices):
        BLANK = "blank", "空白表格"
        SAMPLE = "sample", "示例样表"

    item = models.ForeignKey(
        StandardItem, verbose_name="标准化文本", on_delete=models.CASCADE, related_name="files"
    )
    material_name = models.CharField("材料名称", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    file = models.FileField("文件", upload_to="catalog/materials/%Y/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=120)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "材料样表"
        verbose_name_plural = "材料样表"
        ordering = ["item", "material_name", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "material_name", "kind"], name="catalog_one_file_per_material_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.material_name}·{self.get_kind_display()}"
