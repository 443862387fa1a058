"""Print the current two-factor code of a person's authenticator: for the demo logins,
whose authenticators hold a published secret, and for trying the site without a phone."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from units.models import User
from units.twofactor.access import confirmed_device


class Command(BaseCommand):
    help = "显示某个账号当前的两步验证码（用于演示账号；生产环境不可用）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("生产环境不提供此命令：验证码只应出现在本人的手机上。")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的账号。")
        device = confirmed_device(user)
        if device is None:
            raise CommandError(f"{username} 尚未绑定身份验证器（未启用两步验证）。")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        code = f"{totp.token():0{device.digits}d}"
        left = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(code)
        self.stderr.write(f"{username} 的当前验证码，{left} 秒内有效；每个验证码只能使用一次，用过请等下一个。")
