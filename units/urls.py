from django.urls import include, path

from . import views

urlpatterns = [
    path("units/", views.directory, name="unit_directory"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("people/<int:pk>/move/", views.person_move, name="person_move"),
    path("people/<int:pk>/leave/", views.person_leave, name="person_leave"),
    path("", include("units.directory.urls")),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
