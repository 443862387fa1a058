from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "考核计分"

    def ready(self) -> None:
        # Points are written by the hooks of the acts that earn them, in their transaction.
        from publications import signals
        from submissions import signals as item_signals

        from . import receivers

        signals.adoption_made.connect(receivers.on_adoption_made, dispatch_uid="scoring.adoption_made")
        signals.adoption_withdrawn.connect(receivers.on_adoption_withdrawn, dispatch_uid="scoring.adoption_withdrawn")
        signals.external_adoption_recorded.connect(
            receivers.on_external_adoption, dispatch_uid="scoring.external_adoption"
        )
        signals.instruction_made.connect(receivers.on_instruction_made, dispatch_uid="scoring.instruction_made")
        item_signals.penalty_due.connect(receivers.on_penalty_due, dispatch_uid="scoring.penalty_due")

        # The item page shows its writer what each adoption and instruction earned.
        from submissions import panels

        from . import item_panel

        if item_panel.points_panel not in panels.ITEM_PANELS:
            panels.register(item_panel.points_panel)

        # The audit record: schemes, their quotas and rules (edited in admin).
        import audit

        from . import models

        audit.register(models.Scheme, unit=lambda scheme: scheme.office_id)
        office = audit.unit_via("scheme", "office_id")
        rules = ["SchemeUnit", "QuotaRule", "PublicationRule", "InstructionRule", "HigherAdoptionRule",
                 "PenaltyRule", "AwardTier", "UpperAdoptionRule"]  # fmt: skip
        for name in rules:
            audit.register(getattr(models, name), unit=office)
        # Appeals and their decisions are part of how a year's result came about.
        audit.register(models.Appeal, unit=office)

        def attachment_office(attachment):
            appeals = models.Appeal.objects.filter(pk=attachment.appeal_id)
            return appeals.values_list("scheme__office_id", flat=True).first()

        audit.register(models.AppealAttachment, unit=attachment_office)
