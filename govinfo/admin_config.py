from django.contrib.admin.apps import AdminConfig


class GovinfoAdminConfig(AdminConfig):
    default_site = "govinfo.admin_site.GovinfoAdminSite"
