from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access, actions, handover, queries
from .directory import access as directory_access
from .directory.forms import HandOverForm, MoveForm
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
    page = Paginator(units.in_official_order(), 50).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "kind": kind, "active": active, "kinds": UnitKind.choices}
    return render(request, "units/directory.html", context)


@require_GET
def unit_detail(request, pk: int):
    """A unit's page for its administrators: place in the tree, units below, people."""
    unit = access.get_unit_for_admin(request.user, pk)
    context = {
        "unit": unit,
        "ancestors": unit.__class__.objects.ancestors_of(unit),
        "children": unit.children.in_official_order(),
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


def _person_page(request, pk: int, *, move: bool):
    """Moving a person to another unit, or recording that they left: the page lists the
    open work that will be handed over (the preview) and asks for the colleague; the
    POST of the same form does it. Administrators of the person's unit only."""
    person = directory_access.get_person_to_manage(request.user, pk)
    colleagues = directory_access.colleagues_of(person)
    # Offered first: the colleague the import, the directory and the API would choose.
    initial = {"colleague": handover.choose_colleague(person, person.unit)}
    if move:
        units = directory_access.units_to_move_into(request.user).exclude(pk=person.unit_id)
        form = MoveForm(request.POST or None, colleagues=colleagues, units=units,
                        initial=initial | {"roles": sorted(handover.carried_roles(person.role_set))})  # fmt: skip
    else:
        form = HandOverForm(request.POST or None, colleagues=colleagues, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if move:
                actions.move_person(person=person, unit=d["unit"], colleague=d["colleague"], actor=request.user,
                                    roles=d["roles"])  # fmt: skip
                messages.success(request, f"已将 {person.full_name or person.username} 调往{d['unit'].name}。")
            else:
                actions.deactivate_person(person=person, colleague=d["colleague"], actor=request.user)
                messages.success(request, f"已停用 {person.full_name or person.username} 的账号。")
            return redirect("unit_detail", pk=person.unit_id)
        except ValidationError as exc:
            form.add_error(None, exc)
    context = {"person": person, "form": form, "move": move, "work": handover.open_work(person, person.unit)}
    return render(request, "units/person_change.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def person_move(request, pk: int):
    return _person_page(request, pk, move=True)


@require_http_methods(["GET", "POST"])
def person_leave(request, pk: int):
    return _person_page(request, pk, move=False)
