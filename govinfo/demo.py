"""The demo province: a province general office, its 16 cities, departments and
counties under two cities, the publications of docs/domain.md §6, and one demo login
per role at the province, at one city office and at one department, a few items in
different states, and one signed issue of a 公开 publication for the public pages and feed.

Every step looks its row up by natural key before creating it, so loading twice
changes nothing.
"""

from dataclasses import dataclass

from django.db import transaction

from publications.models import Confidentiality, Publication, PublicationKind, Recipient, RecipientKind, Schedule
from submissions import actions as item_actions
from submissions.models import Category, Item, Topic
from submissions.models import Confidentiality as ItemConfidentiality
from units.actions import ensure_person
from units.models import AssessmentClass, Role, Unit, UnitKind

PROVINCE = ("云南省人民政府办公厅", "省政府办公厅")
CITIES = [
    "昆明市", "曲靖市", "玉溪市", "保山市", "昭通市", "丽江市", "普洱市", "临沧市",
    "楚雄州", "红河州", "文山州", "西双版纳州", "大理州", "德宏州", "怒江州", "迪庆州",
]  # fmt: skip
PROVINCE_DEPARTMENTS = [("云南省发展和改革委员会", "省发展改革委"), ("云南省农业农村厅", "省农业农村厅"),
                        ("云南省应急管理厅", "省应急管理厅"), ("云南省文化和旅游厅", "省文化和旅游厅")]  # fmt: skip
CITY_CHILDREN = {
    "昆明市": [("昆明市发展和改革委员会", "市发展改革委", UnitKind.DEPARTMENT, "dept_a"),
              ("昆明市农业农村局", "市农业农村局", UnitKind.DEPARTMENT, "dept_b"),
              ("昆明市应急管理局", "市应急管理局", UnitKind.DEPARTMENT, "dept_a"),
              ("五华区人民政府办公室", "五华区", UnitKind.COUNTY_OFFICE, "county"),
              ("盘龙区人民政府办公室", "盘龙区", UnitKind.COUNTY_OFFICE, "county"),
              ("官渡区人民政府办公室", "官渡区", UnitKind.COUNTY_OFFICE, "county")],
    "大理州": [("大理州文化和旅游局", "州文化和旅游局", UnitKind.DEPARTMENT, "dept_b"),
              ("大理市人民政府办公室", "大理市", UnitKind.COUNTY_OFFICE, "county"),
              ("祥云县人民政府办公室", "祥云县", UnitKind.COUNTY_OFFICE, "county"),
              ("宾川县人民政府办公室", "宾川县", UnitKind.COUNTY_OFFICE, "county")],
}  # fmt: skip
CLASSES = [("city", "州市"), ("county", "县（市、区）"), ("dept_a", "部门A类"), ("dept_b", "部门B类")]


@dataclass(frozen=True)
class PubSpec:
    name: str
    kind: str
    schedule: str
    points_full: int
    points_brief: int | None = None
    bonus_note: str = ""
    public: bool = False  # 公开: signed issues go on the pages without login and the feed


# The province's 公开 publication; the demo signs one issue of it (_public_issue).
PUBLIC_PUBLICATION = "云南政务公开"
PROVINCE_PUBLICATIONS = [
    PubSpec("云南要情", PublicationKind.REPORT_UP, Schedule.AD_HOC, 5, bonus_note="国办采用 +15"),
    PubSpec("每日要情", PublicationKind.DAILY, Schedule.WORKING_DAY, 5),
    PubSpec("信息专报", PublicationKind.SPECIAL_REPORT, Schedule.AD_HOC, 10,
            bonus_note="办公厅领导批示 +3；省领导批示 +5"),
    PubSpec("动态专报", PublicationKind.DYNAMIC_REPORT, Schedule.AD_HOC, 13, bonus_note="批示加分同信息专报"),
    PubSpec("云南政务信息", PublicationKind.GENERAL, Schedule.REGULAR, 5),
    PubSpec("决策通报", PublicationKind.DECISION, Schedule.REGULAR, 5),
    PubSpec(PUBLIC_PUBLICATION, PublicationKind.GENERAL, Schedule.REGULAR, 3, public=True),
]  # fmt: skip
# The 报 lines of the province's 要情 and 信息专报: recipients outside the tree.
PROVINCE_REPORTED_TO = {
    "云南要情": ["国务院办公厅"],
    "每日要情": ["省委、省政府领导"],
    "信息专报": ["省委、省人大常委会、省政府、省政协领导", "国务院办公厅"],
}
CITY_PUBLICATIONS = [
    PubSpec("政情专报", PublicationKind.REPORT_UP, Schedule.AD_HOC, 10, bonus_note="报送省政府办公厅的本市信息"),
    PubSpec("动态信息专报", PublicationKind.DYNAMIC_REPORT, Schedule.AD_HOC, 10, bonus_note="供市领导参阅"),
    PubSpec("政务信息", PublicationKind.GENERAL, Schedule.REGULAR, 5, points_brief=3),
    PubSpec("一周要情", PublicationKind.WEEKLY, Schedule.WEEKLY, 3),
]

