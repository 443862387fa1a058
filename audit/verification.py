"""The auditor runs the chain verification from the audit pages (admin → 审计记录 → 校验
防篡改链), not only from a shell: `manage.py audit_verify` in a Celery task.

Verifying a year of rows takes tens of seconds (34 s for 1,000,000 rows), too long for a
request: the page queues the task and lists the results, which the command records as
audit rows ("audit_verify", 校验一致 / 校验不符) — so a result is where the auditor reads
everything else, and a verification nobody may see cannot exist. The task only reads:
running it twice costs time, nothing else; a lost one is run again from the page.
"""

from __future__ import annotations

import contextlib
import io

from celery import shared_task
from django.core.management import call_command
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from . import queries, scope
from .recording import record


@shared_task(name="audit.verify_chains")
def verify_chains() -> str:
    """Run audit_verify; its own audit row holds the result. Returns the report text."""
    out = io.StringIO()
    with contextlib.suppress(SystemExit):  # a break: the command exits 1 after recording it
        call_command("audit_verify", stdout=out, stderr=io.StringIO(), verbosity=0)
    return out.getvalue()


def results_for(user, limit: int = 10):
    """The latest verification runs the auditor may read, newest first."""
    return queries.visible_entries(user).filter(action="audit_verify").order_by("-at", "-pk")[:limit]


def verify_view(model_admin, request):
    """GET: the latest results; POST: queue a verification. The chains are the whole
    installation's, and so are their results (rows of no unit): for the auditors of the
    top unit only."""
    if not (scope.reads_all(request.user) and queries.sees_everything(request.user)):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    if request.method == "POST":
        record(action="audit_verify_requested", model="audit.chain", object_id="", object_repr="请求校验防篡改链",
               unit=request.user.unit_id)  # fmt: skip
        transaction.on_commit(verify_chains.delay)
        from django.contrib import messages

        messages.success(request, "已开始校验审计记录和积分台账的防篡改链，完成后结果列在下面（数据多时需几分钟）。")
        return redirect("admin:audit_auditentry_verify")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "校验防篡改链",
        "results": results_for(request.user),
        "opts": model_admin.model._meta,
    }
    return TemplateResponse(request, "admin/audit/auditentry/verify.html", context)
