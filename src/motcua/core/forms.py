"""Form fields shared by the pages, and the renderer of their widgets."""

from pathlib import Path

import django.forms
from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

from motcua.core.text import vi_sorted


class VietnameseOrderIterator(ModelChoiceIterator):
    """The choices in Vietnamese alphabetical order of their labels (see core.text.vi_sort_key):
    the database cannot sort that way on SQLite, and the lists (units, fields) are short."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in vi_sorted(self.queryset, key=self.field.label_from_instance):
            yield self.choice(obj)


class VietnameseModelChoiceField(forms.ModelChoiceField):
    iterator = VietnameseOrderIterator


# A year outside these is a typing mistake or a probe; refused before date arithmetic can overflow
# (year 1 minus UTC+7, 31/12/9999 plus a day). The API takes the same range (api.schemas).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199


def plausible_date(value) -> None:
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise forms.ValidationError(
            "Năm phải từ %(first)s đến %(last)s.",
            code="year_out_of_range",
            params={"first": EARLIEST_YEAR, "last": LATEST_YEAR},
        )


class PlausibleDateField(forms.DateField):
    default_validators = [plausible_date]


# Page numbers of the pages' lists: past this the database's OFFSET could overflow (a 500).
LAST_PAGE = 10**6


def page_number(value) -> int:
    """A list's page number from the query string: 1 when missing or unreadable, at most LAST_PAGE."""
    try:
        return min(max(1, int(value or 1)), LAST_PAGE)
    except (TypeError, ValueError):
        return 1


# --- widgets rendered without the template engine --------------------------------------------------

# Where Django keeps its widget templates: a name found elsewhere is a project's override.
_DJANGO_FORMS_TEMPLATES = str(Path(django.forms.__file__).parent / "templates")
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        *("text", "checkbox", "color", "date", "datetime", "email", "hidden", "number"),
        *("password", "search", "tel", "time", "url"),
    )
)


def _text(value) -> str:
    """`{{ value }}` in a template: localized, made a string, escaped unless marked safe."""
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}` (the filter keeps a safe value safe)."""
    text = str(value)
    return _text(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs: dict) -> str:
    return "".join(
        f" {_text(name)}" + ("" if value is True else f'="{_formatted(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = f' value="{_formatted(widget["value"])}"' if widget["value"] is not None else ""
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>\n"
    )


class WidgetRenderer(DjangoTemplates):
    """Django's form renderer, with the plain widgets — inputs, selects and their options, text
    areas — written out here instead of through their templates: a select of twenty options is
    twenty-one template renders otherwise, a third of an inbox page's time (docs/reliability.md,
    "Load"). The markup is Django's own, character for character (tests/core/test_forms.py compares
    it with the templates'); every other template — forms, fields, other widgets, and any widget
    template a project overrides by name — goes through the engine as before."""

    def __init__(self):
        super().__init__()
        self._django_own: dict[str, bool] = {}

    def render(self, template_name, context, request=None):
        return self._render(template_name, context, request).strip()

    def _is_django_own(self, template_name: str) -> bool:
        """The engine finds Django's own file for this name (not a project's override of it)."""
        if template_name not in self._django_own:
            origin = self.get_template(template_name).origin.name
            self._django_own[template_name] = str(origin).startswith(_DJANGO_FORMS_TEMPLATES)
        return self._django_own[template_name]

    def _render(self, template_name, context, request) -> str:
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is None or not self._is_django_own(template_name):
            return self._by_engine(template_name, context, request)
        if template_name in _INPUT_TEMPLATES:
            return _input(widget) + "\n"  # text.html and the like: the include, then a newline
        if template_name == "django/forms/widgets/select.html":
            parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
            for group_name, group_choices, _index in widget["optgroups"]:
                if group_name:
                    parts.append(f'\n  <optgroup label="{_text(group_name)}">')
                for option in group_choices:
                    parts.append("\n  ")
                    parts.append(self._render(option["template_name"], {"widget": option}, request))
                if group_name:
                    parts.append("\n  </optgroup>")
            parts.append("\n</select>\n")
            return "".join(parts)
        if template_name == "django/forms/widgets/select_option.html":
            return (
                f'<option value="{_formatted(widget["value"])}"{_attrs(widget["attrs"])}>'
                f"{_text(widget['label'])}</option>\n"
            )
        if template_name == "django/forms/widgets/textarea.html":
            value = _text(widget["value"]) if widget["value"] else ""
            return (
                f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
                f"{value}</textarea>\n"
            )
        return self._by_engine(template_name, context, request)

    def _by_engine(self, template_name, context, request) -> str:
        return self.get_template(template_name).render(context, request=request)
