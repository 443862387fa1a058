"""The publications part of the API: adopting and forwarding items, publications and
their pools, composing and signing off issues, the Word file and the PDF (instructions: instructions.py).

Thin like the pages: get the object through the access functions (missing and forbidden
both answer 404), call one action, serialize what it returns. Whether the caller may *act*
is the action's decision: its refusal (a TransitionError) answers 409 with its Chinese
message, its ValidationError 400 (govinfo/api/errors.py).
"""

from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.urls import re_path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from publications import access, actions, queries
from publications.copies import issue_copy
from publications.downloads import DOCX, PDF, PdfUnavailable, issue_docx_response, issue_pdf_response
from publications.models import Adoption, Issue, Publication
from submissions import access as item_access
from submissions import actions as item_actions
from submissions.models import Item

from . import publication_serializers as s
from .base import AnyAccept, id_param, is_schema_view, pick

ID = r"[^/.]+"  # the routers' own lookup: any id reaches the view, which answers 404 in JSON


# --- Adoptions of items -------------------------------------------------------------------


def _adoption_out(user, pk) -> dict:
    return s.AdoptionSerializer(access.get_adoption_for_editor(user, pk, detail=True)).data


@extend_schema(tags=["adoptions"])
class ItemAdoptViewSet(viewsets.GenericViewSet):
    """POST items/{id}/adopt/: the office's editor adopts an item into a publication."""

    serializer_class = s.AdoptIn

    @extend_schema(
        operation_id="items_adopt",
        parameters=[id_param("id", "信息 id")],
        request=s.AdoptIn,
        responses={201: s.AdoptionSerializer, **s.errors(400, 404, 409)},
        description="采用信息（信息、简讯或摘编）。需为该信息接收单位的编辑；`version` 为信息版本号（乐观锁）。",
    )
    def create(self, request, pk):
        item = item_access.get_item_for_editor(request.user, pk)
        data = s.AdoptIn(data=request.data, publications=access.editable_publications(request.user))
        data.is_valid(raise_exception=True)
        d = data.validated_data
        adoption = actions.adopt(
            item=item, user=request.user, publication=d["publication"], form=d["form"], title=d["title"],
            body=d["body"], expected_version=d["version"],
        )  # fmt: skip
        return Response(_adoption_out(request.user, adoption.pk), status=status.HTTP_201_CREATED)


@extend_schema(tags=["adoptions"])
class ItemForwardViewSet(viewsets.GenericViewSet):
    """POST items/{id}/forward/: 转报 an adopted item to the parent office."""

    serializer_class = s.ForwardIn

    @extend_schema(
        operation_id="items_forward",
        parameters=[id_param("id", "信息 id")],
        request=s.ForwardIn,
        responses={201: s.ForwardedSerializer, **s.errors(400, 404, 409)},
        description="转报上级：接收该信息的单位的编辑将已采用的信息作为本单位报送件报上级单位。",
    )
    def create(self, request, pk):
        item = item_access.get_item_for_editor(request.user, pk)
        data = s.ForwardIn(data=request.data)
        data.is_valid(raise_exception=True)
        copy = item_actions.create_forwarded(original=item, user=request.user, note=data.validated_data["note"])
        copy = Item.objects.select_related("office").get(pk=copy.pk)
        return Response(s.ForwardedSerializer(copy).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["adoptions"])
