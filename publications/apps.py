from django.apps import AppConfig


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = "刊物"

    def ready(self) -> None:
        from submissions.panels import register

        from .instructions.views import instruction_panel
        from .views import item_panel

        register(item_panel)
        register(instruction_panel)

        from . import item_panels

        register(item_panels.upper_instructions_panel)

        # Results upstairs flow back to the unit a forwarded item came from.
        from . import flow_back, signals

        signals.adoption_made.connect(flow_back.on_adoption_made, dispatch_uid="publications.flow_back_adoption")

        # Each signed issue gets its PDF from a task once the sign-off has committed.
        from .tasks import queue_pdf_after_sign_off

        signals.issue_signed.connect(queue_pdf_after_sign_off, dispatch_uid="publications.issue_pdf")

        # The audit record: publications, their distribution, adoptions and issues.
        import audit
        from submissions.sealing import is_sealed, unseal

        from .models import Adoption, Issue, Publication, Recipient

        def issue_repr(issue: Issue) -> str:
            publication = audit.cached(issue, "publication")
            return f"{publication.name if publication else '期刊'}{issue.label}"

        office = audit.unit_via("publication", "office_id")
        audit.register(Publication, unit=lambda p: p.office_id)
        audit.register(Recipient, unit=office)
        audit.register(
            Issue,
            exclude=("docx",),
            unit=office,
            describe=issue_repr,
            actions={
                "sign_off_issue": "签发",
                "reorder": "调整顺序",
                "recompile_note": "重新生成正文",
                "send_issue_for_signoff": "送签",
                "take_back_issue": "撤回送签或退回编辑",
            },
        )
        audit.register(
            Adoption,
            sealed=("title", "body"),
            is_sealed=is_sealed,
            unseal=unseal,
            unit=office,
            describe=lambda a: "（敏感信息）" if is_sealed(a.title) else a.title,
            actions={"add_to_issue": "编入本期", "remove_from_issue": "移出本期", "withdraw_adoption": "撤销采用记录"},
        )
