from celery import shared_task
from django.urls import reverse

from govinfo.models import TaskFailure


@shared_task(name="tests.always_fails")
def always_fails(x):
    raise ValueError(f"坏数据 {x}")


def test_failed_task_is_recorded_and_visible_to_the_system_administrator(client, db, province_admin, writer):
    from govinfo.celery import app

    app.conf.task_eager_propagates = False
    try:
        always_fails.delay(7)
    finally:
        app.conf.task_eager_propagates = True
    failure = TaskFailure.objects.get()
    assert failure.task_name == "tests.always_fails" and "坏数据 7" in failure.exception
    client.force_login(province_admin)
    page = client.get(reverse("admin:govinfo_taskfailure_changelist")).content.decode()
    assert "tests.always_fails" in page
    assert client.get(reverse("admin:govinfo_taskfailure_change", args=[failure.pk])).status_code == 200
    client.force_login(writer)
    assert client.get(reverse("admin:govinfo_taskfailure_changelist")).status_code == 302


def test_unit_administrators_below_the_top_do_not_see_task_failures(client, db, city_admin):
    # A failure's arguments and traceback may name any unit's items; a city's
    # administrator manages the city's subtree only.
    failure = TaskFailure.objects.create(task_id="t1", task_name="tests.other", args="[1]", exception="坏数据")
    client.force_login(city_admin)
    assert client.get(reverse("admin:govinfo_taskfailure_changelist")).status_code == 403
    assert client.get(reverse("admin:govinfo_taskfailure_change", args=[failure.pk])).status_code in (302, 403, 404)
    assert "taskfailure" not in client.get(reverse("admin:index")).content.decode()
