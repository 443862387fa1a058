"""The password policy (GB/T 22239 8.1.4.1) through the pages a person and an
administrator use: the rules with their Chinese messages, the history, the expiry, the
change forced after an administrator set the password, and the policy in the admin."""

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from tests.factories import PASSWORD, UserFactory
from units.models import PasswordHistory, PasswordPolicy, Role, User

pytestmark = pytest.mark.django_db

GOOD = "Quiet-River-2031"


def change(client, old: str, new: str):
    return client.post(
        reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new}, follow=True
    )


def messages_for(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def test_each_rule_has_its_own_chinese_message(writer):
    assert messages_for("Ab1-xyz", writer) == ["密码太短：至少需要 10 个字符。"]
    assert messages_for("abcdefghijkq", writer) == ["密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类。"]
    assert "密码不能包含用户名。" in messages_for("Xx-writer-2031", writer)
    writer.full_name = "张三丰"
    assert "密码不能包含姓名。" in messages_for("Aa1-张三丰-xyz", writer)
    assert messages_for(GOOD, writer) == []
    # Three classes are enough; symbols include Chinese punctuation.
    assert messages_for("lower。digits42x", writer) == []


def test_policy_numbers_come_from_the_policy_row(writer):
    PasswordPolicy.objects.create(min_length=20, min_classes=4)
    assert "密码太短：至少需要 20 个字符。" in messages_for(GOOD, writer)
    four = "密码须包含大写字母、小写字母、数字、符号四类中的至少 4 类。"
    assert four in messages_for("QuietRiver20311xQuietRiver", writer)


def test_change_page_refuses_a_weak_password_and_keeps_the_old_one(client, writer):
    client.force_login(writer)
    page = change(client, PASSWORD, "short1A")
    assert "密码太短" in page.content.decode()
    writer.refresh_from_db()
    assert writer.check_password(PASSWORD)


def test_none_of_the_last_five_passwords_may_come_back(client, writer):
    client.force_login(writer)
    passwords = [PASSWORD] + [f"Quiet-River-{n}x" for n in range(5)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        page = change(client, old, new)
        assert page.redirect_chain and page.redirect_chain[-1][0] == reverse("password_change_done"), new
    current = passwords[-1]
    # The current one and the four before it are refused; the sixth back is allowed again.
    for reused in passwords[-5:]:
        page = change(client, current, reused)
        assert "新密码不能与最近 5 次使用过的密码相同。" in page.content.decode(), reused
    page = change(client, current, passwords[0])
    assert page.redirect_chain[-1][0] == reverse("password_change_done")
    # Hashes only.
    assert not PasswordHistory.objects.filter(password__contains="Quiet").exists()
    assert all(h.startswith(("pbkdf2_", "argon2", "md5", "bcrypt")) for h in
               PasswordHistory.objects.values_list("password", flat=True))  # fmt: skip


def test_an_expired_password_must_be_changed_before_anything_else(client, writer):
    User.objects.filter(pk=writer.pk).update(password_expires_at=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(writer)
    page = client.get(reverse("home"), follow=True)
    assert page.redirect_chain[-1][0] == reverse("password_change")
    assert "您的密码已过有效期" in page.content.decode()
    assert client.get("/api/v1/items/").status_code == 403
    page = change(client, PASSWORD, GOOD)
    assert page.redirect_chain[-1][0] == reverse("password_change_done")
    writer.refresh_from_db()
    assert writer.password_expires_at - writer.password_changed_at == dt.timedelta(days=90)
    assert client.get(reverse("home")).status_code == 200


def test_a_new_password_starts_the_policys_age(writer):
    writer.refresh_from_db()
    assert writer.password_changed_at is not None
    assert writer.password_expires_at - writer.password_changed_at == dt.timedelta(days=90)


def test_a_password_set_by_the_administrator_must_be_changed_at_first_login(
    client, city_admin, city_security_admin, department
):
    client.force_login(city_admin)
    response = client.post(
        reverse("admin:units_user_add"),
        {"username": "newcomer", "full_name": "新同事", "unit": department.pk, "roles": [Role.STAFF],
         "password1": GOOD, "password2": GOOD, "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(username="newcomer")
    assert person.must_change_password

    # The person's own change clears it; the administrator's reset sets it again.
    client.force_login(person)
    assert client.get(reverse("home"), follow=True).redirect_chain[-1][0] == reverse("password_change")
    assert change(client, GOOD, "Calm-Lake-2032x").redirect_chain[-1][0] == reverse("password_change_done")
    person.refresh_from_db()
    assert not person.must_change_password

    # Setting a password is the security administrator's, in 账号安全 (三员分立); the
    # system administrator's user page does not offer it.
    client.force_login(city_admin)
    assert client.get(reverse("admin:units_user_changelist") + f"{person.pk}/password/").status_code == 403
    client.force_login(city_security_admin)
    url = reverse("admin:units_account_password_change", args=[person.pk])
    response = client.post(url, {"password1": "Fresh-Start-2033", "password2": "Fresh-Start-2033",
                                 "usable_password": "true"})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.must_change_password
    assert AuditEntry.objects.filter(
        action="password_reset", object_id=str(person.pk), actor=city_security_admin
    ).exists()


def test_the_reset_password_page_shows_the_rules(client, city_security_admin, writer):
    client.force_login(city_security_admin)
    page = client.get(reverse("admin:units_account_password_change", args=[writer.pk]))
    assert "至少 10 个字符" in page.content.decode()


def test_only_the_top_units_security_admin_sets_the_policy(
    client, city_security_admin, province_security_admin, province_admin
):
    client.force_login(province_admin)  # the system administrator: not theirs (三员分立)
    assert client.get(reverse("admin:units_passwordpolicy_add")).status_code == 403
    assert client.post(reverse("admin:units_passwordpolicy_add"), {"min_length": 8}).status_code == 403
    client.force_login(city_security_admin)
    assert client.get(reverse("admin:units_passwordpolicy_add")).status_code == 403
    assert client.post(reverse("admin:units_passwordpolicy_add"), {"min_length": 8}).status_code == 403
    assert not PasswordPolicy.objects.exists()

    client.force_login(province_security_admin)
    data = {"min_length": 12, "min_classes": 3, "history": 5, "max_age_days": 30, "inactive_days": 60}
    response = client.post(reverse("admin:units_passwordpolicy_add"), data)
    assert response.status_code == 302
    assert PasswordPolicy.current().min_length == 12
    assert AuditEntry.objects.filter(model="units.passwordpolicy", action="create").exists()
    # Every password's expiry follows the new age.
    province_security_admin.refresh_from_db()
    expiry = province_security_admin.password_expires_at - province_security_admin.password_changed_at
    assert expiry == dt.timedelta(days=30)

    data["min_length"] = 6
    page = client.post(reverse("admin:units_passwordpolicy_change", args=[1]), data)
    assert page.status_code == 200 and "8" in page.content.decode()
    assert PasswordPolicy.current().min_length == 12

    client.force_login(city_security_admin)
    assert client.post(reverse("admin:units_passwordpolicy_change", args=[1]), data).status_code == 403


def test_an_outsider_without_the_admin_role_cannot_see_the_policy(client, writer):
    client.force_login(writer)
    response = client.get(reverse("admin:units_passwordpolicy_changelist"))
    assert response.status_code == 302 and reverse("admin:login") in response.url


def test_an_account_without_a_local_password_never_expires(db, department):
    person = UserFactory(unit=department, password=None)
    person.set_unusable_password()
    person.save()
    person.refresh_from_db()
    assert person.password_expires_at is None


def test_no_api_token_until_an_expired_password_is_changed(writer):
    from rest_framework.test import APIClient

    api = APIClient()
    credentials = {"username": writer.username, "password": PASSWORD}
    User.objects.filter(pk=writer.pk).update(password_expires_at=timezone.now() - dt.timedelta(days=1))
    response = api.post("/api/v1/auth/token/", credentials, format="json")
    assert response.status_code == 403 and response.json()["code"] == "password_change_required"
    User.objects.filter(pk=writer.pk).update(password_expires_at=timezone.now() + dt.timedelta(days=1))
    assert api.post("/api/v1/auth/token/", credentials, format="json").status_code == 200
    assert AuditEntry.objects.filter(action="login", actor=writer, changes__via="api_token").count() == 1


def test_the_own_password_page_lists_the_rules(client, writer):
    client.force_login(writer)
    page = client.get(reverse("password_change")).content.decode()
    assert "至少 10 个字符" in page and "不能包含用户名或姓名" in page and "最近 5 次" in page
