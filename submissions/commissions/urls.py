from django.urls import path

from . import views

urlpatterns = [
    path("commissions/", views.commission_list, name="commission_list"),
    path("commissions/new/", views.commission_create, name="commission_create"),
    path("commissions/inbox/", views.commission_inbox, name="commission_inbox"),
    path("commissions/<int:pk>/", views.commission_detail, name="commission_detail"),
    path("commissions/<int:pk>/answer/", views.commission_answer, name="commission_answer"),
    path("progress/", views.progress_status, name="progress_status"),
]