@extend_schema_view(
    retrieve=extend_schema(responses={200: s.AdoptionSerializer, **s.errors(404)}, description="本单位刊物的采用记录。")
)
class AdoptionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """An adoption, for the editors of its publication: read, withdraw, record that an
    office above the system adopted it too."""

    serializer_class = s.AdoptionSerializer
    queryset = Adoption.objects.none()

    def get_object(self) -> Adoption:
        return access.get_adoption_for_editor(self.request.user, self.kwargs["pk"], detail=True)

    @extend_schema(
        request=s.WithdrawIn,
        responses={200: s.AdoptionSerializer, **s.errors(400, 404, 409)},
        description="撤销采用（所在期未签发时）；积分记冲正。",
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk):
        adoption = access.get_adoption_for_editor(request.user, pk)
        data = s.WithdrawIn(data=request.data)
        data.is_valid(raise_exception=True)
        actions.withdraw_adoption(adoption=adoption, user=request.user, reason=data.validated_data["reason"])
        return Response(_adoption_out(request.user, adoption.pk))

    @extend_schema(
        request=s.ExternalAdoptionIn,
        responses={201: s.ExternalAdoptionSerializer, **s.errors(400, 404, 409)},
        description="登记上级（如国办）采用，须有依据。",
    )
    @action(detail=True, methods=["post"])
    def external(self, request, pk):
        adoption = access.get_adoption_for_editor(request.user, pk)
        data = s.ExternalAdoptionIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        external = actions.record_external_adoption(
            adoption=adoption, user=request.user, level=d["level"].strip() or "国办", day=d["date"],
            evidence=d["evidence"],
        )  # fmt: skip
        return Response(s.ExternalAdoptionSerializer(external).data, status=status.HTTP_201_CREATED)


# --- Publications ---------------------------------------------------------------------------


@extend_schema(tags=["publications"])
@extend_schema_view(
    list=extend_schema(description="本单位的刊物（编辑和签发人）；其他人得到空列表。"),
    retrieve=extend_schema(responses={200: s.PublicationSerializer, **s.errors(404)}),
)
class PublicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.PublicationSerializer
    queryset = Publication.objects.none()

    def get_queryset(self):
        user = self.request.user
        if is_schema_view(self) or not access.can_list_publications(user):
            return Publication.objects.none()
        return queries.office_publications(user)  # as the page lists them

    def get_object(self) -> Publication:
        publication = access.get_publication_for_editor(self.request.user, self.kwargs["pk"])
        return queries.with_counts(Publication.objects.filter(pk=publication.pk)).get()

    @extend_schema(
        responses={200: s.AdoptionSerializer(many=True), **s.errors(404)},
        description="待编池：已采用、尚未编入任何一期的信息，先采用的在前。",
    )
    @action(detail=True, methods=["get"], serializer_class=s.AdoptionSerializer)
    def pool(self, request, pk):
        publication = access.get_publication_for_editor(request.user, pk)
        queryset = (
            queries.pool(publication).select_related("publication", "adopted_by").prefetch_related("sources__unit")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.AdoptionSerializer(page, many=True).data)

    @extend_schema(
        request=s.CompositeIn,
        responses={201: s.AdoptionSerializer, **s.errors(400, 404, 409)},
        description="合并采用（综合）：把编辑台上的多条信息合成一条采用到本刊物，每条来源都计入。",
    )
    @action(detail=True, methods=["post"], serializer_class=s.CompositeIn)
    def composite(self, request, pk):
        publication = access.get_publication_for_editor(request.user, pk)
        data = s.CompositeIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        items = pick(item_access.desk_items(request.user), d["items"], "items", "编辑台上没有找到部分信息。")
        adoption = actions.adopt_composite(
            items=items, user=request.user, publication=publication, title=d["title"], body=d["body"]
        )
        return Response(_adoption_out(request.user, adoption.pk), status=status.HTTP_201_CREATED)


# --- Issues ---------------------------------------------------------------------------------


def _issue_detail(user, issue: Issue) -> dict:
    issue = access.get_issue_for_user(user, issue.pk)
    copy = issue_copy(issue, user)
    issue.ordered = list(copy.adoptions)
    issue.adoption_count = len(issue.ordered)
    issue.withheld = copy.withheld
    issue.withheld_note = copy.withheld_note
    issue.can_compose = access.can_compose(user, issue)
    issue.can_sign_off = access.can_sign(user, issue)
    return s.IssueDetailSerializer(issue).data


_issue_errors = s.errors(400, 404, 409)


class IssueTakeBackIn(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=300, default="", help_text="退回理由（签发人退回时必填）"
    )