ROLE_NAMES = {
    Role.STAFF: ("staff", "信息员"),
    Role.UNIT_APPROVER: ("approver", "审签人"),
    Role.EDITOR: ("editor", "编辑"),
    Role.ISSUE_APPROVER: ("signer", "签发人"),
    Role.LEADER: ("leader", "领导"),
    # 三员分立: the system administrator keeps the old "admin" login.
    Role.SYSTEM_ADMIN: ("admin", "系统管理员"),
    Role.SECURITY_ADMIN: ("secadmin", "安全管理员"),
    Role.AUDITOR: ("auditor", "安全审计员"),
}
DEMO_UNITS = [("prov", "云南省人民政府办公厅"), ("city", "昆明市人民政府办公室"), ("dept", "昆明市发展和改革委员会")]
# Editors, signers and the three administrators need a second factor (units/twofactor/). So that the
# demo can be tried without a phone, their authenticators share this published secret;
# `python manage.py totp <username>` prints the current code. Never use it for real people.
DEMO_TOTP_SECRET = "GOVINFODEMOTWOFACTORSECRETKEYABC"


TOPICS = ["边境", "农业", "旅游", "山区", "灾害", "项目", "改革"]

# (author, approver, title, category code, topics, final action, body[, confidentiality])
DEMO_ITEMS = [
    ("dept_staff", "dept_approver", "昆明市重大项目建设提速增效", "progress", ["项目"], "sign_off",
     "1—10月，全市省级重大项目完成投资486.3亿元，同比增长12.4%，完成年度计划的87.2%。\n"
     "一是强化要素保障。协调解决用地、用林、资金等问题63个，争取地方政府专项债券资金58.6亿元。\n"
     "二是优化审批服务。推行并联审批和容缺受理，项目审批平均用时压缩至28个工作日。\n"
     "三是压实推进责任。对进度滞后的12个项目实行挂牌督办，逐一明确责任单位和完成时限。"),
    ("dept_staff", "dept_approver", "昆明市推行“拿地即开工”审批改革", "measures", ["改革", "项目"], "sign_off",
     "昆明市发展改革委会同自然资源、住建等部门推行“拿地即开工”审批模式，"
     "将用地规划许可、工程规划许可、施工许可等事项并联办理。今年以来，已有27个产业项目实现拿地当天开工，"
     "平均节约前期时间约4个月。"),
    ("dept_staff", "dept_approver", "我市民间投资增速回升", "results", [], "send_for_signoff",
     "1—10月，全市民间投资同比增长6.8%，增速较上半年提高2.3个百分点。"),
    ("dept_staff", None, "昆明市加快推进城市更新项目（草稿）", "progress", ["项目"], None,
     "今年计划实施城市更新项目46个，目前已开工39个。"),
    ("city_staff", "city_approver", "昆明市春耕备耕工作有序推进", "progress", ["农业"], "sign_off",
     "截至3月底，全市已落实春播面积126.4万亩，储备化肥12.8万吨、种子1.9万吨，农资供应充足、价格平稳。"
     "各县（市、区）组织农技人员1200余人深入田间地头开展指导服务。"),
    # 公开 items of 昆明's office, adopted by the province into its 公开 publication.
    ("city_staff", "city_approver", "昆明市政务服务事项实现“一网通办”", "results", ["改革"], "sign_off",
     "昆明市依托一体化政务服务平台，推动市、县、乡三级政务服务事项网上可办，"
     "目前全市98.6%的政务服务事项实现“一网通办”，企业和群众办事平均跑动次数降至0.3次。", ItemConfidentiality.PUBLIC),
    ("city_staff", "city_approver", "昆明市开展春季义务植树活动", "progress", ["农业"], "sign_off",
     "3月以来，全市组织机关干部、企业职工和志愿者12万余人次参加义务植树，"
     "新植各类苗木86万株，完成春季造林绿化任务的92%。", ItemConfidentiality.PUBLIC),
]  # fmt: skip


