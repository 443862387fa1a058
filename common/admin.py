"""Admin pieces that know nothing of the domain, for every app's admin (audit's too)."""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class DateSafeChangeList(ChangeList):
    """A change list whose date drill-down (?at__year=9999&at__month=12) cannot overflow:
    Django computes the next year or month outside its own error handling, so a date past
    the calendar's end would be a 500; it becomes the admin's usual "bad filter" notice."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc
