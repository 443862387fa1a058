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
