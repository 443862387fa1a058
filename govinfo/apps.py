from django.apps import AppConfig


class GovinfoConfig(AppConfig):
    name = "govinfo"
    verbose_name = "系统"
