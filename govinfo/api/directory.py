"""The directory part of the API (issue 16): people to read, and units and people to
write for a 统一身份认证平台 that pushes changes.

Writes go through the Excel import's own plan and apply (units/directory/plan.py,
apply.py): the same checks, the same Chinese reasons per row, the same audit rows, one
transaction. Each entry of a list becomes a row of the template's sheets.
"""

from django.db import transaction
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from units import actions, handover
from units.directory import access
from units.directory.apply import DirectoryRefused, apply_directory
from units.directory.parse import ParsedDirectory, Row
from units.directory.plan import REFUSED, RowPlan, build_plan
from units.directory.template import KIND_LABELS, PERSON_SHEET, ROLE_LABELS, ROLE_SEPARATOR, UNIT_SHEET
from units.models import Role, UnitKind, User

from .base import UnitRefSerializer, id_param
from .errors import errors

NOT_ADMIN = "目录接口仅对管理员开放。"
MAX_ROWS = 10_000  # a push is a day's changes; the first load of a province is the Excel file


class PersonSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(allow_null=True)
    unit_code = serializers.CharField(source="unit.code", default="", read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "unit", "unit_code", "roles", "phone", "email", "is_active"]

    def get_roles(self, user) -> list[str]:
        return sorted(g.role for g in user.role_grants.all() if g.unit_id == user.unit_id)


class UnitIn(serializers.Serializer):
    code = serializers.CharField(max_length=40, help_text="单位代码（目录的主键）")
    name = serializers.CharField(max_length=100)
    short_name = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    parent_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="",
                                        help_text="上级单位代码；空为顶级单位（仅系统管理员）")  # fmt: skip
    kind = serializers.ChoiceField(choices=UnitKind.choices, required=False, allow_null=True, default=None)
    assessment_class = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="考核类别名称或代码"
    )
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)


class PersonIn(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    full_name = serializers.CharField(max_length=50)
    unit_code = serializers.CharField(max_length=40)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), required=False,
                                  allow_null=True, allow_empty=False, default=None,
                                  help_text="本人所属单位中的角色；省略则保留现有角色")  # fmt: skip
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)


class DirectoryIn(serializers.Serializer):
    units = UnitIn(many=True, required=False, default=list)
    people = PersonIn(many=True, required=False, default=list)
    dry_run = serializers.BooleanField(required=False, default=False, help_text="只预览，不写入")
    valid_only = serializers.BooleanField(required=False, default=False, help_text="有被拒绝的行时只写入通过检查的行")

    def validate(self, data):
        if len(data["units"]) + len(data["people"]) > MAX_ROWS:
            raise serializers.ValidationError(f"一次最多 {MAX_ROWS} 行，请分批提交。")
        return data


class DisableIn(serializers.Serializer):
    usernames = serializers.ListField(child=serializers.CharField(max_length=150), min_length=1, max_length=MAX_ROWS)
    dry_run = serializers.BooleanField(required=False, default=False)
    valid_only = serializers.BooleanField(required=False, default=False)


class DirectoryRowOut(serializers.Serializer):
    sheet = serializers.CharField()
    line = serializers.IntegerField(help_text="在提交的列表中的序号（从 1 起）")
    key = serializers.CharField(help_text="单位代码或用户名")
    label = serializers.CharField()
    action = serializers.ChoiceField(choices=["create", "change", "disable", "unchanged", "refused"])
    action_label = serializers.CharField()
    changes = serializers.ListField(child=serializers.CharField())
    reasons = serializers.ListField(child=serializers.CharField())


class OneTimePasswordOut(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField()


class DirectoryResultOut(serializers.Serializer):
    applied = serializers.BooleanField()
    counts = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    rows = DirectoryRowOut(many=True)
    passwords = OneTimePasswordOut(many=True, help_text="新建人员的一次性密码，只返回这一次")
    emailed = serializers.ListField(child=serializers.CharField(), help_text="一次性密码已发邮件的用户名")


class MoveIn(serializers.Serializer):
    unit = serializers.IntegerField(help_text="调入单位 id（须在调用者管理的范围内且在用）")
    handover_to = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text="接手其未办结工作的原单位同事 id；省略则按规则选定：原单位在岗、担任其相同角色者，"
        "相同角色多者优先，再按用户名",
    )  # fmt: skip
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False, allow_null=True, default=None,
        help_text="在新单位的角色；省略则保留其工作角色（信息员、审签人、编辑、签发人、领导），管理员角色不随人调动",
    )  # fmt: skip
    dry_run = serializers.BooleanField(required=False, default=False, help_text="只预览交接，不调动")


class MoveWorkOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    entries = serializers.ListField(child=serializers.CharField())
    moves = serializers.BooleanField(help_text="true：交给交接人；false：仍由原单位办理，交接人收到提醒")


class HandoverToOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()


class MoveOut(serializers.Serializer):
    applied = serializers.BooleanField()
    person = PersonSerializer()
    from_unit = UnitRefSerializer()
    to_unit = UnitRefSerializer()
    work = MoveWorkOut(many=True, help_text="其在原单位未办结的工作")
    handover_to = HandoverToOut(allow_null=True)
    refused = serializers.BooleanField()
    reason = serializers.CharField(help_text="不能调动的原因（中文）；可以调动时为空")
    lines = serializers.ListField(child=serializers.CharField(), help_text="交接预览，一行一类工作")


def _yes_no(value) -> str:
    return "" if value is None else ("是" if value else "否")


def _unit_row(line: int, d: dict) -> Row:
    return Row(sheet=UNIT_SHEET, line=line, values={
        "代码": d["code"].strip(), "名称": d["name"].strip(), "简称": d["short_name"].strip(),
        "上级单位代码": d["parent_code"].strip(), "单位类型": KIND_LABELS[d["kind"]] if d["kind"] else "",
        "考核类别": d["assessment_class"].strip(), "排序号": "", "是否启用": _yes_no(d["is_active"]),
    })  # fmt: skip


def _person_row(line: int, d: dict) -> Row:
    roles = "" if d["roles"] is None else ROLE_SEPARATOR.join(ROLE_LABELS[r] for r in d["roles"])
    return Row(sheet=PERSON_SHEET, line=line, values={
        "用户名": d["username"].strip(), "姓名": d["full_name"].strip(), "单位代码": d["unit_code"].strip(),
        "角色": roles, "手机": d["phone"].strip(), "邮箱": d["email"].strip(), "是否启用": _yes_no(d["is_active"]),
    })  # fmt: skip


def _run(request, parsed: ParsedDirectory, *, dry_run: bool, valid_only: bool, extra_refused=()) -> Response:
    plan = build_plan(parsed, importer=request.user)
    rows = [r.as_dict() for r in (*plan.units, *plan.people, *extra_refused)]
    counts = plan.counts()
    counts["people"][REFUSED] += len(extra_refused)
    out = {"applied": False, "counts": counts, "rows": rows, "passwords": [], "emailed": []}
    if (plan.refused or extra_refused) and not valid_only:
        n = len(plan.refused) + len(extra_refused)
        body = {"code": "refused", "message": f"有 {n} 行未通过检查，没有写入任何内容。"}
        return Response(body | out, status=status.HTTP_400_BAD_REQUEST)
    if dry_run or not plan.changes_anything:
        return Response(out)
    try:
        result = apply_directory(parsed=parsed, importer=request.user, valid_only=valid_only)
    except DirectoryRefused as exc:  # changed between the plan above and the apply
        return Response({"code": "refused", "message": str(exc)} | out, status=status.HTTP_409_CONFLICT)
    out["applied"] = True
    out["passwords"] = [{"username": p.username, "password": p.password} for p in result.passwords]
    out["emailed"] = result.emailed
    return Response(out)


def _require_admin(user) -> None:
    if not access.may_push(user):
        raise PermissionDenied(NOT_ADMIN)


