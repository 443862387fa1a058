from django.urls import include, path

from . import views

urlpatterns = [
    path("units/", views.directory, name="unit_directory"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("", include("units.directory.urls")),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
