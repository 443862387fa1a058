from django.contrib import admin

from units.access import can_use_admin


class GovinfoAdminSite(admin.AdminSite):
    site_header = "政务信息报送系统 · 管理后台"
    site_title = "govinfo 管理后台"
    index_title = "系统管理"

    def has_permission(self, request) -> bool:
        # Administrators hold the admin role in their unit; Django's is_staff flag
        # is not used, so a role change takes effect at once.
        return can_use_admin(request.user)