@dataclass
class DemoLogin:
    username: str
    unit: str
    role: str
    created: bool


def _unit(name: str, short: str, kind: str, parent: Unit | None, klass: AssessmentClass | None, order: int) -> Unit:
    unit = Unit.objects.filter(parent=parent, name=name).first()
    if unit is None:
        unit = Unit.objects.create(
            name=name, short_name=short, kind=kind, parent=parent, assessment_class=klass, sort_order=order
        )
    return unit


def _publications(office: Unit, specs: list[PubSpec]) -> None:
    for order, spec in enumerate(specs):
        if Publication.objects.filter(office=office, name=spec.name).exists():
            continue
        Publication.objects.create(
            office=office,
            name=spec.name,
            kind=spec.kind,
            schedule=spec.schedule,
            points_full=spec.points_full,
            points_brief=spec.points_brief,
            allows_briefs=spec.points_brief is not None,
            bonus_note=spec.bonus_note,
            confidentiality=Confidentiality.PUBLIC if spec.public else Confidentiality.INTERNAL,
            is_public=spec.public,
            sort_order=order,
        )


def _schemes(province: Unit, kunming: Unit, classes: dict) -> None:
    """The province's scheme for its 16 cities (docs/domain.md §7) and 昆明's for its units."""
    from django.utils import timezone

    from scoring.models import (
        AwardTier,
        HigherAdoptionRule,
        InstructionRule,
        PenaltyRule,
        PublicationRule,
        QuotaRule,
        Scheme,
        SchemeUnit,
    )  # fmt: skip

    year = timezone.localdate().year
    specs = [
        (province, f"{year}年全省政务信息工作考核", province.children.filter(kind=UnitKind.CITY_OFFICE),
         {"city": 350}, [("省政府领导", 5), ("省政府办公厅", 3), ("国务院领导", 10)]),
        (kunming, f"{year}年昆明市政务信息工作考核", kunming.children.all(),
         {"dept_a": 120, "dept_b": 80, "county": 150}, [("市政府领导", 5), ("省政府领导", 8)]),
    ]  # fmt: skip
    for office, name, units, quotas, instructions in specs:
        scheme, created = Scheme.objects.get_or_create(office=office, year=year, defaults={"name": name})
        if not created:
            continue
        SchemeUnit.objects.bulk_create([SchemeUnit(scheme=scheme, unit=u) for u in units])
        for code, quota in quotas.items():
            QuotaRule.objects.create(scheme=scheme, assessment_class=classes[code], quota=quota)
        for publication in office.publications.all():
            PublicationRule.objects.create(scheme=scheme, publication=publication, form="full",
                                           points=publication.points_full)  # fmt: skip
            PublicationRule.objects.create(scheme=scheme, publication=publication, form="composite",
                                           points=publication.points_full)  # fmt: skip
            if publication.points_brief is not None:
                PublicationRule.objects.create(scheme=scheme, publication=publication, form="brief",
                                               points=publication.points_brief)  # fmt: skip
            if publication.kind == PublicationKind.REPORT_UP and office == province:
                HigherAdoptionRule.objects.create(scheme=scheme, publication=publication, level="国办", points=15)
        for level, points in instructions:
            InstructionRule.objects.create(scheme=scheme, level=level, points=points)
        for kind, points, veto in [("late", 1, False), ("missed", 3, False), ("concealed", 10, True),
                                   ("false", 5, False), ("commission", 1, False), ("feedback", 2, False),
                                   ("emergency_late", 5, True)]:  # fmt: skip
            PenaltyRule.objects.create(scheme=scheme, kind=kind, points=points, vetoes_award=veto)
        for order, (tier, count) in enumerate([("特等奖", 2), ("一等奖", 5), ("二等奖", 4), ("三等奖", 6)]):
            AwardTier.objects.create(scheme=scheme, name=tier, count=count, order=order)
    _forwarding_rules(Scheme.objects.get(office=kunming, year=year), province)


