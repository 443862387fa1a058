"""Celery tasks that plan and apply an uploaded directory, reporting progress."""

import logging

from celery import shared_task

from audit import context

from ..models import User
from . import jobs
from .apply import DirectoryRefused, apply_directory
from .parse import DirectoryFileError, parse_workbook
from .plan import REFUSED, UNCHANGED, build_plan

log = logging.getLogger(__name__)


class _ImporterRequest:
    """Stands for the upload request in the audit record: the task acts as the
    administrator who uploaded the file, from the address they uploaded it from."""

    def __init__(self, user: User, ip: str | None, path: str):
        self.user = user
        self.META = {"REMOTE_ADDR": ip or ""}
        self.path = path


def _importer(state: dict) -> User | None:
    return User.objects.filter(pk=state.get("owner"), is_active=True).first()


def _parse(token: str):
    with jobs.file_path(token).open("rb") as fh:
        return parse_workbook(fh)


@shared_task(name="units.plan_directory_import")
def plan_directory_import(token: str) -> str:
    """Read the upload and store the preview. Safe to run twice: it only reads."""
    state = jobs.load(token)
    if state is None:
        return "gone"
    importer = _importer(state)
    try:
        parsed = _parse(token)
        plan = build_plan(parsed, importer=importer)
    except DirectoryFileError as exc:
        jobs.discard_file(token)
        jobs.update(token, state=jobs.FAILED, error=str(exc))
        return "refused"
    except FileNotFoundError:
        jobs.update(token, state=jobs.FAILED, error="上传的文件已失效，请重新上传。")
        return "gone"
    rows = [r.as_dict() for r in (*plan.units, *plan.people)]
    rows.sort(key=lambda r: (r["action"] != REFUSED, r["action"] == UNCHANGED))
    jobs.update(
        token,
        state=jobs.PLANNED,
        counts=plan.counts(),
        rows=[r for r in rows if r["action"] != UNCHANGED],
        refused=len(plan.refused),
        changes_anything=plan.changes_anything,
    )
    return "planned"


@shared_task(name="units.apply_directory_import")
def apply_directory_import(token: str, valid_only: bool) -> str:
    """Apply the upload in one transaction; the outcome and passwords go to the cache.

    Delivered twice, the second run finds the state APPLIED and does nothing."""
    state = jobs.load(token)
    if state is None or state.get("state") != jobs.APPLYING:
        return "skipped"
    importer = _importer(state)
    if importer is None:
        jobs.update(token, state=jobs.FAILED, error="导入人的账号已停用，没有导入任何内容。")
        return "failed"

    def progress(done: int, total: int) -> None:
        jobs.update(token, done=done, total=total)

    stand_in = _ImporterRequest(importer, state.get("ip"), f"/units/directory/import/{token}/apply/")
    token_ctx = context.enter(context.Context(request=stand_in))
    try:
        result = apply_directory(parsed=_parse(token), importer=importer, valid_only=valid_only, progress=progress)
    except DirectoryRefused as exc:
        jobs.update(token, state=jobs.FAILED, error=f"{exc} 系统中的数据在预览之后有了变化，请重新上传预览。")
        return "refused"
    except (DirectoryFileError, FileNotFoundError) as exc:
        jobs.update(token, state=jobs.FAILED, error=str(exc) or "上传的文件已失效，请重新上传。")
        return "failed"
    except Exception:
        log.exception("directory import %s failed", token)
        jobs.update(token, state=jobs.FAILED, error="导入出错，没有写入任何内容。请稍后重试或联系运维人员。")
        raise
    finally:
        context.leave(token_ctx)
    jobs.keep_passwords(token, [p.__dict__ for p in result.passwords])
    jobs.discard_file(token)
    jobs.update(
        token,
        state=jobs.APPLIED,
        applied_counts=result.counts,
        skipped=result.skipped,
        emailed=len(result.emailed),
        new_passwords=len(result.passwords),
        changed_anything=result.changed_anything,
    )
    return "applied"
