"""Emergencies (突发事件) over the API, over submissions/emergencies/: the reporting unit's
staff report a case with its 首报 and add 续报/终报; the unit's readers and the receiving
office's editors follow the cases, their reports and the written-report timer.

The reports are items: they are sent for sign-off and signed off through the items
endpoints, as on the pages.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from submissions.emergencies import access, actions, queries
from submissions.emergencies.forms import CaseFilterForm
from submissions.models import EmergencyCase

from . import emergency_serializers as s
from .errors import ErrorSerializer, errors
from .item_serializers import ItemDetailSerializer
from .items import item_detail_response


def _timer(case: EmergencyCase, now: dt.datetime) -> dict:
    """The case's timer as the case page shows it: running until the written report is
    in (or the case is closed); afterwards, by how much the written report was late."""
    deadline = case.written_deadline
    running = case.written_at is None and case.closed_at is None
    shown = queries.timer(deadline, now) if running else None
    if running:
        past = int((now - deadline).total_seconds())
    elif case.written_at is not None:
        past = int((case.written_at - deadline).total_seconds())
    else:
        past = 0
    overdue = past > 0
    return {
        "deadline": deadline,
        "running": running,
        "overdue": overdue,
        "remaining_seconds": -past if running and not overdue else None,
        "overdue_seconds": past if overdue else None,
        "text": shown.text if shown else None,
    }


@extend_schema_view(
    list=extend_schema(
        summary="突发事件列表（接收单位编辑：报送到本单位的；报送单位信息员、审签人、领导：本单位的）",
        description="未结案的在前，其次按发生时间由近及远。无权查看突发事件的用户得到空列表。",
        parameters=[s.EmergencyCaseFilterSerializer],
        responses={200: s.EmergencyCaseSerializer(many=True), 400: ErrorSerializer},
    ),
    retrieve=extend_schema(
        summary="突发事件详情：等级、时间、书面报告计时和各次报告",
        description=f"无权阅读的报告只显示类型和状态，标题为“{s.WITHHELD_TITLE}”。",
        responses={200: s.EmergencyCaseDetailSerializer, 404: ErrorSerializer},
    ),
    create=extend_schema(
        summary="报告突发事件：建立事件并撰写首报草稿（信息员）",
        description="书面报告时限按等级从事件发生时间起算；首报草稿经本单位审签报送后停止计时。"
        "首报通过信息接口提交审签（items/{id}/submit/）。",
        request=s.EmergencyCaseInSerializer,
        responses={201: s.EmergencyCaseDetailSerializer, **errors(400, 404, 409)},
    ),
)
class EmergencyCaseViewSet(viewsets.GenericViewSet):
    queryset = EmergencyCase.objects.none()  # lets the schema type the id; cases come from the access functions
    serializer_class = s.EmergencyCaseSerializer

    def list(self, request):
        query = s.EmergencyCaseFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        # The page's filter form applies the (now valid) values, so both filter alike.
        filters = CaseFilterForm({k: v for k, v in query.validated_data.items() if v})
        qs = queries.listed_cases(request.user, filters)
        page = self.paginate_queryset(qs)
        now = timezone.now()
        for case in page:
            case.timer = _timer(case, now)
        out = s.EmergencyCaseSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(out.data)

    def retrieve(self, request, pk=None):
        return Response(self._detail(pk))

    def _detail(self, pk) -> dict:
        user = self.request.user
        case = access.get_case_for_user(user, pk)
        # The list's annotations (written report time, reports submitted) for this one case.
        case = queries.case_listing(EmergencyCase.objects.filter(pk=case.pk)).select_related("office").get()
        case.timer = _timer(case, timezone.now())
        case.report_rows = queries.case_reports(user, case)  # `reports` is the related manager
        case.can_add_report = access.can_add_report(user, case)
        return s.EmergencyCaseDetailSerializer(case, context=self.get_serializer_context()).data

    def create(self, request):
        user = request.user
        # As the page: only staff of a unit that has an office above it report; forbidden looks like missing.
        if not access.can_report_emergency(user):
            raise PermissionDenied
        data = s.EmergencyCaseInSerializer(data=request.data, context={"office": user.unit.parent})
        data.is_valid(raise_exception=True)
        form = data.validated_data["form"]
        item = actions.start_case(author=user, data=form.to_data(), case=form.case_data())
        return Response(self._detail(item.emergency_case_id), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="续报或终报：撰写该事件的下一份报告草稿（报送单位的信息员）",
        description="首报报送后才能续报；终报经审签报送后结案，之后不能再添加报告。"
        "返回新报告（信息）的详情，通过信息接口提交审签。",
        request=s.EmergencyReportInSerializer,
        responses={201: ItemDetailSerializer, **errors(400, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reports(self, request, pk=None):
        user = request.user
        case = access.get_case_for_user(user, pk)
        # As the page: other readers of the case see it but may not write its reports.
        if not access.can_write_reports(user, case):
            raise PermissionDenied
        data = s.EmergencyReportInSerializer(data=request.data, context={"office": case.office})
        data.is_valid(raise_exception=True)
        form = data.validated_data["form"]
        # The action refuses a closed case or a 首报 not yet submitted (409).
        item = actions.add_report(case=case, author=user, data=form.to_data(), kind=form.cleaned_data["kind"])
        return item_detail_response(item, self.get_serializer_context(), status.HTTP_201_CREATED)
