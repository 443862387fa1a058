from django.urls import path

from . import public_views, views

urlpatterns = [
    path("items/<int:pk>/adopt/", views.adopt, name="item_adopt"),
    path("items/<int:pk>/forward/", views.forward, name="item_forward"),
    path("adoptions/<int:pk>/withdraw/", views.withdraw, name="adoption_withdraw"),
    path("adoptions/<int:pk>/external/", views.external_adoption, name="external_adoption"),
    path("publications/", views.publication_list, name="issue_list"),
    path("publications/<int:pk>/", views.publication_detail, name="publication_detail"),
    path("publications/<int:pk>/composite/", views.composite, name="composite"),
    path("publications/<int:pk>/issues/new/", views.issue_create, name="issue_create"),
    path("publications/<int:pk>/compile/", views.compile_now, name="compile_now"),
    path("compile-runs/<int:pk>/", views.compile_run, name="compile_run"),
    path("issues/pending/", views.issue_signoff_queue, name="issue_signoff_queue"),
    path("issues/<int:pk>/", views.issue_detail, name="issue_detail"),
    path("issues/<int:pk>/add/", views.issue_add, name="issue_add"),
    path("issues/<int:pk>/remove/", views.issue_remove, name="issue_remove"),
    path("issues/<int:pk>/move/", views.issue_move, name="issue_move"),
    path("issues/<int:pk>/sign/", views.issue_sign, name="issue_sign"),
    path("issues/<int:pk>/send/", views.issue_send, name="issue_send"),
    path("issues/<int:pk>/take-back/", views.issue_take_back, name="issue_take_back"),
    path("issues/<int:pk>/docx/", views.issue_docx, name="issue_docx"),
    path("issues/<int:pk>/pdf/", views.issue_pdf, name="issue_pdf"),
    path("issues/<int:pk>/pictures/<int:attachment>/", views.issue_picture, name="issue_picture"),
    path("bulletins/", views.my_bulletins, name="my_bulletins"),
    path("public/", public_views.public_index, name="public_index"),
    path("public/<int:pk>/", public_views.public_publication, name="public_publication"),
    path("public/<int:pk>/feed/", public_views.PublicFeed(), name="public_feed"),
    path("public/issues/<int:pk>/", public_views.public_issue, name="public_issue"),
]
