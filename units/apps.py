from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = "单位与人员"

    def ready(self) -> None:
        import audit

        # signals end API tokens with the login they stand for.
        from . import access, reads, signals  # noqa: F401
        from .models import AssessmentClass, PasswordPolicy, Role, RoleGrant, Unit, User

        # Every change to units, people and roles goes into the audit record.
        roles = dict(Role.choices)

        def grant_repr(grant: RoleGrant) -> str:
            user = audit.cached(grant, "user")
            who = (
                user.username
                if user is not None
                else User.objects.filter(pk=grant.user_id).values_list("username", flat=True).first()
            )
            return f"{who}·{roles.get(grant.role, grant.role)}"

        audit.register(Unit, exclude=("path", "depth", "order_key"), unit=lambda u: u.pk)
        audit.register(
            User,
            exclude=("last_login",),
            secret=("password",),
            unit=lambda u: u.unit_id,
            describe=lambda u: f"{u.full_name}（{u.username}）" if u.full_name else u.username,
        )
        audit.register(RoleGrant, exclude=("granted_at",), unit=lambda g: g.unit_id, describe=grant_repr)
        audit.register(AssessmentClass)
        audit.register_actions({"two_factor_enabled": "启用两步验证", "two_factor_reset": "重置两步验证"})
        audit.register(PasswordPolicy)
        # Sign-in events and the reads that matter (GB/T 22239 8.1.4.1, 8.1.4.3).
        audit.register_actions(
            {
                "login": "登录",
                "login_failed": "登录失败",
                "logout": "退出登录",
                "session_expired": "登录超时",
                "password_changed": "修改密码",
                "password_reset": "管理员设置密码",
                "two_factor_verified": "两步验证通过",
                "two_factor_failed": "两步验证失败",
                "account_locked": "账号锁定",
                "account_unlocked": "解除锁定",
                "account_disabled_inactive": "停用闲置账号",
                "role_proposed": "提出角色变更",
                "role_approved": "批准角色变更",
                "role_refused": "拒绝角色变更",
                "admins_bootstrapped": "创建三员初始账号",
                "password_reset_one_time": "重置为一次性密码",
                "superuser_refused": "超级用户登录被拒（生产环境）",
                **reads.ACTIONS,
            }
        )

        # audit must not import units (units imports audit): it learns from here who may
        # read the record and which units make up a person's scope.
        audit.set_scope(
            can_read=access.reads_audit,
            reads_all=access.reads_whole_audit,
            watched_actors=access.watched_administrators,
            administered_units=access.audit_units,
            subtree=lambda unit: Unit.objects.descendants_of(unit, include_self=True),
        )
