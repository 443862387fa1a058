"""Form widgets written out in Python where the template machinery costs too much."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    """A <select> with the markup of Django's own widget templates, built in Python.

    Django renders a select through a template per option; the desk's filters hold
    dozens of options (every unit reporting to the office), and that rendering cost
    more than the desk's queries (issue 18). The choices and which one is selected
    come from Select itself (`get_context`), so only the writing out differs.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{flatatt(widget["attrs"])}>']
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f'<optgroup label="{escape(group)}">')
            for option in options:
                value, label = escape(option["value"]), escape(option["label"])
                parts.append(f'<option value="{value}"{flatatt(option["attrs"])}>{label}</option>')
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # noqa: S308 -- every value above is escaped


class _ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """The queryset's rows in one plain query: ModelChoiceIterator reads them through a
    server-side cursor (DECLARE, FETCH, CLOSE: three round trips per list)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class QuickModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField listed in one query and written out by QuickSelect."""

    widget = QuickSelect
    iterator = _ListedChoiceIterator
