"""The directory pages: template, export, upload → preview → apply with progress."""

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.context import client_ip
from common.downloads import file_response

from .. import access as unit_access
from ..reads import record_read
from . import access, jobs
from .exports import directory_xlsx
from .forms import UploadForm
from .parse import DirectoryFileError, check_archive
from .plan import ACTION_LABELS
from .queries import export_rows
from .tasks import apply_directory_import, plan_directory_import
from .template import template_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refuse(request):
    return render(request, "403.html", {"message": "通讯录导入仅对管理员开放。"}, status=403)


@require_http_methods(["GET", "POST"])
def directory_import(request):
    """Upload: the file is checked as an archive here (a bomb never reaches the worker),
    stored, and planned by a task whose progress the next page shows."""
    if not access.may_import(request.user):
        return _refuse(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_archive(upload)
        except DirectoryFileError as exc:
            form.add_error("file", str(exc))
        else:
            token = jobs.create(owner_id=request.user.pk, filename=upload.name, content=upload, ip=client_ip(request))
            plan_directory_import.delay_on_commit(token)
            return redirect("directory_import_job", token)
    return render(request, "units/directory_import.html", {"form": form})


@require_GET
def directory_template(request):
    """The empty template."""
    if not access.may_import(request.user):
        return _refuse(request)
    return file_response(template_xlsx(), filename="通讯录导入模板.xlsx", content_type=XLSX)


@require_GET
def directory_export(request):
    """The units and people this administrator manages, in the template."""
    if not access.may_import(request.user):
        return _refuse(request)
    units, people = export_rows(unit_access.administered_units(request.user))
    name = f"通讯录-{timezone.localdate():%Y%m%d}.xlsx"
    record_read("export", what=name)
    return file_response(directory_xlsx(units, people), filename=name, content_type=XLSX)


@require_GET
def directory_import_job(request, token: str):
    """Progress while a task runs (htmx polls the partial), then the preview or the outcome.
    The one-time passwords are shown on the first view of the outcome only."""
    state = access.get_import_for_user(request.user, token)
    context = {"token": token, "job": state, "labels": jobs.STATE_LABELS, "action_labels": ACTION_LABELS}
    if state["state"] in (jobs.PLANNING, jobs.APPLYING):
        template = "units/_directory_progress.html" if request.htmx else "units/directory_job.html"
        return render(request, template, context)
    if request.htmx:  # finished while polling: the whole page again
        response = render(request, "units/_directory_progress.html", context)
        response["HX-Refresh"] = "true"
        return response
    if state["state"] == jobs.PLANNED:
        context["page"] = Paginator(state.get("rows", []), 200).get_page(request.GET.get("page"))
        context["valid_changes"] = any(
            state["counts"][s][a] for s in ("units", "people") for a in ("create", "change", "disable")
        )
    if state["state"] == jobs.APPLIED:
        context["passwords"] = jobs.take_passwords(token)
    return render(request, "units/directory_job.html", context)


@require_POST
def directory_import_apply(request, token: str):
    """Confirm the preview: queue the apply (all rows, or the valid rows only)."""
    state = access.get_import_for_user(request.user, token)
    valid_only = request.POST.get("mode") == "valid"
    if state["state"] != jobs.PLANNED:
        messages.error(request, "该导入已经执行或已失效。")
        return redirect("directory_import_job", token)
    if state.get("refused") and not valid_only:
        messages.error(request, f"有 {state['refused']} 行未通过检查：请修正后重新上传，或选择“只导入通过检查的行”。")
        return redirect("directory_import_job", token)
    if not state.get("changes_anything"):
        messages.info(request, "文件与系统中的通讯录一致，没有需要修改的内容。")
        return redirect("directory_import_job", token)
    if not cache.add(f"directory-import:{token}:apply", 1, jobs.TTL):
        raise Http404  # a second click: the first one is already applying
    jobs.update(token, state=jobs.APPLYING, done=0, total=0, valid_only=valid_only)
    apply_directory_import.delay_on_commit(token, valid_only)
    return redirect("directory_import_job", token)
