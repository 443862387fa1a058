from django.apps import AppConfig


class GovinfoConfig(AppConfig):
    name = "govinfo"
    verbose_name = "系统"

    def ready(self) -> None:
        from .middleware import sessions  # noqa: F401  stamps the login time on every login
