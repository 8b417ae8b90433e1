"""core.forms.WidgetRenderer writes the plain widgets in Python: the markup must be Django's
templates' own, character for character, for any value, label and attribute."""

import datetime
from decimal import Decimal

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.forms import WidgetRenderer

# Text with what HTML must escape, Vietnamese letters and the odd control-free character.
texts = st.text(alphabet=st.sampled_from(list("aZ09 <>&\"'/=ăđếỹ\n\t-_.")), max_size=12)
values = st.one_of(
    st.none(),
    texts,
    st.integers(-(10**12), 10**12),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, max_value=10**9, min_value=-(10**9)
    ),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2199, 12, 31)),
)
attribute_values = st.one_of(st.booleans(), texts, st.integers(0, 999), texts.map(mark_safe))
attributes = st.dictionaries(
    st.sampled_from(["class", "placeholder", "required", "disabled", "data-x", "aria-label"]),
    attribute_values,
    max_size=4,
)
labels = st.one_of(texts, texts.map(mark_safe), st.integers(0, 10**7))
choices = st.lists(st.tuples(st.one_of(texts, st.integers(0, 99)), labels), max_size=6)
grouped = st.lists(st.tuples(texts, choices), max_size=3)


def both(widget: forms.Widget, name: str, value) -> tuple[str, str]:
    ours = widget.render(name, value, renderer=WidgetRenderer())
    django = widget.render(name, value, renderer=DjangoTemplates())
    return ours, django


INPUTS = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.CheckboxInput,
    forms.SearchInput,
    forms.TelInput,
    forms.ColorInput,
]


@settings(max_examples=300, deadline=None)
@given(widget=st.sampled_from(INPUTS), name=texts, value=values, attrs=attributes)
def test_inputs_are_written_as_the_templates_write_them(widget, name, value, attrs):
    ours, django = both(widget(attrs=attrs), name, value)
    assert ours == django


@settings(max_examples=200, deadline=None)
@given(name=texts, value=values, attrs=attributes)
def test_text_areas_are_written_as_the_templates_write_them(name, value, attrs):
    ours, django = both(forms.Textarea(attrs=attrs), name, value)
    assert ours == django


@settings(max_examples=300, deadline=None)
@given(
    flat=choices,
    groups=grouped,
    use_groups=st.booleans(),
    multiple=st.booleans(),
    name=texts,
    attrs=attributes,
    pick=st.integers(0, 5),
)
def test_selects_are_written_as_the_templates_write_them(
    flat, groups, use_groups, multiple, name, attrs, pick
):
    options = groups if use_groups else flat
    keys = [key for group in groups for key, _ in group[1]] if use_groups else [k for k, _ in flat]
    value = keys[pick % len(keys)] if keys else None
    widget = (forms.SelectMultiple if multiple else forms.Select)(attrs=attrs, choices=options)
    ours, django = both(widget, name, [value] if multiple else value)
    assert ours == django


class Everything(forms.Form):
    name = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": "Họ & tên"}))
    note = forms.CharField(widget=forms.Textarea, required=False)
    count = forms.IntegerField(min_value=0)
    amount = forms.DecimalField(required=False)
    agreed = forms.BooleanField(required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(choices=[("", "—"), ("a", "<A>"), ("Nhóm", [("b", "B & C")])])
    many = forms.MultipleChoiceField(choices=[(1, "một"), (2, "hai")], required=False)
    radio = forms.ChoiceField(choices=[("x", "X")], widget=forms.RadioSelect, required=False)
    upload = forms.FileField(required=False)


def test_a_whole_form_bound_with_errors_reads_the_same():
    data = {"name": "<b>Tài</b>", "count": "-1", "amount": "1,5", "kind": "b", "many": ["2"]}
    for renderer in (WidgetRenderer(), DjangoTemplates()):
        form = Everything(data=data, renderer=renderer)
        assert not form.is_valid()
    ours = Everything(data=data, renderer=WidgetRenderer()).as_div()
    django = Everything(data=data, renderer=DjangoTemplates()).as_div()
    assert ours == django
    assert "&lt;b&gt;Tài&lt;/b&gt;" in ours  # and escaped, as it must be
    unbound = Everything(initial={"amount": Decimal("12.50"), "day": datetime.date(2026, 1, 2)})
    unbound.renderer = WidgetRenderer()
    same = Everything(initial={"amount": Decimal("12.50"), "day": datetime.date(2026, 1, 2)})
    same.renderer = DjangoTemplates()
    assert unbound.as_div() == same.as_div()


def test_the_plain_widgets_do_not_go_through_the_engine_and_the_rest_does(monkeypatch):
    rendered = []
    renderer = WidgetRenderer()
    by_engine = renderer._by_engine
    monkeypatch.setattr(
        renderer,
        "_by_engine",
        lambda name, context, request: rendered.append(name) or by_engine(name, context, request),
    )
    forms.Select(choices=[(1, "một")]).render("x", 1, renderer=renderer)
    forms.TextInput().render("y", "z", renderer=renderer)
    forms.Textarea().render("t", "v", renderer=renderer)
    assert rendered == []
    forms.RadioSelect(choices=[(1, "một")]).render("r", 1, renderer=renderer)
    assert "django/forms/widgets/radio.html" in rendered


def test_a_widget_template_overridden_elsewhere_is_rendered_by_the_engine(monkeypatch):
    from django.template import engines

    renderer = WidgetRenderer()
    own = renderer.get_template
    override = engines["django"].from_string('<select class="ours">{{ widget.name }}</select>')
    monkeypatch.setattr(
        renderer,
        "get_template",
        lambda name: override if name == "django/forms/widgets/select.html" else own(name),
    )
    html = forms.Select(choices=[(1, "một")]).render("chon", 1, renderer=renderer)
    assert html == '<select class="ours">chon</select>'
    assert forms.TextInput().render("y", "z", renderer=renderer).startswith('<input type="text"')


def test_the_project_renders_its_forms_with_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), WidgetRenderer)
