"""Full-text index over Article.search_text (FTS5 on SQLite, GIN on PostgreSQL), then the
shipped articles and chain-wide macros (data/*.v1.json)."""

from django.db import migrations

from kefu import search

TABLE, FTS = "knowledge_article", "knowledge_article_fts"


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


def seed(apps, schema_editor):
    from kefu.knowledge.seed import seed_articles, seed_macros

    seed_articles(apps)
    seed_macros(apps)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]
    operations = [
        migrations.RunPython(install, uninstall),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
