from django.contrib import admin

from units.access import can_enter_admin_site


class GovinfoAdminSite(admin.AdminSite):
    site_header = "政务信息报送系统 · 管理后台"
    site_title = "govinfo 管理后台"
    index_title = "系统管理"

    def has_permission(self, request) -> bool:
        # The three administrators (三员) hold their role in their unit; Django's is_staff
        # flag is not used, so a role change takes effect at once. Each model's admin
        # decides which of the three sees it.
        return can_enter_admin_site(request.user)
