from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = "单位与人员"

    def ready(self) -> None:
        from . import access  # noqa: F401  registers the rules permissions
