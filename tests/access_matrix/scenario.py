"""The world the access matrix runs in, built once per test module through the actions
users take (so every object is in a state the product can really reach).

The tree (docs/domain.md §3)::

    province 省政府办公厅
    ├── city 昆明市人民政府办公室 ── dept 市发展改革委, dept2 市农业农村局
    └── other_city 曲靖市人民政府办公室 ── other_dept 曲靖市农业农村局

Every unit has one person for each role (`role@unit`), so a matrix entry can say which
role of which unit — relative to the object's own unit — may use a URL.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token

from publications import actions as pub_actions
from publications.instructions import actions as ins
from publications.models import (
    CompileRun,
    InstructionLevel,
    Publication,
    PublicationKind,
    Recipient,
    RecipientKind,
    Schedule,
)
from publications.models import Confidentiality as PubConfidentiality
from scoring import actions as scoring_actions
from scoring.models import LedgerEntry, PenaltyRule, Scheme, SchemeUnit, Source
from submissions import actions
from submissions.categories import ensure_categories
from submissions.commissions import actions as commissions
from submissions.emergencies import actions as emergencies
from submissions.models import Attachment, Category, Confidentiality, EmergencyGrade, EmergencyRule
from tests.factories import UnitFactory, UserFactory
from tests.images import png
from tests.submissions.pdf_files import minimal_pdf
from units.models import Notification, Role, UnitKind

ROLES = tuple(Role.values)  # staff, unit_approver, editor, issue_approver, leader, and the three administrators (三员)
UNITS = ("province", "city", "dept", "dept2", "other_city", "other_dept")

BODY = (
    "今年以来，市发展改革委围绕重大项目建设，建立“周调度、月通报”工作机制，推动项目加快落地。"
    "1—10月，全市省级重大项目完成投资486.3亿元，同比增长12.4%，完成年度计划的87.2%。"
)
# The 敏感 item: its title, and who may read it (the office's editors, the leader named on
# it, the unit's approver who signed it off; its author is not one of the personas).
SENSITIVE_TITLE = "某工业园区企业欠薪引发聚集"
SENSITIVE_READERS = frozenset({"editor@city", "leader@city", "unit_approver@dept"})
# Personas beyond one per role and unit: name -> the role they hold. The matrix treats them
# as that role, except that checks of 敏感 variants refuse them (they are not named readers).
EXTRA_PERSONAS = {"unnamed_leader": "leader"}

PDF = minimal_pdf()  # a real PDF: uploads are parsed (pikepdf), a token one is refused


@dataclass
class Scenario:
    units: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)  # "role@unit" -> User
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None

    def person(self, role: str, unit: str):
        return self.people[f"{role}@{unit}"]


def _data(title: str, **overrides) -> actions.ItemData:
    values = {"title": title, "body": BODY, "category": Category.objects.get(code="measures")}
    values.update(overrides)
    return actions.ItemData(**values)


def _act(item, user, action: str, comment: str = ""):
    item.refresh_from_db()
    return actions.transition(item=item, user=user, action=action, expected_version=item.version, comment=comment)


def build() -> Scenario:
    s = Scenario()
    ensure_categories(Category)
    # Transactional tests elsewhere empty the migrations' rows: make sure they are there.
    for order, name in enumerate(["省政府领导", "省政府办公厅", "市政府领导"]):
        InstructionLevel.objects.get_or_create(name=name, defaults={"order": order})
    for grade in EmergencyGrade.values:
        EmergencyRule.objects.get_or_create(grade=grade, defaults={"written_minutes": 60})

    u = s.units
    u["province"] = UnitFactory(name="省政府办公厅", kind=UnitKind.PROVINCE_OFFICE, parent=None)
    u["city"] = UnitFactory(name="昆明市人民政府办公室", short_name="昆明市", kind=UnitKind.CITY_OFFICE,
                            parent=u["province"])  # fmt: skip
    u["other_city"] = UnitFactory(name="曲靖市人民政府办公室", short_name="曲靖市", kind=UnitKind.CITY_OFFICE,
                                  parent=u["province"])  # fmt: skip
    u["dept"] = UnitFactory(name="昆明市发展和改革委员会", short_name="市发展改革委", parent=u["city"])
    u["dept2"] = UnitFactory(name="昆明市农业农村局", short_name="市农业农村局", parent=u["city"])
    u["other_dept"] = UnitFactory(name="曲靖市农业农村局", short_name="曲靖农业局", parent=u["other_city"])
    for unit in UNITS:
        for role in ROLES:
            s.people[f"{role}@{unit}"] = UserFactory(
                username=f"{role}_{unit}", full_name=f"{unit}{role}", unit=u[unit], roles=[role]
            )
    # A second leader of the city office, named on no 敏感 item: a leader, but not a reader.
    s.people["unnamed_leader@city"] = UserFactory(
        username="unnamed_leader_city", full_name="city另一位领导", unit=u["city"], roles=[Role.LEADER]
    )

    p = s.person
    writer, approver = p("staff", "dept"), p("unit_approver", "dept")
    editor, signer, leader = p("editor", "city"), p("issue_approver", "city"), p("leader", "city")
    o = s.objects

    def submitted(title: str, author=writer, **overrides):
        item = actions.create_draft(author=author, data=_data(title, **overrides))
        _act(item, author, "send_for_signoff")
        _act(item, approver, "sign_off")
        item.refresh_from_db()
        return item

    # --- Items of the department, at the city office -----------------------------------
    item = actions.create_draft(author=writer, data=_data("市发展改革委推进重大项目建设"))
    o["attachment"] = actions.add_attachment(item=item, user=writer, upload=SimpleUploadedFile("数据表.pdf", PDF))
    o["picture"] = actions.add_attachment(item=item, user=writer, upload=SimpleUploadedFile("现场.png", png()))
    _act(item, writer, "send_for_signoff")
    _act(item, approver, "sign_off")
    item.refresh_from_db()
    actions.edit_as_editor(item=item, user=editor, title="市发展改革委推进重大项目建设提速",
                           body=BODY + "（编辑修改）", expected_version=item.version)  # fmt: skip
    item.refresh_from_db()
    o["item"] = item  # submitted, two versions, a PDF and a picture attached

    # 敏感: written by another staff member, so `staff@dept` is a colleague, not the author.
    s.people["author@dept"] = sens_author = UserFactory(username="sensitive_author", unit=u["dept"], roles=[Role.STAFF])
    sensitive = actions.create_draft(
        author=sens_author,
        data=_data(SENSITIVE_TITLE, confidentiality=Confidentiality.SENSITIVE, named_readers=[leader]),
    )
    o["sensitive_attachment"] = actions.add_attachment(
        item=sensitive, user=sens_author, upload=SimpleUploadedFile("情况.pdf", PDF)
    )
    _act(sensitive, sens_author, "send_for_signoff")
    _act(sensitive, approver, "sign_off")
    sensitive.refresh_from_db()
    actions.edit_as_editor(item=sensitive, user=editor, title=f"{SENSITIVE_TITLE}情况",
                           body=BODY + "（编辑修改）", expected_version=sensitive.version)  # fmt: skip
    sensitive.refresh_from_db()
    o["sensitive"] = sensitive

    # An item written as 内部, returned, and then made 敏感 by its writer: what was recorded
    # of it before (the audit record, its first version) must not show its text now.
    turned = submitted(f"{SENSITIVE_TITLE}（后定敏感）", author=sens_author)
    _act(turned, editor, "return", "请核实。")
    turned.refresh_from_db()
    actions.update_draft(
        item=turned, user=sens_author, expected_version=turned.version,
        data=_data(f"{SENSITIVE_TITLE}（后定敏感）", confidentiality=Confidentiality.SENSITIVE, named_readers=[leader]),
    )  # fmt: skip
    o["turned"] = turned

    o["draft"] = draft = actions.create_draft(author=writer, data=_data("市发展改革委草稿"))
    o["draft_attachment"] = actions.add_attachment(item=draft, user=writer, upload=SimpleUploadedFile("附.pdf", PDF))
    o["pending"] = pending = actions.create_draft(author=writer, data=_data("市发展改革委待审签"))
    _act(pending, writer, "send_for_signoff")
    o["submitted"] = submitted("市发展改革委已报送")
    o["returned"] = returned = submitted("市发展改革委退回修改")
    _act(returned, editor, "return", "请补充数据。")
    returned.refresh_from_db()

    # --- Publications and issues of the city office --------------------------------------
    bulletin = Publication.objects.create(
        office=u["city"], name="政务信息", kind=PublicationKind.GENERAL, schedule=Schedule.REGULAR,
        allows_briefs=True, points_full=5, points_brief=3,
    )  # fmt: skip
    # 报 the province, 发 the department; the sibling department is not on the list.
    Recipient.objects.create(publication=bulletin, unit=u["province"], kind=RecipientKind.BAO)
    Recipient.objects.create(publication=bulletin, unit=u["dept"], kind=RecipientKind.FA)
    o["bulletin"] = bulletin
    o["public_pub"] = public_pub = Publication.objects.create(
        office=u["city"], name="昆明政务公开", kind=PublicationKind.GENERAL, is_public=True, points_full=1
    )

    published = submitted("市发展改革委项目投资增长", confidentiality=Confidentiality.PUBLIC)
    o["published_adoption"] = adoption = pub_actions.adopt(item=published, user=editor, publication=bulletin)
    # a picture printed with it (随文刊发), made here since the item is past its writer's edits
    o["signed_picture"] = picture = Attachment(
        item=published, original_name="项目现场.png", kind="image", content_type="image/png", size=1,
        uploaded_by=writer, for_print=True,
    )  # fmt: skip
    picture.file.save("upload.png", ContentFile(png()), save=True)
    issue = pub_actions.create_issue(publication=bulletin, user=editor)
    pub_actions.add_to_issue(issue=issue, adoptions=[adoption], user=editor)
    o["signed_issue"] = pub_actions.sign_off_issue(issue=issue, user=signer)
    published.refresh_from_db()
    o["published"] = published

    in_draft = pub_actions.adopt(item=submitted("市发展改革委编入待签发期"), user=editor, publication=bulletin)
    draft_issue = pub_actions.create_issue(publication=bulletin, user=editor)
    pub_actions.add_to_issue(issue=draft_issue, adoptions=[in_draft], user=editor)
    o["draft_issue"], o["draft_issue_adoption"] = draft_issue, in_draft
    o["pool_adoption"] = pub_actions.adopt(item=submitted("市发展改革委待编"), user=editor, publication=bulletin)

    public_item = submitted("市发展改革委公开信息", confidentiality=Confidentiality.PUBLIC)
    public_adoption = pub_actions.adopt(item=public_item, user=editor, publication=public_pub)
    public_issue = pub_actions.create_issue(publication=public_pub, user=editor)
    pub_actions.add_to_issue(issue=public_issue, adoptions=[public_adoption], user=editor)
    o["public_issue"] = pub_actions.sign_off_issue(issue=public_issue, user=signer)
    # A draft sent to the signer (送签), which its office's editors and signers may take back;
    # in the public publication so that the bulletin's counts stay as the checks expect.
    sent_adoption = pub_actions.adopt(
        item=submitted("市发展改革委送签待签发", confidentiality=Confidentiality.PUBLIC), user=editor,
        publication=public_pub,
    )  # fmt: skip
    sent_issue = pub_actions.create_issue(publication=public_pub, user=editor)
    pub_actions.add_to_issue(issue=sent_issue, adoptions=[sent_adoption], user=editor)
    o["sent_issue"] = pub_actions.send_issue_for_signoff(issue=sent_issue, user=editor)

    o["compile_run"] = CompileRun.objects.create(publication=bulletin, key="manual:matrix", requested_by=editor)

    # --- An instruction on the published item, answered with a file -----------------------
    today = timezone.localdate()
    o["instruction"] = instruction = ins.make_instruction(
        item=published, issue=o["signed_issue"], user=leader, leader_name="", level="市政府领导",
        text="请认真总结经验做法。", date=today, deadline=today + dt.timedelta(days=7), units=[u["dept"]],
    )  # fmt: skip
    handler = instruction.handler_links.get()
    ins.report_feedback(handler=handler, user=writer, text="已研究落实。", files=[SimpleUploadedFile("反馈.pdf", PDF)])
    o["feedback_attachment"] = handler.attachments.get()
    o["open_instruction"] = ins.make_instruction(
        item=published, issue=o["signed_issue"], user=leader, leader_name="", level="市政府领导",
        text="请抓好落实并报告进展。", date=today, deadline=today + dt.timedelta(days=7), units=[u["dept"]],
    )  # fmt: skip

    # A 敏感 item in the office's 敏感 动态专报, instructed on by the city's leader.
    restricted = Publication.objects.create(
        office=u["city"], name="动态信息专报", kind=PublicationKind.DYNAMIC_REPORT,
        confidentiality=PubConfidentiality.SENSITIVE, points_full=10,
    )  # fmt: skip
    sensitive_report = submitted(
        f"{SENSITIVE_TITLE}（续）", author=sens_author, confidentiality=Confidentiality.SENSITIVE,
        named_readers=[leader],
    )  # fmt: skip
    sensitive_adoption = pub_actions.adopt(item=sensitive_report, user=editor, publication=restricted)
    # It goes to units (报 the province, 发 the department), yet its 敏感 item reaches only
    # those who may read the item: the others get the issue without it.
    Recipient.objects.create(publication=restricted, unit=u["province"], kind=RecipientKind.BAO)
    Recipient.objects.create(publication=restricted, unit=u["dept"], kind=RecipientKind.FA)
    restricted_ordinary = pub_actions.adopt(item=submitted("市发展改革委动态"), user=editor, publication=restricted)
    restricted_issue = pub_actions.create_issue(publication=restricted, user=editor)
    pub_actions.add_to_issue(issue=restricted_issue, adoptions=[sensitive_adoption, restricted_ordinary], user=editor)
    restricted_issue = pub_actions.sign_off_issue(issue=restricted_issue, user=signer)
    o["restricted_issue"], o["sensitive_report"] = restricted_issue, sensitive_report
    o["sensitive_instruction"] = ins.make_instruction(
        item=sensitive_report, issue=restricted_issue, user=leader, leader_name="", level="市政府领导",
        text="请妥善处置。", date=today, deadline=today + dt.timedelta(days=7), units=[u["dept"]],
    )  # fmt: skip

    # --- A commission, an emergency case ----------------------------------------------------
    o["commission"] = commissions.issue_commission(
        user=editor, topic="重大项目建设进展", requirements="突出进度和数据。",
        deadline=timezone.now() + dt.timedelta(days=3), units=[u["dept"]],
    )  # fmt: skip
    first_report = emergencies.start_case(
        author=writer,
        data=_data("某县发生山体滑坡"),
        case=emergencies.CaseData(grade="major", occurred_at=timezone.now() - dt.timedelta(minutes=10)),
    )
    o["case"] = first_report.emergency_case

    # --- The city's assessment of its departments -----------------------------------------
    o["scheme"] = scheme = Scheme.objects.create(office=u["city"], year=today.year, name="昆明市政务信息考核")
    SchemeUnit.objects.create(scheme=scheme, unit=u["dept"])
    SchemeUnit.objects.create(scheme=scheme, unit=u["dept2"])
    LedgerEntry.objects.create(scheme=scheme, unit=u["dept"], date=today, source=Source.MANUAL,
                               points=Decimal("2"), reason="矩阵测试")  # fmt: skip
    # Ledger rows that point at 敏感 items: an adoption, and a penalty on an item that was
    # never published. The department's whole staff reads the ledger; the titles are not theirs.
    o["sensitive_entry"] = LedgerEntry.objects.create(
        scheme=scheme, unit=u["dept"], date=today, source=Source.ADOPTION, adoption=sensitive_adoption,
        item=sensitive_report, rule="publication:full", points=Decimal("10"), reason="《动态信息专报》采用（信息）",
    )  # fmt: skip
    PenaltyRule.objects.create(scheme=scheme, kind="emergency_late", points=Decimal("5"))
    scoring_actions.record_penalty(scheme=scheme, unit=u["dept"], kind="emergency_late", reason="突发事件首报迟报",
                                   user=None, ref="matrix:late", item=sensitive)  # fmt: skip
    # Last year's scheme kept its board to the office; each unit still sees its own ledger.
    o["private_scheme"] = private = Scheme.objects.create(
        office=u["city"], year=today.year - 1, name="昆明市政务信息考核（上年）", public_to_assessed=False
    )
    SchemeUnit.objects.create(scheme=private, unit=u["dept"])
    SchemeUnit.objects.create(scheme=private, unit=u["dept2"])
    # The year-end (issue 19): a year in 公示 with the department's appeal, one whose 公示
    # is over (ready to finalise) and a finalised one (to unlock).
    for key, year in (("publicity_scheme", 2), ("ended_scheme", 3), ("final_scheme", 4)):
        o[key] = closing = Scheme.objects.create(
            office=u["city"], year=today.year - year, name=f"昆明市政务信息考核（{today.year - year}）"
        )
        SchemeUnit.objects.create(scheme=closing, unit=u["dept"])
        SchemeUnit.objects.create(scheme=closing, unit=u["dept2"])
        scoring_actions.open_publicity(scheme=closing, user=signer)
    o["appeal"] = scoring_actions.file_appeal(
        scheme=o["publicity_scheme"], user=p("unit_approver", "dept"), reason="矩阵测试申诉",
        files=[SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")],
    )  # fmt: skip
    o["appeal_attachment"] = o["appeal"].attachments.get()
    Scheme.objects.filter(pk__in=[o["ended_scheme"].pk, o["final_scheme"].pk]).update(
        publicity_ends_on=today - dt.timedelta(days=1)
    )
    scoring_actions.finalise(scheme=o["final_scheme"], user=signer)

    # --- A person's own things ------------------------------------------------------------
    o["notification"] = Notification.objects.create(recipient=writer, verb="test", title="测试通知")
    Token.objects.create(user=writer)

    # --- 三员分立: a role grant the city's system administrator proposed, waiting -----------
    from units import grants

    (o["role_change"],) = grants.propose_roles(
        user=p("staff", "dept"), roles=[Role.STAFF, Role.LEADER], by=p("system_admin", "city")
    )
    return s
