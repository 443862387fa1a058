"""Shared pieces of the API: pagination, the `me` and units endpoints."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from units import access as unit_access
from units.models import Role, Unit


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "short_name", "kind", "parent", "assessment_class", "is_active", "depth"]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    unit = UnitSerializer(allow_null=True)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        data = {"id": user.pk, "username": user.username, "full_name": user.full_name, "unit": user.unit,
                "roles": sorted(user.role_set)}  # fmt: skip
        return Response(MeSerializer(data).data)


class UnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Units the caller may see: their own unit, its ancestors and its subtree."""

    serializer_class = UnitSerializer
    queryset = Unit.objects.none()  # the schema reads the model from here; rows come from get_queryset

    def get_queryset(self):
        user = self.request.user
        if user.is_superuser:
            return Unit.objects.all().order_by("order_key")
        if user.unit_id is None:
            return Unit.objects.none()
        unit = user.unit
        ids = set(unit.ancestor_ids) | set(unit_access.administered_units(user).values_list("pk", flat=True))
        subtree = Unit.objects.descendants_of(unit, include_self=True)
        return (Unit.objects.filter(pk__in=ids) | subtree).distinct().order_by("order_key")


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "display_name"]


class AnyAccept(BaseContentNegotiation):
    """File downloads answer whatever the client accepts; errors still come as JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def id_param(name: str = "id", description: str = "") -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=description)


def is_schema_view(view) -> bool:
    """drf-spectacular instantiates views without a real user to read their querysets."""
    return getattr(view, "swagger_fake_view", False)


def pick(queryset, ids: list[int], field: str, message: str) -> list:
    """The rows of `queryset` with these ids, in the order given; a 400 naming the field
    when any is missing (the caller may not know it, or it does not exist)."""
    found = queryset.in_bulk(ids)
    if len(found) != len(set(ids)):
        raise ValidationError({field: [message]})
    return [found[pk] for pk in dict.fromkeys(ids)]
