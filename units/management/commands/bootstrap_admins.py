"""Create the first three administrators of an installation (三员分立).

    manage.py bootstrap_admins [--unit 代码或编号] [--prefix prov]

In production nobody can sign in as the Django superuser, and a role grant needs a
security administrator's approval — which needs a security administrator. This command
is the way out of that circle: it gives the unit (by default the top unit) a system
administrator, a security administrator and an auditor, each with a one-time password
printed once, to be changed at the first sign-in, and a second factor to set up then.
A role already held in the unit is left alone, so running it twice creates nothing more.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

import audit
from units.models import ADMIN_DUTIES, Role, RoleGrant, Unit, User
from units.security import one_time_password

SUFFIXES = {Role.SYSTEM_ADMIN: "sysadmin", Role.SECURITY_ADMIN: "secadmin", Role.AUDITOR: "auditor"}


class Command(BaseCommand):
    help = "为单位（默认最上级单位）创建系统管理员、安全管理员、安全审计员三个初始账号，密码一次性，首次登录须修改。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="单位代码或编号（默认：唯一的最上级单位）")
        parser.add_argument("--prefix", default="", help="用户名前缀，如 prov → prov_sysadmin")

    def _unit(self, ref: str | None) -> Unit:
        if ref:
            unit = Unit.objects.filter(code=ref).first()
            if unit is None and ref.isdigit():
                unit = Unit.objects.filter(pk=int(ref)).first()
            if unit is None:
                raise CommandError(f"没有代码或编号为“{ref}”的单位。")
            return unit
        roots = list(Unit.objects.filter(parent=None)[:2])
        if len(roots) != 1:
            raise CommandError("最上级单位不止一个（或还没有单位）：请用 --unit 指定。")
        return roots[0]

    @transaction.atomic
    def handle(self, *args, unit=None, prefix="", **options):
        from units.actions import set_roles

        unit = self._unit(unit)
        held = set(RoleGrant.objects.filter(unit=unit, role__in=ADMIN_DUTIES).values_list("role", flat=True))
        labels = dict(Role.choices)
        created = []
        for role in ADMIN_DUTIES:
            if role in held:
                self.stdout.write(f"{labels[role]}：{unit.name} 已有，未创建。")
                continue
            username = f"{prefix}_{SUFFIXES[role]}" if prefix else SUFFIXES[role]
            if User.objects.filter(username=username).exists():
                raise CommandError(f"用户名“{username}”已被占用：请用 --prefix 换一个前缀。")
            password = one_time_password()
            person = User(username=username, full_name=f"{unit.display_name}{labels[role]}", unit=unit)
            person.set_password(password)
            person.must_change_password = True
            person.save()
            User.objects.filter(pk=person.pk).update(must_change_password=True)
            # Set-up: nobody is there yet to approve (units/grants.py).
            set_roles(user=person, roles=[role])
            created.append((labels[role], username, password))
        if created:
            audit.record(
                action="admins_bootstrapped", obj=unit, actor=None,
                changes={label: [None, username] for label, username, _ in created},
            )  # fmt: skip
            self.stdout.write(f"已为 {unit.name} 创建（一次性密码只显示这一次，首次登录须修改密码并绑定两步验证）：")
            for label, username, password in created:
                self.stdout.write(f"  {label}  {username}  {password}")
        else:
            self.stdout.write("三员账号都已存在，没有创建新账号。")
