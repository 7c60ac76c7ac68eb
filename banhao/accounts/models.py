"""Login accounts for staff and applicants, and the record of login attempts."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from banhao.core.masking import mask_text


class User(AbstractUser):
    class Kind(models.TextChoices):
        STAFF = "staff", "工作人员"
        APPLICANT = "applicant", "办事群众/企业"

    kind = models.CharField("账户类型", max_length=10, choices=Kind.choices, default=Kind.APPLICANT)
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号码", max_length=20, blank=True, db_index=True)

    class Meta:
        verbose_name = "账户"
        verbose_name_plural = "账户"
        constraints = [
            # Applicants sign in with their mobile number, so it must identify one account.
            models.UniqueConstraint(
                fields=["phone"],
                condition=models.Q(kind="applicant") & ~models.Q(phone=""),
                name="accounts_user_unique_applicant_phone",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_applicant(self) -> bool:
        return self.kind == self.Kind.APPLICANT


class LoginAttempt(models.Model):
    """Each login try: the lock-out counts recent failures per account and per address."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    username = models.CharField("登录名", max_length=150, db_index=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True, db_index=True)
    success = models.BooleanField("成功", default=False)

    class Meta:
        verbose_name = "登录记录"
        verbose_name_plural = "登录记录"
        ordering = ["-at"]
        indexes = [models.Index(fields=["username", "at"]), models.Index(fields=["ip", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.masked_username} {'成功' if self.success else '失败'}"

    @property
    def masked_username(self) -> str:
        """The typed name with any mobile or resident ID in it masked (for the admin's pages)."""
        return mask_text(self.username)


class SmsCode(models.Model):
    """A one-time code sent by SMS. Only a keyed, salted hash of the code is stored."""

    class Purpose(models.TextChoices):
        LOGIN = "login", "短信登录"
        REGISTER = "register", "注册账户"
        PHONE = "phone", "更换手机号码"

    phone = models.CharField("手机号码", max_length=20)
    purpose = models.CharField("用途", max_length=10, choices=Purpose.choices)
    salt = models.CharField("盐值", max_length=32)
    code_hash = models.CharField("验证码摘要", max_length=128)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    created_at = models.DateTimeField("发送时间")
    expires_at = models.DateTimeField("失效时间")
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phone", "created_at"], name="accounts_sms_phone_at"),
            models.Index(fields=["ip", "created_at"], name="accounts_sms_ip_at"),
        ]

    def __str__(self) -> str:
        from banhao.core.masking import mask_phone

        return f"{mask_phone(self.phone)} {self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M:%S}"


class ApiClient(models.Model):
    """Another system (the provincial platform, the 12345 system, a partner department) calling
    the API with a bearer token. It acts as its service account: that staff account's role and
    region give the data scope; ``scopes`` further limit which endpoints it may call.

    Only a digest of the token is kept: the token itself is shown once, at creation or rotation.
    """

    name = models.CharField("名称", max_length=100)
    organisation = models.CharField("所属单位", max_length=100)
    user = models.ForeignKey(
        User,
        verbose_name="服务账户",
        on_delete=models.PROTECT,
        related_name="api_clients",
        limit_choices_to={"kind": "staff"},
        help_text="外部系统以此工作人员账户的角色和数据范围调用接口。",
    )
    scopes = models.JSONField("接口权限", default=list, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField("每分钟调用上限", default=60)
    active = models.BooleanField("启用", default=True)
    token_prefix = models.CharField("令牌前缀", max_length=12, editable=False, db_index=True)
    token_hash = models.CharField("令牌摘要", max_length=64, editable=False, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近调用", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation}）"

    @property
    def audit_region_id(self) -> int | None:
        staff = getattr(self.user, "staff", None)
        return staff.region_id if staff is not None else None


class ApiCall(models.Model):
    """One call made with a bearer token (append-only; the token itself is never stored).
    ``client`` is empty for a token that matched no client."""

    client = models.ForeignKey(
        ApiClient,
        verbose_name="客户端",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
    )
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    method = models.CharField("方法", max_length=10)
    path = models.CharField("接口", max_length=300)
    status = models.PositiveSmallIntegerField("状态码")
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)

    class Meta:
        verbose_name = "接口调用记录"
        verbose_name_plural = "接口调用记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
