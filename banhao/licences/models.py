"""Electronic licences (电子证照, GB/T 36901–36906): the licence catalog, licences, their events
and the log of every use.

A licence's metadata and face are signed when it is issued (`signing`, `keys`); the status is not
part of what is signed: it changes through the transition table (`states`) and each change writes
a `LicenceEvent`. Verification recomputes the signed payload from the stored row, so a face field
altered in the database afterwards reads as tampered.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models


class HolderKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANIZATION = "organization", "法人及其他组织"


# 持证主体代码类型 (GB/T 36902): 111 公民身份号码, 001 统一社会信用代码.
HOLDER_CODE_TYPES = {HolderKind.PERSON: "111", HolderKind.ORGANIZATION: "001"}


class Validity(models.TextChoices):
    YEARS = "years", "固定年限"
    LONG_TERM = "long_term", "长期有效"
    CASE = "case", "以申请表所填日期为准"


class LicenceType(models.Model):
    """One entry of the licence catalog (证照目录)."""

    name = models.CharField("证照名称", max_length=60, unique=True)
    code = models.CharField("证照类型代码", max_length=21, unique=True)
    authority_name = models.CharField("证照定义机构", max_length=100)
    holder_kind = models.CharField("持证主体类别", max_length=12, choices=HolderKind.choices)
    # [{key, label, kind: text|date|number|code, required, public, sources: [form keys]}]
    fields = models.JSONField("照面项", default=list, blank=True)
    validity = models.CharField(
        "有效期规则", max_length=10, choices=Validity.choices, default=Validity.LONG_TERM
    )
    validity_years = models.PositiveSmallIntegerField("有效年限", null=True, blank=True)
    validity_field = models.CharField("有效期截止日期取自表单字段", max_length=40, blank=True)
    several_allowed = models.BooleanField("同一主体可同时持有多本", default=False)
    aliases = models.JSONField("材料名称别名", default=list, blank=True)
    items = models.ManyToManyField(
        "catalog.StandardItem", verbose_name="产生此证照的事项", blank=True, related_name="+"
    )
    active = models.BooleanField("启用", default=True)
    composition_note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "证照类型"
        verbose_name_plural = "证照目录"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def authority_code(self) -> str:
        return self.code[:18]


class Status(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "暂停使用"
    REVOKED = "revoked", "已注销"
    EXPIRED = "expired", "已过期"
    SUPERSEDED = "superseded", "已换发"


ACTIVE_STATUSES = (Status.VALID, Status.SUSPENDED)


class Licence(models.Model):
    identifier = models.CharField("电子证照标识", max_length=120, unique=True)
    type = models.ForeignKey(
        LicenceType, verbose_name="证照类型", on_delete=models.PROTECT, related_name="licences"
    )
    name = models.CharField("证照名称", max_length=60)
    type_code = models.CharField("证照类型代码", max_length=21)
    number = models.CharField("证照编号", max_length=40)
    serial = models.CharField("顺序号", max_length=32)
    version = models.PositiveSmallIntegerField("版本号", default=1)
    holder_kind = models.CharField("持证主体类别", max_length=12, choices=HolderKind.choices)
    holder_name = models.CharField("持证主体", max_length=200)
    holder_code = models.CharField("持证主体代码", max_length=18, db_index=True)
    holder_code_type = models.CharField("持证主体代码类型", max_length=3)
    holder_person = models.ForeignKey(
        "registry.Person",
        verbose_name="持证人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder_organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="持证单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuer = models.ForeignKey(
        "org.Department", verbose_name="颁发机构", on_delete=models.PROTECT, related_name="+"
    )
    issuer_name = models.CharField("颁发机构名称", max_length=100)
    issuer_code = models.CharField("颁发机构代码", max_length=18)
    region = models.ForeignKey(
        "org.Region", verbose_name="管辖属地", on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField("管辖属地代码", max_length=6)
    issued_on = models.DateField("颁发日期")
    valid_from = models.DateField("有效期起始")
    valid_until = models.DateField("有效期截止", null=True, blank=True)  # None: 长期
    face = models.JSONField("照面信息", default=dict)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.VALID, db_index=True
    )
    # "<type id>:<holder code>" while an exclusive type's licence is active, else NULL: the
    # database keeps one active licence per (type, holder) unless the type allows several.
    holder_slot = models.CharField(max_length=40, null=True, blank=True, unique=True, editable=False)
    supersedes = models.OneToOneField(
        "self",
        verbose_name="换发前版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    case_id = models.BigIntegerField("来源办件", null=True, blank=True, db_index=True)
    case_number = models.CharField("来源办件编号", max_length=32, blank=True)
    # the signature over metadata and face (see signed_payload in services)
    algorithm = models.CharField("签名算法", max_length=10)
    key_id = models.CharField("签名密钥标识", max_length=64)
    signature = models.TextField("签名值")
    signed_at = models.DateTimeField("签名时间")
    created_at = models.DateTimeField("入库时间", auto_now_add=True)

    class Meta:
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["status", "valid_until"], name="licences_expiry_idx"),
            models.Index(fields=["type", "issuer", "serial"], name="licences_serial_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.number}）"


class SerialCounter(models.Model):
    """The next serial per (type, issuer, year): identifiers never repeat."""

    type = models.ForeignKey(LicenceType, on_delete=models.CASCADE, related_name="+")
    issuer_code = models.CharField(max_length=18)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type", "issuer_code", "year"], name="licences_one_counter"),
        ]

    def __str__(self) -> str:
        return f"{self.type_id}/{self.issuer_code}/{self.year}: {self.last}"


class LicenceEvent(models.Model):
    licence = models.ForeignKey(
        Licence, verbose_name="电子证照", on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField("动作", max_length=12)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12)
    reason = models.CharField("原因", max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("操作人", max_length=100)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "证照事件"
        verbose_name_plural = "证照事件"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.licence_id} {self.action}"


class LicenceUse(models.Model):
    """用证记录: who used a licence, why and how; shown to the holder."""

    class Kind(models.TextChoices):
        QUERY = "query", "查询"
        COPY = "copy", "下载加注件"
        VERIFY = "verify", "核验"
        MATERIAL = "material", "免提交（作为申请材料）"
        HOLDER = "holder", "持证人下载"

    licence = models.ForeignKey(
        Licence, verbose_name="电子证照", on_delete=models.CASCADE, related_name="uses"
    )
    kind = models.CharField("用证方式", max_length=10, choices=Kind.choices)
    reason = models.CharField("用证事由", max_length=200, validators=[MaxLengthValidator(200)])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用证人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    client = models.ForeignKey(
        "accounts.ApiClient",
        verbose_name="接入系统",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user_label = models.CharField("用证方", max_length=200)
    case_number = models.CharField("关联办件", max_length=32, blank=True)
    at = models.DateTimeField("用证时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "用证记录"
        verbose_name_plural = "用证记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_label}：{self.reason}"