@extend_schema(tags=["issues"])
@extend_schema_view(
    list=extend_schema(
        parameters=[s.IssueFilter],
        responses={200: s.IssueSerializer(many=True), **s.errors(400)},
        description="调用者可阅读的期：分发给本单位的已签发各期；本单位编辑和签发人另见编排中的期。",
    ),
    retrieve=extend_schema(
        responses={200: s.IssueDetailSerializer, **s.errors(404)},
        description="一期的内容（按编排顺序）。已签发的期记录阅读回执。",
    ),
)
class IssueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.IssueSerializer
    queryset = Issue.objects.none()

    def get_queryset(self):
        if is_schema_view(self):
            return Issue.objects.none()
        filters = s.IssueFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = access.readable_issues(self.request.user)
        if "publication" in filters.validated_data:
            queryset = queryset.filter(publication_id=filters.validated_data["publication"])
        if "state" in filters.validated_data:
            queryset = queryset.filter(state=filters.validated_data["state"])
        return (
            queryset.select_related("publication", "signed_by", "sent_by")
            .annotate(adoption_count=Count("adoptions"))
            .order_by("-created_at", "-pk")
        )

    def retrieve(self, request, pk):
        issue = access.get_issue_for_user(request.user, pk)
        actions.mark_read(issue=issue, user=request.user)
        return Response(_issue_detail(request.user, issue))

    @extend_schema(
        request=s.IssueCreateIn,
        responses={201: s.IssueDetailSerializer, **_issue_errors},
        description="新建一期（编辑），可同时编入待编池中的采用记录。",
    )
    def create(self, request):
        data = s.IssueCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        publication = access.get_publication_for_editor(request.user, d["publication"])
        with transaction.atomic():
            issue = actions.create_issue(publication=publication, user=request.user, special=d["special"])
            if d["adoptions"]:
                adoptions = pick(publication.adoptions.all(), d["adoptions"], "adoptions", "没有找到部分采用记录。")
                actions.add_to_issue(issue=issue, adoptions=adoptions, user=request.user)
        return Response(_issue_detail(request.user, issue), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.IssueAddIn, responses={200: s.IssueDetailSerializer, **_issue_errors},
                   description="把待编池中的采用记录编入本期（按给出的顺序排在末尾）。")  # fmt: skip
    @action(detail=True, methods=["post"], serializer_class=s.IssueAddIn)
    def add(self, request, pk):
        issue = access.get_issue_for_editor(request.user, pk)
        data = s.IssueAddIn(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data["adoptions"]
        adoptions = pick(issue.publication.adoptions.all(), ids, "adoptions", "没有找到部分采用记录。")
        actions.add_to_issue(issue=issue, adoptions=adoptions, user=request.user)
        return Response(_issue_detail(request.user, issue))

    @extend_schema(request=s.IssueRemoveIn, responses={200: s.IssueDetailSerializer, **_issue_errors},
                   description="把一条采用记录移出本期，放回待编池。")  # fmt: skip
    @action(detail=True, methods=["post"], serializer_class=s.IssueRemoveIn)
    def remove(self, request, pk):
        issue = access.get_issue_for_editor(request.user, pk)
        data = s.IssueRemoveIn(data=request.data)
        data.is_valid(raise_exception=True)
        [adoption] = pick(
            issue.publication.adoptions.all(), [data.validated_data["adoption"]], "adoption", "没有找到该采用记录。"
        )
        actions.remove_from_issue(issue=issue, adoption=adoption, user=request.user)
        return Response(_issue_detail(request.user, issue))

    @extend_schema(request=s.IssueReorderIn, responses={200: s.IssueDetailSerializer, **_issue_errors},
                   description="按给出的顺序重排本期；须列出本期全部采用记录，否则 409（排序已过期）。")  # fmt: skip
    @action(detail=True, methods=["post"], serializer_class=s.IssueReorderIn)
    def reorder(self, request, pk):
        issue = access.get_issue_for_editor(request.user, pk)
        data = s.IssueReorderIn(data=request.data)
        data.is_valid(raise_exception=True)
        actions.reorder_issue(issue=issue, order=data.validated_data["order"], user=request.user)
        return Response(_issue_detail(request.user, issue))

    @extend_schema(request=s.IssueSignOffIn, responses={200: s.IssueDetailSerializer, **_issue_errors},
                   description="签发：编号、锁定、刊发并分发本期。仅本刊物主办单位的签发人。")  # fmt: skip
    @action(detail=True, methods=["post"], url_path="sign-off", serializer_class=s.IssueSignOffIn)
    def sign_off(self, request, pk):
        issue = access.get_issue_for_user(request.user, pk)
        data = s.IssueSignOffIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        actions.sign_off_issue(
            issue=issue, user=request.user, copies=d["copies"], extra_recipients=d["extra_recipients"]
        )
        return Response(_issue_detail(request.user, issue))

    @extend_schema(request=None, responses={200: s.IssueDetailSerializer, **_issue_errors},
                   description="送签：把编排好的本期交签发人签发（本刊物主办单位的编辑）；签发人收到通知。"
                   "送签期间不能调整本期。")  # fmt: skip
    @action(detail=True, methods=["post"])
    def send(self, request, pk):
        issue = access.get_issue_for_editor(request.user, pk)
        actions.send_issue_for_signoff(issue=issue, user=request.user)
        return Response(_issue_detail(request.user, issue))

    @extend_schema(request=IssueTakeBackIn, responses={200: s.IssueDetailSerializer, **_issue_errors},
                   description="撤回送签（编辑）或退回编辑（签发人，须填 comment），本期回到可编排状态。")  # fmt: skip
    @action(detail=True, methods=["post"], url_path="take-back", serializer_class=IssueTakeBackIn)
    def take_back(self, request, pk):
        issue = access.get_issue_for_user(request.user, pk)
        if not access.composes_or_signs(request.user, issue.publication):
            raise Http404  # a reader of a signed issue: as the page
        data = IssueTakeBackIn(data=request.data)
        data.is_valid(raise_exception=True)
        actions.take_back_issue(issue=issue, user=request.user, comment=data.validated_data["comment"])
        return Response(_issue_detail(request.user, issue))

    @extend_schema(
        responses={
            (200, DOCX): OpenApiResponse(OpenApiTypes.BINARY, description="Word 文件"),
            **s.errors(404),
        },
        description="本期的 Word 文件（已签发的期为签发时生成的文件），阅读规则同网页。",
    )
    @action(detail=True, methods=["get"], content_negotiation_class=AnyAccept)
    def docx(self, request, pk):
        # As the page: the same reading rules and the same file.
        return issue_docx_response(access.get_issue_for_user(request.user, pk), request.user)

    @extend_schema(
        responses={
            (200, PDF): OpenApiResponse(OpenApiTypes.BINARY, description="PDF 文件"),
            **s.errors(404, 503),
        },
        description="本期的 PDF（已签发的期为签发后生成的文件），阅读规则同 Word 文件；"
        "服务器未安装 LibreOffice 或生成失败时答 503 pdf_unavailable，请改取 docx。",
    )
    @action(detail=True, methods=["get"], content_negotiation_class=AnyAccept)
    def pdf(self, request, pk):
        # As the page: the same reading rules and the same file; where the page says
        # "no PDF here, take the Word file", the API says so as a 503.
        issue = access.get_issue_for_user(request.user, pk)
        try:
            return issue_pdf_response(issue, request.user)
        except PdfUnavailable as exc:
            raise PdfUnavailableError(str(exc)) from exc


class PdfUnavailableError(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "pdf_unavailable"
    default_detail = "暂不能生成 PDF，请下载 Word 文件。"


def register(router) -> None:
    router.register("publications", PublicationViewSet, basename="api-publication")
    router.register("issues", IssueViewSet, basename="api-issue")
    router.register("adoptions", AdoptionViewSet, basename="api-adoption")


urlpatterns = [
    re_path(rf"^items/(?P<pk>{ID})/adopt/$", ItemAdoptViewSet.as_view({"post": "create"}), name="api-item-adopt"),
    re_path(rf"^items/(?P<pk>{ID})/forward/$", ItemForwardViewSet.as_view({"post": "create"}), name="api-item-forward"),
]
