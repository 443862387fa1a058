"""The site's URLs plus the benchmark's reference page; used only by bench/desk.py
(ROOT_URLCONF is overridden while it measures)."""

from django.urls import include, path

from .reference import reference

urlpatterns = [
    path("_bench/reference/", reference, name="bench_reference"),
    path("", include("govinfo.urls")),
]
