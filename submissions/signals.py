"""Named hooks for apps to the right (scoring). Receivers run in the sender's transaction."""

from django.dispatch import Signal

# A fault that the assessing office's scheme may penalise.
# kwargs: office=<Unit> (the assessing office), unit=<Unit>, kind=<str: late, missed, concealed,
# false, commission, feedback, emergency_late>, reason=<str>, ref=<str, unique per fault so a
# task that runs twice penalises once>, item=<Item|None>, user=<User|None>
penalty_due = Signal()
