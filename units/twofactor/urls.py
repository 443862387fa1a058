from django.urls import path

from . import views

# Every two-factor page lives under /2fa/: the middleware lets a half-signed-in person
# reach this prefix and nothing else.
urlpatterns = [
    path("2fa/", views.manage, name="two_factor"),
    path("2fa/verify/", views.verify, name="two_factor_verify"),
    path("2fa/setup/", views.setup, name="two_factor_setup"),
]
