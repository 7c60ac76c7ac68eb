from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

import banhao.registry.api as registry_api
from banhao.core.masking import mask_phone

from . import services, throttle
from .forms import AddressForm, LoginForm, PhoneForm, RegisterForm, SmsCodeForm
from .sms_codes import Purpose, sms_code_send, sms_code_status, ttl_minutes


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return str(reverse_lazy("portal:workbench"))


@never_cache
@csrf_protect
@sensitive_post_parameters("password")
def login_view(request):
    if request.method == "POST":
        form = LoginForm(request, data=request.POST)
        if form.is_valid():
            login(request, form.user)
            return redirect(_safe_next(request))
        status = 429 if form.has_error("__all__", "locked") else 200
    else:
        form = LoginForm(request)
        status = 200
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}, status=status
    )


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("portal:home")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("portal:workbench")

    def form_valid(self, form):
        messages.success(self.request, "密码已修改。")
        return super().form_valid(form)


# --- applicants: registration, SMS sign-in, profile -------------------------------------

REGISTER_PHONE = "bh_register_phone"
LOGIN_PHONE = "bh_sms_login_phone"
NEW_PHONE = "bh_profile_new_phone"
_APPLICANT_BACKEND = "banhao.accounts.backends.UsernameOrPhoneBackend"


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _send_code(form: PhoneForm | None, phone: str, purpose: str, request) -> tuple[bool, int]:
    """Texts a code; a throttle refusal goes on the form (or into messages). Returns (sent, status)."""
    try:
        sms_code_send(phone=phone, purpose=purpose, ip=_ip(request))
    except ValidationError as e:
        if form is not None:
            form.add_error("phone", e)
        else:
            for m in e.messages:
                messages.error(request, m)
        return False, 429
    return True, 200


def _code_context(phone: str, purpose: str) -> dict:
    return {"phone_masked": mask_phone(phone), "status": sms_code_status(phone=phone, purpose=purpose)}


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@never_cache
@csrf_protect
@sensitive_post_parameters("password1", "password2", "code")
def register_view(request):
    """Applicant registration: mobile → SMS code → name, resident ID, password → signed in."""
    if request.user.is_authenticated:
        return redirect("portal:workbench")
    phone = request.session.get(REGISTER_PHONE)
    action = request.POST.get("action", "")
    status = 200
    phone_form = form = None

    if request.method == "POST" and action == "change_phone":
        request.session.pop(REGISTER_PHONE, None)
        return redirect("accounts:register")

    if request.method == "POST" and action == "send":
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            new_phone = phone_form.cleaned_data["phone"]
            if services.phone_registered(new_phone):
                phone_form.add_error("phone", "该手机号码已注册办事账户，请直接登录。")
            else:
                sent, status = _send_code(phone_form, new_phone, Purpose.REGISTER, request)
                if sent:
                    request.session[REGISTER_PHONE] = new_phone
                    return redirect("accounts:register")
    elif request.method == "POST" and not phone:
        messages.warning(
            request, "页面已过期，请重新填写手机号码并获取验证码。如刚才已注册成功，请直接登录。"
        )
        return redirect("accounts:register")
    elif request.method == "POST" and action == "resend":
        # Keeps what was typed (passwords aside) and texts a new code: the way to extend the time.
        form = RegisterForm(
            phone=phone, initial={k: request.POST.get(k, "") for k in ("name", "resident_id")}
        )
        sent, status = _send_code(None, phone, Purpose.REGISTER, request)
        if sent:
            messages.success(request, "新的验证码已发送，之前的验证码不再有效。")
    elif request.method == "POST":
        form = RegisterForm(request.POST, phone=phone)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.applicant_register(
                    phone=phone,
                    code=data["code"],
                    name=data["name"],
                    resident_id=data["resident_id"],
                    password=data["password1"],
                )
            except ValidationError as e:
                _apply_errors(form, e)
            else:
                request.session.pop(REGISTER_PHONE, None)
                login(request, user, backend=_APPLICANT_BACKEND)
                messages.success(request, "注册成功，您已登录。以后可用手机号码加密码或短信验证码登录。")
                return redirect("portal:workbench")

    if phone and phone_form is None:
        form = form or RegisterForm(phone=phone)
        context = {"step": 2, "form": form, **_code_context(phone, Purpose.REGISTER)}
    else:
        context = {"step": 1, "form": phone_form or PhoneForm()}
    context["ttl_minutes"] = ttl_minutes()
    return render(request, "accounts/register.html", context, status=status)


