from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import access, queries
from .models import Role, UnitKind


@require_GET
def directory(request):
    """The unit directory: the units an administrator manages, filtered and paginated."""
    if not access.can_use_admin(request.user):
        return render(request, "403.html", {"message": "单位目录仅对管理员开放。"}, status=403)
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    active = request.GET.get("active", "")
    units = queries.unit_directory(access.administered_units(request.user), q=q, kind=kind, active=active)
    page = Paginator(units.order_by("path"), 50).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "kind": kind, "active": active, "kinds": UnitKind.choices}
    return render(request, "units/directory.html", context)


@require_GET
def unit_detail(request, pk: int):
    """A unit's page for its administrators: place in the tree, units below, people."""
    unit = access.get_unit_for_admin(request.user, pk)
    context = {
        "unit": unit,
        "ancestors": unit.__class__.objects.ancestors_of(unit),
        "children": unit.children.order_by("sort_order", "name"),
        "members": queries.unit_members(unit),
        "role_labels": dict(Role.choices),
    }
    return render(request, "units/unit_detail.html", context)


@require_GET
def notifications(request):
    """The person's own notifications, newest first."""
    qs = request.user.notifications.all()
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "units/notifications.html", {"page": page})


@require_POST
def notifications_read(request):
    """Mark one notification (pk given) or all of the person's notifications as read."""
    qs = request.user.notifications.filter(read_at=None)
    pk = request.POST.get("pk", "")
    if pk:
        # One notification: a malformed id ("²" passes isdigit() alone) marks none.
        qs = qs.filter(pk=int(pk)) if pk.isascii() and pk.isdigit() and int(pk) < 2**63 else qs.none()
    qs.update(read_at=timezone.now())
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications")
