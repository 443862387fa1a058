from django.apps import AppConfig


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = "刊物"

    def ready(self) -> None:
        from submissions.panels import register

        from .instruction_views import instruction_panel
        from .views import item_panel

        register(item_panel)
        register(instruction_panel)
