from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = "信息报送"

    def ready(self) -> None:
        # Emergencies react to the ordinary item acts: a signed-off first report is timed
        # against the written deadline, a signed-off final report closes the case.
        from . import commissions, emergencies, hooks, panels

        hooks.register(emergencies.after_transition)
        for provider in (emergencies.item_panel, commissions.commission_panel):
            if provider not in panels.ITEM_PANELS:
                panels.register(provider)

        # The audit record: 敏感 text is sealed, so it is recorded as changed, never by value.
        import audit

        from .models import EVENT_LABELS, Attachment, Confidentiality, Item
        from .sealing import is_sealed, unseal

        def of_sensitive_item(attachment: Attachment) -> bool:
            item = audit.cached(attachment, "item")
            if item is not None:
                return item.is_sensitive
            level = Item.objects.filter(pk=attachment.item_id).values_list("confidentiality", flat=True).first()
            return level == Confidentiality.SENSITIVE

        audit.register(
            Item,
            sealed=("title", "body"),
            is_sealed=is_sealed,
            unseal=unseal,
            m2m=("topics", "named_readers"),
            unit=lambda item: item.unit_id,
            describe=lambda item: "（敏感信息）" if item.is_sensitive or is_sealed(item.title) else item.title,
            actions={**EVENT_LABELS, "edit": "修改信息"},
        )
        audit.register(
            Attachment,
            private=("original_name",),
            private_when=of_sensitive_item,
            unit=audit.unit_via("item", "unit_id"),
            describe=lambda a: "（敏感信息附件）" if of_sensitive_item(a) else a.original_name,
        )
