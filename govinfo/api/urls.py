from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import auth, base, items, publications, scoring

router = DefaultRouter()
router.register("units", base.UnitViewSet, basename="api-unit")
items.register(router)
publications.register(router)
scoring.register(router)

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="api-token"),
    path("auth/tokens/<int:user_id>/", auth.UserTokenView.as_view(), name="api-user-token"),
    path("me/", base.MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so the docs need no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("govinfo.api.publications")),
    path("", include(router.urls)),
]
