import pytest

pytestmark = pytest.mark.django_db


def test_resolving_creates_a_survey(resolved):
    ticket = resolved()
    assert ticket.survey.answered_at is None
