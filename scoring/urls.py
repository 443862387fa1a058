from django.urls import path

from . import views

urlpatterns = [
    path("scoring/", views.scheme_list, name="scoreboard"),
    path("scoring/<int:pk>/", views.board, name="scheme_board"),
    path("scoring/<int:pk>/export/", views.board_export, name="scheme_board_export"),
    path("scoring/<int:pk>/recompute/", views.recompute, name="scheme_recompute"),
    path("scoring/<int:pk>/statistics/", views.statistics_bulletin, name="scheme_statistics"),
    path("scoring/<int:pk>/units/<int:unit_pk>/", views.unit_ledger, name="unit_ledger"),
    path("scoring/<int:pk>/units/<int:unit_pk>/export/", views.unit_ledger_export, name="unit_ledger_export"),
]
