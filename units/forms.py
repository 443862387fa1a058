from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from .demo_guard import DEMO_LOGIN_REFUSED, refuses_login


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。注意区分大小写。",
        "inactive": "该账号已停用，请联系管理员。",
    }

    def clean(self):
        # Said plainly rather than as a wrong password: the name is a published demo login.
        if refuses_login(self.cleaned_data.get("username")):
            raise ValidationError(DEMO_LOGIN_REFUSED, code="demo_login")
        return super().clean()
