"""One measured adjustment to Django's ORM, applied when the apps are ready (kefu.org).

Django 5.2 compiles every ordered query by hashing each selected column (``Col``) to find the
ORDER BY terms it can write by position (``SQLCompiler._order_by_pairs``). A column's hash is
its ``identity``, which the generic ``Expression.identity`` works out by binding the column's
constructor arguments to ``inspect.signature`` — about 20 µs a column. A ticket with its store,
region, assignee and customer selected has ~70 columns: the ticket page's panels hashed ~500
columns a request, 8 % of their Python function calls (issue 14, docs/benchmarks.md).

``Col.__init__(alias, target, output_field=None)`` has three arguments, so its identity is
written out here directly: the same tuple the generic one builds, from the same constructor
arguments (``tests/test_orm.py`` compares the two on every column of every model). Should a
Django release change ``Col``'s signature, nothing is replaced and Django's own stays."""

import inspect

_COL_ARGUMENTS = ("alias", "target", "output_field")


def _col_identity(self):
    args, kwargs = self._constructor_args
    bound = dict(zip(_COL_ARGUMENTS, args, strict=False))
    bound.update(kwargs)
    bound.setdefault("output_field", None)
    return (
        self.__class__,
        *((name, self._identity(bound[name])) for name in _COL_ARGUMENTS),
    )


def speed_up_column_identity() -> bool:
    """Give ``Col`` its direct identity; False (and nothing changed) if its signature moved."""
    from django.db.models.expressions import Col
    from django.utils.functional import cached_property

    expected = ["self", *_COL_ARGUMENTS]
    parameters = inspect.signature(Col.__init__).parameters
    if list(parameters) != expected or parameters["output_field"].default is not None:
        return False
    identity = cached_property(_col_identity)
    identity.__set_name__(Col, "identity")
    Col.identity = identity
    return True
