"""Full-text index over Ticket.search_text (FTS5 on SQLite, GIN on PostgreSQL)."""

from django.db import migrations

from kefu import search

TABLE, FTS = "tickets_ticket", "tickets_ticket_fts"


def install(apps, schema_editor):
    for statement in search.install_sql(
        schema_editor.connection.vendor, table=TABLE, fts_table=FTS
    ):
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    for statement in search.uninstall_sql(
        schema_editor.connection.vendor, table=TABLE, fts_table=FTS
    ):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
