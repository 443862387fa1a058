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
    path("scoring/<int:pk>/closing/", views.closing, name="scheme_closing"),
    path("scoring/<int:pk>/closing/publicity/", views.open_publicity, name="scheme_open_publicity"),
    path("scoring/<int:pk>/closing/propose/", views.propose_closing, name="scheme_propose_closing"),
    path("scoring/<int:pk>/closing/appeals/", views.file_appeal, name="scheme_file_appeal"),
    path("scoring/<int:pk>/closing/finalise/", views.finalise, name="scheme_finalise"),
    path("scoring/<int:pk>/closing/unlock/", views.unlock, name="scheme_unlock"),
    path("scoring/<int:pk>/closing/report.docx", views.final_report, {"ext": "docx"}, name="scheme_report_docx"),
    path("scoring/<int:pk>/closing/report.xlsx", views.final_report, {"ext": "xlsx"}, name="scheme_report_xlsx"),
    path("scoring/<int:pk>/closing/report-issue/", views.final_report_issue, name="scheme_report_issue"),
    path("scoring/appeals/<int:pk>/decide/", views.decide_appeal, name="appeal_decide"),
    path("scoring/appeal-attachments/<int:pk>/", views.appeal_attachment, name="appeal_attachment"),
]
