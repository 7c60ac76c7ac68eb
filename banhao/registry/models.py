"""Base information (基础信息库): natural persons, legal persons, and applicant accounts."""

from django.conf import settings
from django.db import models

from banhao.core.masking import mask_phone, mask_resident_id


class Person(models.Model):
    """A natural person (自然人). The resident ID is stored normalised (upper-case X)."""

    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    name = models.CharField("姓名", max_length=50)
    resident_id = models.CharField("公民身份号码", max_length=18, unique=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    phone = models.CharField("手机号码", max_length=20, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    # Derived from the ID's address code when it lies in our regions; None = outside the city.
    region = models.ForeignKey(
        "org.Region",
        verbose_name="所属区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "自然人"
        verbose_name_plural = "自然人"
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id}）"

    @property
    def masked_id(self) -> str:
        return mask_resident_id(self.resident_id)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Organization(models.Model):
    """A legal person or other organisation (法人), keyed by its unified social credit code."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", "企业法人"
        INSTITUTION = "institution", "事业法人"
        SOCIAL = "social", "社会组织法人"
        UNINCORPORATED = "unincorporated", "非法人企业"
        AUTHORITY = "authority", "行政机关"
        OTHER = "other", "其他组织"

    name = models.CharField("名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    kind = models.CharField("主体类型", max_length=20, choices=Kind.choices)
    legal_representative = models.CharField("法定代表人（负责人）", max_length=50)
    legal_representative_id = models.CharField("法定代表人身份号码", max_length=18, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("住所", max_length=200, blank=True)
    region = models.ForeignKey(
        "org.Region",
        verbose_name="登记区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "法人及其他组织"
        verbose_name_plural = "法人及其他组织"
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.name


class ApplicantAccount(models.Model):
    """Links a login to the person who holds it and, for an enterprise account, the organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="账户", on_delete=models.CASCADE, related_name="applicant"
    )
    person = models.ForeignKey(
        Person, verbose_name="本人/经办人", on_delete=models.PROTECT, related_name="accounts"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="所代表的法人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    created_at = models.DateTimeField("开户时间", auto_now_add=True)

    class Meta:
        verbose_name = "办事账户"
        verbose_name_plural = "办事账户"

    def __str__(self) -> str:
        return f"{self.organization or self.person.name}"

    @property
    def is_legal(self) -> bool:
        return self.organization_id is not None


class Mandate(models.Model):
    """An organisation's authorisation of an agent (经办人授权): who may act for it, on what, until when.

    A mandate is active from ``valid_from`` through ``valid_until`` (open-ended when empty)
    unless revoked. The database keeps at most one unrevoked mandate per organisation and
    agent; an expired one is closed when a new one is granted.
    """

    organization = models.ForeignKey(
        Organization, verbose_name="授权单位", on_delete=models.PROTECT, related_name="mandates"
    )
    agent = models.ForeignKey(
        Person, verbose_name="经办人", on_delete=models.PROTECT, related_name="mandates"
    )
    granted_by = models.CharField("授权人（法定代表人）", max_length=50)
    scope = models.CharField("授权范围", max_length=500, default="全部事项")
    valid_from = models.DateField("授权起始日")
    valid_until = models.DateField("授权截止日", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    ALL_ITEMS = "全部事项"

    class Meta:
        verbose_name = "经办人授权"
        verbose_name_plural = "经办人授权"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "agent"],
                condition=models.Q(revoked_at__isnull=True),
                name="registry_mandate_one_open_per_agent",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="registry_mandate_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.agent.name}"

    def is_active(self, on) -> bool:
        return (
            self.revoked_at is None
            and self.valid_from <= on
            and (self.valid_until is None or self.valid_until >= on)
        )

    @property
    def item_codes(self) -> list[str]:
        """The item codes of a limited mandate ([] for 全部事项)."""
        if self.scope.strip() == self.ALL_ITEMS:
            return []
        return [c for c in self.scope.replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if c]
