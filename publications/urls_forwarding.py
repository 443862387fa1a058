from django.urls import path

from . import forwarding

urlpatterns = [
    path("items/<int:pk>/forward/", forwarding.forward, name="item_forward"),
]
