"""The report facts of the demo history (loaded after the tickets' demo): rebuilt in full, so
rows the demo wrote without timeline events are counted too. Idempotent, adds no rows of its
own to the business data."""


def load(password: str) -> dict:
    from . import facts

    facts.rebuild()
    return {}
