from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from govinfo.demo import DEMO_TOTP_SECRET, load_demo


class Command(BaseCommand):
    help = "建立演示省份数据（可重复运行，不会重复创建）。"

    def handle(self, *args, **options) -> None:
        if settings.GOVINFO_ENV == "production":
            raise CommandError("生产环境不能加载演示数据（演示账号和演示身份验证器密钥是公开的）。")
        logins = load_demo(settings.DEMO_PASSWORD)
        created = [login for login in logins if login.created]
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪：新建账号 {len(created)} 个。"))
        self.stdout.write("演示账号（用户名 · 单位 · 角色）：")
        for login in logins:
            self.stdout.write(f"  {login.username:<14} {login.unit} · {login.role}")
        if created:
            self.stdout.write(f"新建账号的密码：{settings.DEMO_PASSWORD}（请登录后修改）")
        else:
            self.stdout.write("账号均已存在，密码未被重置。")
        self.stdout.write(
            f"编辑、签发人、管理员登录时还须输入两步验证码：演示身份验证器密钥为 {DEMO_TOTP_SECRET}"
            "（可添加到手机身份验证器），或运行 python manage.py totp <用户名> 查看当前验证码。"
        )
