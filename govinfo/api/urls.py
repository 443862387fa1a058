from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import auth, base, directory, emergencies, instructions, items, publications, scoring

router = DefaultRouter()
router.register("units", base.UnitViewSet, basename="api-unit")
items.register(router)
router.register("emergencies", emergencies.EmergencyCaseViewSet, basename="api-emergency")
publications.register(router)
instructions.register(router)
scoring.register(router)
directory.register(router)


@csrf_exempt  # it changes nothing, and a POST to a wrong path should still read as a 404
def not_found(request, unmatched: str):
    """A path under /api/v1/ that no route matches answers like any other missing
    resource of the API (errors.py), in JSON, not with the HTML page meant for people."""
    return JsonResponse(
        {"code": "not_found", "message": "没有找到该资源。"}, status=404, json_dumps_params={"ensure_ascii": False}
    )


urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="api-token"),
    path("auth/tokens/<int:user_id>/", auth.UserTokenView.as_view(), name="api-user-token"),
    path("me/", base.MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so the docs need no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("govinfo.api.publications")),
    path("", include("govinfo.api.instructions")),
    path("", include("govinfo.api.directory")),
    path("", include(router.urls)),
    # Last, and only with a trailing slash, so that CommonMiddleware still redirects
    # "/api/v1/items" to "/api/v1/items/" before anything answers 404.
    path("<path:unmatched>/", not_found, name="api-not-found"),
]
