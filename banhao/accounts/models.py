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
