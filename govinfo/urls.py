from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from govinfo.health import health
from govinfo.views import home
from units.forms import LoginForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("", include("units.twofactor.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("govinfo.api.urls")),
    path("", include("scoring.urls")),
    path("", include("publications.instructions.urls")),
    path("", include("submissions.commissions.urls")),
    path("", include("submissions.emergencies.urls")),
    path("", include("publications.urls")),
    path("", include("submissions.urls")),
    path("", include("units.urls")),
]
