from django.urls import path

from . import views

urlpatterns = [
    path("emergencies/", views.emergency_list, name="emergency_list"),
    path("emergencies/new/", views.emergency_create, name="emergency_create"),
    path("emergencies/<int:pk>/", views.emergency_case, name="emergency_case"),
    path("emergencies/<int:pk>/report/", views.emergency_followup, name="emergency_followup"),
]
