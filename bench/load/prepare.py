"""Fill the load database: the demo province, ~20,000 items (bench/seed_items.py), the
people of a working day with passwords, and some signed issues for leaders to read.

Run by bench/load/run.py with the stack's environment (DATABASE_URL etc.):

    python bench/load/prepare.py --items 20000 --accounts var/bench-load/accounts.json

Writes the accounts file the locustfile reads: per role the logins, and for those who
need a second factor the authenticator secret (hex), as a phone would hold it.
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PROVINCE = "云南省人民政府办公厅"
KUNMING = "昆明市人民政府办公室"
EXTRA_EDITORS = 24  # the province office's editors: one login per simulated editor (a code is good once)
EXTRA_SIGNERS = 4
EXTRA_LEADERS = 12
ISSUES = {  # office → publications that get signed issues, and how many
    PROVINCE: [("每日要情", 8), ("云南政务信息", 6)],
    KUNMING: [("政务信息", 6)],
}
ITEMS_PER_ISSUE = 5


def _person(username: str, unit, role: str, password_hash: str, label: str):
    from units.actions import set_roles
    from units.models import User

    user, _ = User.objects.get_or_create(username=username, defaults={"unit": unit, "full_name": label})
    user.unit = unit
    user.password = password_hash
    user.is_active = True
    user.save(update_fields=["unit", "password", "is_active"])
    if role not in user.role_set:
        set_roles(user=user, roles=[*user.role_set, role])
    return user


def _second_factor(user) -> str | None:
    """A confirmed authenticator for people whose role needs one (when 2FA is installed)."""
    try:
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:
        return None
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True).key


def accounts(password: str) -> dict:
    from django.contrib.auth.hashers import make_password

    from units.models import Role, Unit, User

    hashed = make_password(password)
    province = Unit.objects.get(name=PROVINCE)
    kunming = Unit.objects.get(name=KUNMING)
    out: dict[str, list[dict]] = {"writer": [], "approver": [], "editor": [], "signer": [], "leader": []}
    # Writers and approvers: the units that report to the province and to 昆明.
    for unit in Unit.objects.filter(parent__in=[province, kunming]).order_by("path"):
        staff = User.objects.filter(unit=unit, role_grants__role=Role.STAFF, role_grants__unit=unit).first()
        approver = User.objects.filter(unit=unit, role_grants__role=Role.UNIT_APPROVER, role_grants__unit=unit).first()
        if staff is None or approver is None:
            continue
        for user in (staff, approver):
            user.password = hashed
            user.save(update_fields=["password"])
        out["writer"].append({"username": staff.username, "unit": unit.pk})
        out["approver"].append({"username": approver.username, "unit": unit.pk})
    people = [("prov_editor", "editor"), ("city_editor", "editor"), ("prov_signer", "signer"),
              ("city_signer", "signer"), ("prov_leader", "leader"), ("city_leader", "leader")]  # fmt: skip
    for username, role in people:
        user = User.objects.get(username=username)
        user.password = hashed
        user.save(update_fields=["password"])
        out[role].append({"username": username, "unit": user.unit_id})
    for i in range(1, EXTRA_EDITORS + 1):
        user = _person(f"load_editor_{i}", province, Role.EDITOR, hashed, f"省政府办公厅编辑{i}")
        out["editor"].append({"username": user.username, "unit": province.pk})
    for i in range(1, EXTRA_SIGNERS + 1):
        user = _person(f"load_signer_{i}", province, Role.ISSUE_APPROVER, hashed, f"省政府办公厅签发人{i}")
        out["signer"].append({"username": user.username, "unit": province.pk})
    for i in range(1, EXTRA_LEADERS + 1):
        user = _person(f"load_leader_{i}", province, Role.LEADER, hashed, f"省政府领导{i}")
        out["leader"].append({"username": user.username, "unit": province.pk})
    for role in ("editor", "signer"):
        for account in out[role]:
            key = _second_factor(User.objects.get(username=account["username"]))
            if key:
                account["totp_hex"] = key
    return out


SMOKE_ISSUES = {PROVINCE: [("每日要情", 1)], KUNMING: [("政务信息", 1)]}  # --smoke: a few hundred items


def signed_issues(plan_by_office: dict = ISSUES, per_issue: int = ITEMS_PER_ISSUE) -> int:
    """Adopt recent items and sign issues through the actions, as the offices did last week."""
    from publications import actions
    from publications.models import Issue, Publication
    from submissions.models import Item, State
    from units.models import Role, Unit, User

    made = 0
    for office_name, plan in plan_by_office.items():
        office = Unit.objects.get(name=office_name)
        editor = User.objects.get(username="prov_editor" if office_name == PROVINCE else "city_editor")
        signer = User.objects.filter(unit=office, role_grants__role=Role.ISSUE_APPROVER).first()
        # Items an editor may adopt: the seeder leaves some offices with few submitted ones
        # (昆明: none, only items in review), so both states are drawn on.
        candidates = Item.objects.filter(
            office=office, state__in=[State.SUBMITTED, State.IN_REVIEW], confidentiality="internal"
        ).order_by("-submitted_at")
        taken = set()
        for name, count in plan:
            publication = Publication.objects.get(office=office, name=name)
            if Issue.objects.filter(publication=publication, state="signed").count() >= count:
                continue
            for _ in range(count):
                batch = [i for i in candidates.exclude(pk__in=taken)[: per_issue * 3]][:per_issue]
                if not batch:  # fewer issues then; an issue without items cannot be signed
                    break
                adoptions = []
                for item in batch:
                    taken.add(item.pk)
                    adoptions.append(actions.adopt(item=item, user=editor, publication=publication))
                issue = actions.create_issue(publication=publication, user=editor)
                actions.add_to_issue(issue=issue, adoptions=adoptions, user=editor)
                actions.sign_off_issue(issue=issue, user=signer)
                made += 1
    return made


def fill_desk(office_name: str, count: int) -> int:
    """--smoke: a few hundred seeded items leave the office's desk nearly empty, and the
    editor's round adopts, returns and holds several. Drafts of the units reporting there
    are sent for sign-off and signed off through the actions, as a morning's work would."""
    from django.core.exceptions import ValidationError

    from submissions import actions
    from submissions.models import Item, State
    from units.models import Role, User

    waiting = Item.objects.filter(
        office__name=office_name, state__in=[State.DRAFT, State.PENDING_SIGNOFF], confidentiality="internal"
    ).select_related("unit", "author")
    done = 0
    for item in waiting.order_by("-pk")[: count * 2]:
        approver = User.objects.filter(
            unit=item.unit, is_active=True, role_grants__role=Role.UNIT_APPROVER, role_grants__unit=item.unit
        ).first()
        try:
            if item.state == State.DRAFT:
                writer = item.author
                actions.transition(item=item, user=writer, action="send_for_signoff", expected_version=item.version)
            actions.transition(item=item, user=approver, action="sign_off", expected_version=item.version)
        except (actions.TransitionError, ValidationError):
            continue  # an author or approver the seeder left without the role: another item
        done += 1
        if done == count:
            break
    return done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--accounts", type=Path, required=True)
    parser.add_argument("--smoke", action="store_true", help="one signed issue per office, of 2 items")
    args = parser.parse_args()

    from bench import seed_items

    seed_items.setup_django()
    from django.conf import settings

    started = time.perf_counter()
    report = seed_items.seed(args.items)
    print(f"items: {report.total:,} ({report.created:,} added)", flush=True)
    data = accounts(settings.DEMO_PASSWORD)
    data["password"] = settings.DEMO_PASSWORD
    print(", ".join(f"{len(v)} {k}s" for k, v in data.items() if isinstance(v, list)), flush=True)
    made = signed_issues(SMOKE_ISSUES, 2) if args.smoke else signed_issues()
    print(f"signed issues made: {made}", flush=True)
    if args.smoke:
        print(f"items sent to the province's desk: {fill_desk(PROVINCE, 20)}", flush=True)
    args.accounts.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"prepared in {time.perf_counter() - started:.0f} s; accounts in {args.accounts}", flush=True)


if __name__ == "__main__":
    main()
