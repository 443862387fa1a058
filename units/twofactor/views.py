"""The two-factor pages: enter the code after the password, set up an authenticator,
and see or switch off one's own two-factor login."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from . import access, actions, provisioning
from .forms import CodeForm


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _to(name: str, request, next_url: str | None = None):
    return redirect(f"{reverse(name)}?{urlencode({'next': next_url or _next_url(request)})}")


@require_http_methods(["GET", "POST"])
def verify(request):
    """After the password: the code from the person's authenticator."""
    user = request.user
    device = access.confirmed_device(user)
    if device is None:
        return _to("two_factor_setup", request)
    if access.is_verified(user):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        result = actions.check_code(device, form.cleaned_data["code"])
        if result.ok:
            actions.mark_verified(request, device)
            return redirect(_next_url(request))
        form.add_error("code", result.message)
    return render(request, "units/twofactor/verify.html", {"form": form, "next": _next_url(request)})


@require_http_methods(["GET", "POST"])
def setup(request):
    """Bind an authenticator: scan the QR code (or type the secret), then enter a code
    to prove it works. A person who already has one must first pass it."""
    user = request.user
    existing = access.confirmed_device(user)
    if existing is not None and not access.is_verified(user):
        return _to("two_factor_verify", request)
    if existing is not None:
        messages.info(request, "两步验证已启用。如需更换手机，请联系管理员重置。")
        return redirect("two_factor")
    device = actions.pending_device(user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        result = actions.confirm_device(request=request, device=device, code=form.cleaned_data["code"])
        if result.ok:
            messages.success(request, "两步验证已启用。以后登录时，输入密码后还需输入身份验证器中的验证码。")
            return redirect(_next_url(request))
        form.add_error("code", result.message)
    context = {
        "form": form,
        "next": _next_url(request),
        "qr": provisioning.qr_code_data_uri(device),
        "secret": provisioning.secret_text(device),
        "required": access.role_requires_two_factor(user),
    }
    return render(request, "units/twofactor/setup.html", context)


@require_http_methods(["GET", "POST"])
def manage(request):
    """The "两步验证" page: whether it is on; those whose role does not require it may
    switch it off again with a current code."""
    user = request.user
    device = access.confirmed_device(user)
    required = access.role_requires_two_factor(user)
    if (device is not None or required) and not access.is_verified(user):
        return _to("two_factor_verify" if device else "two_factor_setup", request, reverse("two_factor"))
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if device is None or required:
            messages.error(request, "您的角色要求使用两步验证，不能关闭。" if required else "两步验证未启用。")
            return redirect("two_factor")
        if form.is_valid():
            result = actions.check_code(device, form.cleaned_data["code"])
            if result.ok:
                actions.reset_two_factor(user=user)
                messages.success(request, "两步验证已关闭。")
                return redirect("two_factor")
            form.add_error("code", result.message)
    return render(request, "units/twofactor/manage.html", {"device": device, "required": required, "form": form})
