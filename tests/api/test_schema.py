"""The OpenAPI schema is valid, and the API keeps to it: a bounded, deterministic
property-based run of schemathesis against the live schema finds no server error and no
response that breaks the schema.

The run covers every GET operation and the token endpoint, authenticated as the demo
city editor, twice per operation with path parameters: once with generated ids (mostly
404s, which must be JSON in the one error shape) and once with ids of the demo data, so
the full shapes of real objects are checked too.
"""

import datetime as dt
import io

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from govinfo.api.auth import issue_token
from publications import actions
from publications.instructions import actions as ins
from publications.models import InstructionLevel, Publication
from scoring.models import Scheme
from submissions.models import Item, State
from units.models import Unit, User

MAX_EXAMPLES = 5
CHECKS = [not_a_server_error, response_schema_conformance]


def test_schema_validates(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi:")


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Django's WSGI handler closes the database connection around each request, which
    would end the test's transaction; its test client keeps it open the same way."""
    hooks = (request_started, request_finished)
    for signal in hooks:
        signal.disconnect(close_old_connections)
    yield
    for signal in hooks:
        signal.connect(close_old_connections)


@pytest.fixture
def demo(db, settings, tmp_path, wsgi_keeps_the_test_connection):
    """The demo province with one item of each stage the API shows: adopted as a brief,
    in a signed issue, instructed on; plus a draft issue and an adoption in the pool."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("loaddemo", stdout=io.StringIO())
    editor, signer, leader = (User.objects.get(username=f"city_{r}") for r in ("editor", "signer", "leader"))
    department = Unit.objects.get(short_name="市发展改革委")
    general = Publication.objects.get(office=editor.unit, name="政务信息")
    first, second = Item.objects.filter(unit=department, state=State.SUBMITTED).order_by("pk")[:2]
    adoption = actions.adopt(item=first, user=editor, publication=general, form="brief")
    issue = actions.create_issue(publication=general, user=editor)
    actions.add_to_issue(issue=issue, adoptions=[adoption], user=editor)
    issue = actions.sign_off_issue(issue=issue, user=signer)
    pooled = actions.adopt(item=second, user=editor, publication=general)
    actions.create_issue(publication=general, user=editor)
    level = InstructionLevel.objects.get_or_create(name="市政府领导")[0].name
    today = timezone.localdate()
    instruction = ins.make_instruction(
        item=first, issue=issue, user=leader, leader_name="", level=level, text="请认真总结经验。", date=today,
        deadline=today + dt.timedelta(days=7), units=[department],
    )  # fmt: skip
    ids = {
        "publications": general.pk, "issues": issue.pk, "adoptions": pooled.pk, "items": first.pk,
        "instructions": instruction.pk, "schemes": Scheme.objects.get(office=editor.unit).pk,
        "units": department.pk, "unit_pk": department.pk,
    }  # fmt: skip
    return editor, ids


def _real_ids(operation, ids: dict) -> dict | None:
    """Path parameters naming demo objects, or None when the operation's are unknown."""
    resource = operation.path.removeprefix("/api/v1/").split("/")[0]
    values = {}
    for parameter in operation.path_parameters:
        value = ids.get(parameter.name if parameter.name != "id" else resource)
        if value is None:
            return None
        values[parameter.name] = value
    return values


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_describe(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {exc}"


def _run(operation, headers: dict, path_parameters: dict | None) -> list[str]:
    failures: list[str] = []

    @hypothesis_settings(
        max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
        phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(case=operation.as_strategy(path_parameters=path_parameters))
    def check(case):
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        # Failed checks come as a group (a BaseExceptionGroup); every finding is reported below.
        except (Exception, BaseExceptionGroup) as exc:
            where = f"{operation.label} {case.path_parameters or ''} {case.query or ''}"
            failures.append(f"{where}: {_describe(exc)}"[:3000])

    check()
    return failures


def test_api_keeps_to_its_schema(demo):
    editor, ids = demo
    from govinfo.wsgi import application

    token = issue_token(user=editor, verified=True)  # as obtained with the code
    headers = {"Authorization": f"Bearer {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application, headers=headers)
    # Reads only, and obtaining a token (DELETE on that path would revoke the run's own).
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if op.method.upper() == "GET" or (op.method.upper(), op.path) == ("POST", "/api/v1/auth/token/")
    ]
    assert len(operations) > 20
    failures = []
    for operation in operations:
        failures += _run(operation, headers, None)
        if operation.path_parameters:
            real = _real_ids(operation, ids)
            if real is not None:
                failures += _run(operation, headers, real)
    assert not failures, "\n\n".join(failures)