@never_cache
@csrf_protect
@sensitive_post_parameters("code")
def login_sms_view(request):
    """Applicants sign in with their mobile and a texted code (staff use their password)."""
    phone = request.session.get(LOGIN_PHONE)
    action = request.POST.get("action", "")
    next_url = request.POST.get("next") or request.GET.get("next", "")
    status = 200
    phone_form = form = None

    def again():
        target = reverse("accounts:login_sms")
        return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)

    if request.method == "POST" and action == "change_phone":
        request.session.pop(LOGIN_PHONE, None)
        return again()

    if request.method == "POST" and action == "send":
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            new_phone = phone_form.cleaned_data["phone"]
            if throttle.is_locked(new_phone, _ip(request)):
                phone_form.add_error("phone", throttle.lock_message())
                status = 429
            elif services.applicant_user_for_phone(new_phone) is None:
                phone_form.add_error(
                    "phone", "该手机号码尚未注册办事账户，请先注册。工作人员请使用账号和密码登录。"
                )
            else:
                sent, status = _send_code(phone_form, new_phone, Purpose.LOGIN, request)
                if sent:
                    request.session[LOGIN_PHONE] = new_phone
                    return again()
    elif request.method == "POST" and not phone:
        messages.warning(request, "页面已过期，请重新填写手机号码并获取验证码。")
        return again()
    elif request.method == "POST" and action == "resend":
        form = SmsCodeForm()
        if throttle.is_locked(phone, _ip(request)):
            messages.error(request, throttle.lock_message())
            status = 429
        else:
            sent, status = _send_code(None, phone, Purpose.LOGIN, request)
            if sent:
                messages.success(request, "新的验证码已发送，之前的验证码不再有效。")
    elif request.method == "POST":
        form = SmsCodeForm(request.POST)
        if form.is_valid():
            try:
                user = services.applicant_sms_login(
                    phone=phone, code=form.cleaned_data["code"], ip=_ip(request)
                )
            except ValidationError as e:
                form.add_error(None, e)
                if e.code == "locked":
                    status = 429
            else:
                request.session.pop(LOGIN_PHONE, None)
                login(request, user, backend=_APPLICANT_BACKEND)
                return redirect(_safe_next(request))

    if phone and phone_form is None:
        context = {"step": 2, "form": form or SmsCodeForm(), **_code_context(phone, Purpose.LOGIN)}
    else:
        context = {"step": 1, "form": phone_form or PhoneForm()}
    context.update({"next": next_url, "ttl_minutes": ttl_minutes()})
    return render(request, "accounts/login_sms.html", context, status=status)


@never_cache
@login_required
@sensitive_post_parameters("code")
def profile_view(request):
    """The applicant's own record from the registry (ID masked); address and mobile can change."""
    profile = registry_api.applicant_profile(request.user)
    if profile is None:
        raise PermissionDenied("个人资料仅适用于办事群众和企业的办事账户。")
    action = request.POST.get("action", "")
    new_phone = request.session.get(NEW_PHONE)
    status = 200
    address_form = AddressForm(initial={"address": profile.address})
    phone_form = PhoneForm(label="新手机号码")
    code_form = SmsCodeForm()

    if request.method == "POST" and action == "address":
        address_form = AddressForm(request.POST)
        if address_form.is_valid():
            registry_api.applicant_update_contact(request.user, address=address_form.cleaned_data["address"])
            messages.success(request, "联系地址已保存。")
            return redirect("accounts:profile")
    elif request.method == "POST" and action == "phone_cancel":
        request.session.pop(NEW_PHONE, None)
        return redirect("accounts:profile")
    elif request.method == "POST" and action == "phone_send":
        phone_form = PhoneForm(request.POST, label="新手机号码")
        if phone_form.is_valid():
            candidate = phone_form.cleaned_data["phone"]
            if candidate == request.user.phone:
                phone_form.add_error("phone", "新手机号码与当前号码相同。")
            elif services.phone_registered(candidate):
                phone_form.add_error("phone", "该手机号码已注册其他办事账户。")
            else:
                sent, status = _send_code(phone_form, candidate, Purpose.PHONE, request)
                if sent:
                    request.session[NEW_PHONE] = candidate
                    return redirect("accounts:profile")
    elif request.method == "POST" and action == "phone_resend" and new_phone:
        sent, status = _send_code(None, new_phone, Purpose.PHONE, request)
        if sent:
            messages.success(request, "新的验证码已发送，之前的验证码不再有效。")
    elif request.method == "POST" and action == "phone_change" and new_phone:
        code_form = SmsCodeForm(request.POST)
        if code_form.is_valid():
            try:
                services.applicant_phone_change(
                    user=request.user, phone=new_phone, code=code_form.cleaned_data["code"]
                )
            except ValidationError as e:
                _apply_errors(code_form, e)
            else:
                request.session.pop(NEW_PHONE, None)
                messages.success(request, "手机号码已更换，请以后使用新号码登录。")
                return redirect("accounts:profile")
    elif request.method == "POST":
        return redirect("accounts:profile")

    context = {
        "profile": profile,
        "address_form": address_form,
        "phone_form": phone_form,
        "code_form": code_form,
        "new_phone": new_phone,
        "ttl_minutes": ttl_minutes(),
    }
    if new_phone:
        context.update(_code_context(new_phone, Purpose.PHONE))
    return render(request, "accounts/profile.html", context, status=status)
