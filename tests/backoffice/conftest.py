"""Fixtures of the officer pages: dossiers made through the real services (see factories)."""

import pytest
from django.contrib.auth import get_user_model

from tests.backoffice.factories import inbox_dossiers

PASSWORD = "mat-khau-thu-nghiem"  # the shared conftest's make_user password


@pytest.fixture
def nobody(db):
    return get_user_model().objects.create_user("khongvaitro", password=PASSWORD)


@pytest.fixture
def dossiers(staff, tree, birth_registration):
    return inbox_dossiers(staff=staff, tree=tree, birth_registration=birth_registration)
