from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        # Celery tasks act as the system, even when run eagerly inside a request.
        from celery import signals

        from . import context

        tokens: dict[str, object] = {}

        def enter_task(task_id=None, **kwargs) -> None:
            tokens[task_id] = context.enter(context.SYSTEM)

        def leave_task(task_id=None, **kwargs) -> None:
            token = tokens.pop(task_id, None)
            if token is not None:
                context.leave(token)

        signals.task_prerun.connect(enter_task, weak=False, dispatch_uid="audit.task_prerun")
        signals.task_postrun.connect(leave_task, weak=False, dispatch_uid="audit.task_postrun")

        from . import verification  # noqa: F401  (registers the audit.verify_chains task)
        from .registry import register_actions

        register_actions({"audit_verify": "校验防篡改链", "audit_verify_requested": "请求校验防篡改链"})
