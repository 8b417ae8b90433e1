"""Fixtures of the officer pages: dossiers made through the real services (see factories)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from tests.backoffice.factories import inbox_dossiers

PASSWORD = "mat-khau-thu-nghiem"  # the shared conftest's make_user password


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Login throttle counters live in the cache, which outlives a test's database rollback.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def nobody(db):
    return get_user_model().objects.create_user("khongvaitro", password=PASSWORD)


@pytest.fixture
def dossiers(staff, tree, birth_registration):
    return inbox_dossiers(staff=staff, tree=tree, birth_registration=birth_registration)