def _forwarding_rules(scheme, province: Unit) -> None:
    """昆明 credits its own unit when the province adopts an item 昆明 forwarded, by the
    province's points for that publication. Added also to a scheme an earlier loaddemo
    made without them; a scheme that has any such rule is left as its administrator set it."""
    from scoring.models import UpperAdoptionRule

    if scheme.upper_rules.exists():
        return
    UpperAdoptionRule.objects.bulk_create(
        UpperAdoptionRule(scheme=scheme, upper_publication=publication, points=publication.points_full)
        # A 采用情况通报 carries counts, not adopted items: nothing to credit.
        for publication in province.publications.exclude(kind=PublicationKind.STATISTICS)
    )


def _statistics_publications(province: Unit, kunming: Unit) -> None:
    """The 采用情况通报 of each assessing office (scoring compiles it from the scoreboard).
    Made after the schemes so that no points rule is set up for it: it carries no items."""
    for office, name, down in [(province, "全省政务信息采用情况通报", province.children.all()),
                               (kunming, "全市政务信息采用情况通报", kunming.children.all())]:  # fmt: skip
        publication = Publication.objects.filter(office=office, kind=PublicationKind.STATISTICS).first()
        if publication is None:
            publication = Publication.objects.create(
                office=office, name=name, kind=PublicationKind.STATISTICS, schedule=Schedule.REGULAR, points_full=0,
                confidentiality=Confidentiality.INTERNAL, sort_order=50,
            )  # fmt: skip
        _distribute(publication, RecipientKind.FA, down)
        if office.parent_id:
            _distribute(publication, RecipientKind.BAO, [office.parent])


def _distribute(publication: Publication, kind: str, units) -> None:
    for unit in units:
        Recipient.objects.get_or_create(publication=publication, unit=unit, defaults={"kind": kind})


@transaction.atomic
def load_demo(password: str) -> list[DemoLogin]:
    classes = {}
    for code, name in CLASSES:
        classes[code], _ = AssessmentClass.objects.get_or_create(code=code, defaults={"name": name})
    province = _unit(*PROVINCE, UnitKind.PROVINCE_OFFICE, None, None, 0)
    cities = {}
    for order, city in enumerate(CITIES):
        cities[city] = _unit(f"{city}人民政府办公室", city, UnitKind.CITY_OFFICE, province, classes["city"], order)
    for order, (name, short) in enumerate(PROVINCE_DEPARTMENTS):
        _unit(name, short, UnitKind.DEPARTMENT, province, classes["dept_a"], 100 + order)
    for city, children in CITY_CHILDREN.items():
        for order, (name, short, kind, klass) in enumerate(children):
            _unit(name, short, kind, cities[city], classes[klass], order)

    _publications(province, PROVINCE_PUBLICATIONS)
    _publications(cities["昆明市"], CITY_PUBLICATIONS)
    provincial_departments = list(province.children.filter(kind=UnitKind.DEPARTMENT))
    for publication in province.publications.all():
        _distribute(publication, RecipientKind.SONG, provincial_departments)
        _distribute(publication, RecipientKind.FA, cities.values())
    # 报 lines a province prints: its leaders and 国办 are outside the tree, so named in words.
    for name, above in PROVINCE_REPORTED_TO.items():
        for order, recipient in enumerate(above):
            Recipient.objects.get_or_create(
                publication=province.publications.get(name=name), kind=RecipientKind.BAO, name=recipient,
                defaults={"sort_order": order},
            )  # fmt: skip
    for publication in cities["昆明市"].publications.all():
        _distribute(publication, RecipientKind.BAO, [province])
        _distribute(publication, RecipientKind.FA, cities["昆明市"].children.all())

    for office in (province, cities["昆明市"]):
        for name in TOPICS:
            Topic.objects.get_or_create(office=office, name=name)

    _schemes(province, cities["昆明市"], classes)
    _statistics_publications(province, cities["昆明市"])

    logins = []
    for prefix, unit_name in DEMO_UNITS:
        unit = Unit.objects.get(name=unit_name)
        for role, (suffix, label) in ROLE_NAMES.items():
            username = f"{prefix}_{suffix}"
            _, created = ensure_person(
                unit=unit, username=username, full_name=f"{unit.display_name}{label}", roles=[role], password=password
            )
            # The full name, as the README and runall's banner give it: short names repeat across
            # offices (市发展改革委 is also every other city's).
            logins.append(DemoLogin(username, unit.name, label, created))
            _demo_authenticator(username)
    _demo_items()
    _public_issue(province)
    return logins


