"""The directory import pages: upload → preview → apply, as an administrator does it,
and refused to everyone else (issue 16)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from units.models import Unit, User

from .directory_files import province_file, workbook


@pytest.fixture(autouse=True)
def _run_tasks_on_commit(django_capture_on_commit_callbacks):
    """The pages queue their tasks on commit; the test's transaction never commits, so
    the callbacks are run as each request ends (the tasks then run in-process)."""
    global _capture
    _capture = django_capture_on_commit_callbacks


def upload(client, data: bytes, name: str = "通讯录.xlsx"):
    with _capture(execute=True):
        return client.post(reverse("directory_import"), {"file": SimpleUploadedFile(name, data)})


def apply(client, token: str, mode: str):
    with _capture(execute=True):
        return client.post(reverse("directory_import_apply", args=[token]), {"mode": mode})


@pytest.fixture
def superuser(province):
    return User.objects.create_superuser("root", password="Root-pass-2026", unit=province)


def test_non_administrators_are_refused_every_page(client, editor, writer):
    for person in (editor, writer):
        client.force_login(person)
        assert client.get(reverse("directory_import")).status_code == 403
        assert upload(client, province_file()).status_code == 403
        assert client.get(reverse("directory_template")).status_code == 403
        assert client.get(reverse("directory_export")).status_code == 403
    assert not Unit.objects.filter(code="53").exists()


def test_upload_preview_apply_shows_passwords_once(client, superuser):
    client.force_login(superuser)
    response = upload(client, province_file())
    assert response.status_code == 302
    job_url = response["Location"]
    body = client.get(job_url).content.decode()
    assert "确认导入" in body and "昆明市发展和改革委员会" in body and "新建" in body
    assert not Unit.objects.filter(code="53").exists()  # nothing written by the preview
    token = job_url.rstrip("/").split("/")[-1]
    response = apply(client, token, "all")
    assert response.status_code == 302
    body = client.get(job_url).content.decode()
    assert "导入完成" in body and "只显示这一次" in body
    password = re.search(r"km_editor</td><td>[^<]*</td><td>[^<]*</td><td><code>(\w+)</code>", body)[1]
    assert User.objects.get(username="km_editor").check_password(password)
    assert password not in client.get(job_url).content.decode()
    # The person signs in and must change the one-time password before anything else.
    client.logout()
    client.force_login(User.objects.get(username="qj_staff"))
    assert client.get(reverse("home"))["Location"] == reverse("password_change")


def test_a_second_upload_of_the_same_file_says_nothing_changes(client, superuser):
    client.force_login(superuser)
    job = upload(client, province_file())["Location"]
    apply(client, job.rstrip("/").split("/")[-1], "all")
    body = client.get(upload(client, province_file())["Location"]).content.decode()
    assert "文件与系统中的通讯录一致，没有需要修改的内容" in body and "确认导入" not in body


def test_refused_rows_block_the_import_unless_valid_rows_only(client, superuser):
    client.force_login(superuser)
    data = province_file(extra_people=[("bad", "某人", "9999", "", "", "", "")])
    job = upload(client, data)["Location"]
    token = job.rstrip("/").split("/")[-1]
    body = client.get(job).content.decode()
    assert "单位代码“9999”不存在" in body and "只导入通过检查的行" in body and "确认导入" not in body
    apply(client, token, "all")
    assert not User.objects.filter(username="km_editor").exists()
    apply(client, token, "valid")
    assert User.objects.filter(username="km_editor").exists() and not User.objects.filter(username="bad").exists()


def test_a_bad_file_is_refused_on_the_form_keeping_the_page(client, city_admin):
    client.force_login(city_admin)
    response = upload(client, b"not a workbook", name="通讯录.xlsx")
    assert response.status_code == 200 and "不是 Excel（.xlsx）文件" in response.content.decode()
    response = upload(client, workbook(unit_header=("编号",)))
    job = client.get(response["Location"]).content.decode()
    assert "表头不符合模板" in job and "重新上传" in job


def test_another_administrator_cannot_see_or_apply_my_import(client, superuser, outsider):
    client.force_login(superuser)
    job = upload(client, province_file())["Location"]
    token = job.rstrip("/").split("/")[-1]
    client.force_login(outsider)
    assert client.get(job).status_code == 404
    assert apply(client, token, "all").status_code == 404
    assert not Unit.objects.filter(code="53").exists()


def test_export_is_limited_to_the_administrators_subtree(client, city_admin, city, other_city, department):
    import io

    from openpyxl import load_workbook

    client.force_login(city_admin)
    response = client.get(reverse("directory_export"))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["单位"]
    names = {row[1] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert names == {city.name, department.name}
