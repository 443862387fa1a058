from django.urls import path

from . import views

urlpatterns = [
    path("units/directory/import/", views.directory_import, name="directory_import"),
    path("units/directory/template/", views.directory_template, name="directory_template"),
    path("units/directory/export/", views.directory_export, name="directory_export"),
    path("units/directory/import/<str:token>/", views.directory_import_job, name="directory_import_job"),
    path("units/directory/import/<str:token>/apply/", views.directory_import_apply, name="directory_import_apply"),
]