def _demo_authenticator(username: str) -> None:
    """A confirmed authenticator with the published demo secret, for a demo login whose
    role needs a second factor and who has none (an existing one is never replaced)."""
    import base64

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from units.models import User
    from units.twofactor.access import confirmed_device, role_requires_two_factor

    user = User.objects.get(username=username)
    if role_requires_two_factor(user) and confirmed_device(user) is None:
        key = base64.b32decode(DEMO_TOTP_SECRET).hex()
        TOTPDevice.objects.create(user=user, name="演示身份验证器", key=key, confirmed=True)


def _demo_items() -> None:
    """A few items in different states, written and moved through the real actions."""
    from submissions.categories import ensure_categories
    from units.models import User

    ensure_categories(Category)
    for author_name, approver_name, title, code, topics, last, body, *confidentiality in DEMO_ITEMS:
        author = User.objects.get(username=author_name)
        if Item.objects.filter(unit=author.unit, title=title).exists():
            continue
        data = item_actions.ItemData(
            title=title,
            body=body,
            category=Category.objects.get(code=code),
            topics=list(Topic.objects.filter(office_id=author.unit.parent_id, name__in=topics)),
            writers=author.full_name,
            confidentiality=confidentiality[0] if confidentiality else ItemConfidentiality.INTERNAL,
        )
        item = item_actions.create_draft(author=author, data=data)
        steps = {"send_for_signoff": ["send_for_signoff"], "sign_off": ["send_for_signoff", "sign_off"]}.get(last, [])
        for step in steps:
            actor = author if step == "send_for_signoff" else User.objects.get(username=approver_name)
            item.refresh_from_db()
            item_actions.transition(item=item, user=actor, action=step, expected_version=item.version)


def _public_issue(province: Unit) -> None:
    """One signed issue of the province's 公开 publication holding the 公开 demo items, so
    that /public/ and its feed show something. Adopted, composed and signed through the
    publications actions by the demo editor and signer, as a person would. Done once: a
    publication that has any issue is left as its editors made it."""
    from publications import actions as publication_actions
    from publications.models import Adoption
    from units.models import User

    publication = Publication.objects.get(office=province, name=PUBLIC_PUBLICATION)
    if publication.issues.exists():
        return
    editor, signer = User.objects.get(username="prov_editor"), User.objects.get(username="prov_signer")
    titles = [row[2] for row in DEMO_ITEMS if row[7:] == (ItemConfidentiality.PUBLIC,)]
    items = Item.objects.filter(office=province, title__in=titles, confidentiality=ItemConfidentiality.PUBLIC)
    adoptions = []
    for item in items.order_by("pk"):
        adoption = Adoption.objects.filter(item=item, publication=publication, withdrawn_at=None).first()
        adoptions.append(adoption or publication_actions.adopt(item=item, user=editor, publication=publication))
    if not adoptions:
        return
    issue = publication_actions.create_issue(publication=publication, user=editor)
    publication_actions.add_to_issue(issue=issue, adoptions=adoptions, user=editor)
    publication_actions.sign_off_issue(issue=issue, user=signer)
