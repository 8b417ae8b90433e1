"""The demo's feedback and ratings: every storyline is there, and indicators 5.1–5.4 computed from
them agree with the rules applied one feedback at a time (the selectors the scorecard calls)."""

from datetime import date

import pytest
from django.db import transaction
from django.db.models import F

from motcua.demo import data
from motcua.demo.services import demo_load
from motcua.dossiers.models import Dossier
from motcua.feedback import rules
from motcua.feedback.models import Feedback, FeedbackStatus, Rating
from motcua.feedback.selectors import (
    dossiers_with_feedback_or_dislike_q,
    feedback_indicator_sets,
)
from motcua.indicators.rules import period_bounds
from motcua.units.models import Unit
from tests.demo.test_demo import TODAY, fast_hasher

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), fast_hasher(), transaction.atomic():
        result = demo_load(dossiers=150, seed=7, today=TODAY)
        yield result
        transaction.set_rollback(True)


def test_every_feedback_storyline_and_ratings(demo):
    assert demo["feedback_created"] > 0 and demo["ratings_created"] > 0
    items = Feedback.objects.all()
    assert items.filter(late=True).exists()
    assert items.filter(status=FeedbackStatus.REFUSED).exists()
    assert items.filter(status=FeedbackStatus.PUBLISHED, late=False).exists()
    assert items.filter(events__kind="forwarded").exists()
    assert items.filter(dislikes__gt=0).filter(dislikes__gt=F("likes")).exists()
    assert items.filter(raised_again__gt=0).exists()
    assert items.filter(status__in=(FeedbackStatus.RECEIVED, FeedbackStatus.ANSWERED)).exists()
    assert Rating.objects.filter(score__lte=rules.DISLIKE_MAX_SCORE).exists()
    assert Rating.objects.filter(score__gte=4).exists()


def test_indicator_sets_agree_with_the_rules_one_by_one(demo):
    province = Unit.objects.get(code=data.PROVINCE["code"])
    scope = Unit.objects.filter(path__startswith=province.path)
    start, end = date(TODAY.year - 1, TODAY.month, TODAY.day), TODAY
    sets = feedback_indicator_sets(units=scope, start=start, end=end)
    assert set(sets) == {"5.1", "5.2", "5.3"}
    s, e = period_bounds(start=start, end=end)
    everyone = [f for f in Feedback.objects.all() if s <= f.sent_at < e]
    assert everyone
    expected = {
        "5.1": [f for f in everyone if rules.is_classified(f)],
        "5.2": [f for f in everyone if not rules.is_late_at(f, e)],
        "5.3": [
            f
            for f in everyone
            if not (rules.is_late_at(f, e) or rules.is_unsatisfied(f) or rules.is_raised_again(f))
        ],
    }
    for key, (numerator, denominator) in sets.items():
        assert sorted(denominator.values_list("pk", flat=True)) == sorted(f.pk for f in everyone)
        assert sorted(numerator.values_list("pk", flat=True)) == sorted(f.pk for f in expected[key])
    # Neither 0 % nor 100 %: the demo shows a real mix.
    for key in ("5.1", "5.2", "5.3"):
        numerator, denominator = sets[key]
        assert 0 < numerator.count() < denominator.count()
    # A unit outside the scope counts nothing.
    assert (
        feedback_indicator_sets(units=Unit.objects.none(), start=start, end=end)["5.1"][1].count()
        == 0
    )


def test_dossiers_with_feedback_or_a_dislike(demo):
    chosen = set(
        Dossier.objects.filter(dossiers_with_feedback_or_dislike_q()).values_list("pk", flat=True)
    )
    expected = set(
        Feedback.objects.exclude(dossier=None).values_list("dossier_id", flat=True)
    ) | set(
        Rating.objects.filter(score__lte=rules.DISLIKE_MAX_SCORE).values_list(
            "dossier_id", flat=True
        )
    )
    assert chosen == expected and chosen


def test_feedback_lands_on_units_that_exist_when_it_is_sent(demo):
    # The old tree ends on 30/6/2025; what citizens sent after goes to today's communes.
    for item in Feedback.objects.select_related("unit"):
        sent_on = item.sent_at.date()
        assert item.unit.valid_from is None or item.unit.valid_from <= sent_on
        assert item.unit.valid_to is None or sent_on <= item.unit.valid_to
