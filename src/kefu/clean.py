"""Cleaning what people type, the same way in every app: text, a choice, an amount of money.
Each refuses bad input with a kefu.errors.InvalidInput naming the field, in the user's
language, and behaves the same on SQLite and PostgreSQL (which refuses NUL in text)."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput

FEN = Decimal("0.01")
MONEY_LIMIT = Decimal("1e10")  # ten billion yuan: above any price, fee or refund


def text(value, field: str, *, required: bool = True, max_length: int) -> str:
    """Stripped text without NUL characters; required unless told otherwise."""
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise InvalidInput(_("%(field)s: this field is required."), field=field)
    if len(value) > max_length:
        raise InvalidInput(
            _("%(field)s: longer than %(max)s characters."), field=field, max=max_length
        )
    return value


def choice(value, choices, field: str) -> str:
    """One of a TextChoices' values."""
    if value not in choices.values:
        raise InvalidInput(
            _("%(field)s: “%(value)s” is not one of: %(allowed)s."),
            field=field,
            value=str(value)[:40],
            allowed=", ".join(choices.values),
        )
    return value


def money(value, field: str, *, positive: bool = False) -> Decimal:
    """Yuan to the fen (at most two decimals), never negative; above zero when ``positive``."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(
            _("%(field)s: “%(value)s” is not an amount of money."),
            field=field,
            value=str(value)[:20],
        ) from None
    # The range check comes before quantize(), which fails on amounts with more digits than
    # the decimal context holds.
    if (
        not amount.is_finite()
        or amount < 0
        or (positive and amount == 0)
        or amount >= MONEY_LIMIT
        or amount != amount.quantize(FEN)
    ):
        message = (
            _("%(field)s: an amount in yuan above zero, with at most two decimals (fen).")
            if positive
            else _("%(field)s: an amount in yuan with at most two decimals (fen), not negative.")
        )
        raise InvalidInput(message, field=field)
    return amount.quantize(FEN)