@extend_schema(tags=["directory"])
class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """People an administrator administers (as on the unit pages); 404 for others."""

    serializer_class = PersonSerializer
    queryset = User.objects.none()  # the schema reads the model from here

    def get_queryset(self):
        return (
            access.people_for_user(self.request.user)
            .select_related("unit")
            .prefetch_related("role_grants")
            .order_by("unit__order_key", "username")
        )

    @extend_schema(responses={200: PersonSerializer(many=True), **errors(404)}, description="管理员管理范围内的人员。")
    def list(self, request, *args, **kwargs):
        _require_admin(request.user)
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[id_param("id", "人员 id")], request=MoveIn, responses={200: MoveOut, **errors(400, 404)},
        summary="调动人员（可先预览交接）",
        description="把人员调往另一单位，与调动页面、Excel 导入和目录同步同一规则：其未办结的工作（草稿、待审签和"
        "退回修改的信息）交给原单位的同事，本单位待办的约稿和批示提醒该同事；原单位的角色随即终止。"
        "有需交接的工作而无人接手时拒绝（400 refused，附中文原因）。`dry_run` 只返回预览。系统管理员专用，"
        "限其管理范围内的人员和单位。",
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        _require_admin(request.user)
        person = access.get_person_to_manage(request.user, pk)
        data = MoveIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        unit = access.units_to_move_into(request.user).filter(pk=d["unit"]).first()
        if unit is None:
            raise serializers.ValidationError({"unit": ["调入单位不存在、已停用或不在您管理的范围内。"]})
        colleague = None
        if d["handover_to"] is not None:
            colleague = access.colleagues_of(person).filter(pk=d["handover_to"]).first()
            if colleague is None:
                raise serializers.ValidationError({"handover_to": [f"交接人须是“{person.unit.name}”在岗的人员。"]})
        roles = handover.carried_roles(person.role_set) if d["roles"] is None else set(d["roles"])
        with transaction.atomic():
            preview = handover.preview_move(person, unit, colleague=colleague)
            body = {"applied": False, "from_unit": person.unit, "to_unit": unit} | preview.as_dict()
            if not preview.refusal and not d["dry_run"]:
                actions.move_person(person=person, unit=unit, colleague=preview.colleague, actor=request.user,
                                    roles=roles)  # fmt: skip
                body["applied"] = True
        moved = User.objects.select_related("unit").prefetch_related("role_grants").get(pk=person.pk)
        out = MoveOut(body | {"person": moved}).data
        if preview.refusal:
            return Response({"code": "refused", "message": preview.refusal} | out, status=status.HTTP_400_BAD_REQUEST)
        return Response(out)

    @extend_schema(parameters=[id_param("id", "人员 id")], responses={200: PersonSerializer, **errors(404)})
    def retrieve(self, request, *args, **kwargs):
        person = access.get_person_for_user(request.user, kwargs["pk"])
        person = self.get_queryset().get(pk=person.pk)
        return Response(PersonSerializer(person).data)


class DirectoryView(APIView):
    @extend_schema(
        tags=["directory"], request=DirectoryIn, responses={200: DirectoryResultOut, **errors(400, 404, 409)},
        description="新建、修改、停用单位和人员（批量，一次一个列表），与 Excel 导入同一套检查：按代码匹配单位、"
        "按用户名匹配人员；`is_active: false` 停用，从不删除；`roles` 省略则保留现有角色。任何一行被拒绝时不写入，"
        "除非 `valid_only`。新建人员的一次性密码只在此返回一次（有邮箱的发邮件）。",
    )  # fmt: skip
    def post(self, request):
        _require_admin(request.user)
        data = DirectoryIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        parsed = ParsedDirectory(
            units=[_unit_row(i, u) for i, u in enumerate(d["units"], start=1)],
            people=[_person_row(i, p) for i, p in enumerate(d["people"], start=1)],
        )
        return _run(request, parsed, dry_run=d["dry_run"], valid_only=d["valid_only"])


class DisablePeopleView(APIView):
    @extend_schema(
        tags=["directory"], request=DisableIn, responses={200: DirectoryResultOut, **errors(400, 404, 409)},
        description="停用人员（离职等），按用户名；其历史、信息和积分仍归属本人，从不删除。",
    )  # fmt: skip
    def post(self, request):
        _require_admin(request.user)
        data = DisableIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        wanted = list(dict.fromkeys(u.strip() for u in d["usernames"]))
        found = {u.username: u for u in User.objects.filter(username__in=wanted).select_related("unit")}
        rows, unknown = [], []
        for line, username in enumerate(wanted, start=1):
            user = found.get(username)
            if user is None or user.unit_id is None:
                r = RowPlan(sheet=PERSON_SHEET, line=line, key=username, label="")
                r.refuse("没有该用户" if user is None else "该用户没有所属单位")
                unknown.append(r)
                continue
            code = user.unit.code or f"U{user.unit_id}"  # the export's stand-in for a unit without a code
            values = {"用户名": username, "姓名": user.full_name or username, "单位代码": code, "是否启用": "否"}
            rows.append(Row(sheet=PERSON_SHEET, line=line, values=values))
        parsed = ParsedDirectory(units=[], people=rows)
        return _run(request, parsed, dry_run=d["dry_run"], valid_only=d["valid_only"], extra_refused=unknown)


def register(router) -> None:
    router.register("people", PersonViewSet, basename="api-person")


urlpatterns = [
    path("directory/", DirectoryView.as_view(), name="api-directory"),
    path("directory/people/disable/", DisablePeopleView.as_view(), name="api-directory-disable"),
]
