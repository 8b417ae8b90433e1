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
