from django.urls import path

from . import views

urlpatterns = [
    path("instructions/", views.instruction_list, name="instruction_list"),
    path("instructions/export/", views.instruction_export, name="instruction_export"),
    path("instructions/inbox/", views.instruction_inbox, name="instruction_inbox"),
    path("instructions/new/", views.instruction_create, name="instruction_create"),
    path("instructions/<int:pk>/", views.instruction_detail, name="instruction_detail"),
    path("instructions/<int:pk>/feedback/", views.instruction_feedback, name="instruction_feedback"),
    path("instructions/attachments/<int:pk>/", views.feedback_attachment, name="feedback_attachment"),
]
