import pytest


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """A small demo (every role's users, 20 customers, 60 tickets with their history) for the
    tests that walk the desk as its users, loaded once per module and rolled back after it."""
    with django_db_blocker.unblock():
        from django.db import transaction

        from kefu.web.demo import load_demo

        with transaction.atomic():
            load_demo(n_customers=20, n_tickets=60)
            yield
            transaction.set_rollback(True)
