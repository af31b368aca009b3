"""kefu.orm: the columns' direct identity equals Django's generic one (issue 14)."""

from django.apps import apps
from django.db import connection
from django.db.models.expressions import Col, Expression

from kefu import orm
from kefu.tickets.models import Ticket

GENERIC = Expression.identity.func  # Django's own, by inspect.signature


def test_the_direct_identity_is_installed():
    assert Col.identity.func is orm._col_identity
    assert orm.speed_up_column_identity()  # applying it again changes nothing


def test_every_column_of_every_model_has_the_identity_django_would_give_it():
    checked = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            for col in (
                field.get_col(model._meta.db_table),  # Col(alias, field)
                field.get_col("T9", output_field=field),  # output_field passed on
                Col(None, field),
                Col(alias="x", target=field, output_field=None),
            ):
                assert orm._col_identity(col) == GENERIC(col), (model, field.name)
                checked += 1
    assert checked > 1000


def test_columns_compare_as_before():
    field = Ticket._meta.get_field("subject")
    a, b = Col("t", field), Col("t", field)
    assert a == b and hash(a) == hash(b)
    assert Col("t", field) != Col("u", field)
    assert Col("t", field) != Col("t", Ticket._meta.get_field("description"))
    # Django tells a column built with its output field apart from one without: so do we.
    assert (Col("t", field) == Col("t", field, field)) == (
        GENERIC(Col("t", field)) == GENERIC(Col("t", field, field))
    )


def test_the_columns_of_a_compiled_query_keep_their_identity(db):
    tickets = Ticket.objects.select_related("store__region", "customer").order_by(
        "-priority_rank", "created_at"
    )
    compiler = tickets.query.get_compiler(connection=connection)
    sql, _params = compiler.as_sql()
    columns = [expr for expr, _sql, _alias in compiler.select if isinstance(expr, Col)]
    assert len(columns) > 40
    for col in columns:
        assert col.identity == GENERIC(col)
    assert "ORDER BY" in sql
