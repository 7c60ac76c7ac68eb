from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .forms import LoginForm


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
