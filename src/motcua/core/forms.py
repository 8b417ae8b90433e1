"""Form fields shared by the pages."""

from django import forms
from django.forms.models import ModelChoiceIterator

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
