from celery import shared_task
from django.urls import reverse

from govinfo.models import TaskFailure


@shared_task(name="tests.always_fails")
def always_fails(x):
    raise ValueError(f"坏数据 {x}")


def test_failed_task_is_recorded_and_visible_to_administrators(client, db, city_admin, writer, settings):
    from govinfo.celery import app

    app.conf.task_eager_propagates = False
    try:
        always_fails.delay(7)
    finally:
        app.conf.task_eager_propagates = True
    failure = TaskFailure.objects.get()
    assert failure.task_name == "tests.always_fails" and "坏数据 7" in failure.exception
    client.force_login(city_admin)
    page = client.get(reverse("admin:govinfo_taskfailure_changelist")).content.decode()
    assert "tests.always_fails" in page
    client.force_login(writer)
    assert client.get(reverse("admin:govinfo_taskfailure_changelist")).status_code == 302
