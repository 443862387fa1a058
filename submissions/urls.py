from django.urls import path

from . import views

urlpatterns = [
    path("items/", views.my_items, name="my_items"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/new/import/", views.item_import, name="item_import"),
    path("items/check/", views.item_check, name="item_check"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/revise/", views.item_editor_edit, name="item_editor_edit"),
    path("items/<int:pk>/diff/", views.item_diff, name="item_diff"),
    path("items/<int:pk>/act/<slug:action>/", views.item_act, name="item_act"),
    path("items/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("attachments/<int:pk>/print/", views.attachment_print, name="attachment_print"),
    path("signoff/", views.signoff_queue, name="signoff_queue"),
    path("desk/", views.desk, name="desk"),
]
