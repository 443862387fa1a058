from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = "信息报送"

    def ready(self) -> None:
        # Emergencies react to the ordinary item acts: a signed-off first report is timed
        # against the written deadline, a signed-off final report closes the case.
        from . import hooks, panels
        from .commissions.panels import commission_panel
        from .emergencies.actions import after_transition
        from .emergencies.panels import item_panel

        hooks.register(after_transition)
        for provider in (item_panel, commission_panel):
            if provider not in panels.ITEM_PANELS:
                panels.register(provider)

        # The audit record: 敏感 text is sealed, so it is recorded as changed, never by value.
        import audit

        from .models import EVENT_LABELS, Attachment, Confidentiality, Item
        from .sealing import is_sealed, seal, unseal

        def of_sensitive_item(attachment: Attachment) -> bool:
            item = audit.cached(attachment, "item")
            if item is not None:
                return item.is_sensitive
            level = Item.objects.filter(pk=attachment.item_id).values_list("confidentiality", flat=True).first()
            return level == Confidentiality.SENSITIVE

        def sensitive_items(ids: set[str]) -> set[str]:
            pks = [int(i) for i in ids if i.isdigit()]
            found = Item.objects.filter(pk__in=pks, confidentiality=Confidentiality.SENSITIVE)
            return {str(pk) for pk in found.values_list("pk", flat=True)}

        def of_sensitive_items(ids: set[str]) -> set[str]:
            pks = [int(i) for i in ids if i.isdigit()]
            found = Attachment.objects.filter(pk__in=pks, item__confidentiality=Confidentiality.SENSITIVE)
            return {str(pk) for pk in found.values_list("pk", flat=True)}

        # Any item may turn 敏感 while it is a draft or returned, and the record can never be
        # rewritten: so even an ordinary item's text and file names are recorded sealed, and
        # its entries are named by number; they are opened on reading only while the item
        # is not 敏感 (audit/reveal.py).
        audit.register(
            Item,
            sealed=("title", "body"),
            is_sealed=is_sealed,
            unseal=unseal,
            seal=seal,
            withheld=sensitive_items,
            m2m=("topics", "named_readers"),
            unit=lambda item: item.unit_id,
            describe=lambda item: "（敏感信息）" if item.is_sensitive or is_sealed(item.title) else f"信息 #{item.pk}",
            actions={**EVENT_LABELS, "edit": "修改信息"},
        )
        audit.register(
            Attachment,
            private=("original_name",),
            private_when=of_sensitive_item,
            is_sealed=is_sealed,
            unseal=unseal,
            seal=seal,
            withheld=of_sensitive_items,
            unit=audit.unit_via("item", "unit_id"),
            describe=lambda a: "（敏感信息附件）" if of_sensitive_item(a) else f"附件 #{a.pk}",
        )
