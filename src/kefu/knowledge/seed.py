"""Seed the shipped articles and chain-wide macros from data/*.v1.json. Safe to run again: a
row that already exists (by seed_key) is left as it is, so an edited article or macro stays."""

import json
from pathlib import Path

DATA = Path(__file__).parent / "data"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def seed_articles(apps=None) -> int:
    """Create the shipped categories and published articles that are missing; returns how many."""
    from kefu import search

    get = apps.get_model if apps else _model
    Category, Article, ArticleVersion = (
        get("knowledge", "Category"),
        get("knowledge", "Article"),
        get("knowledge", "ArticleVersion"),
    )
    data = load("articles.v1.json")
    categories = {}
    for c in data["categories"]:
        categories[c["code"]], _ = Category.objects.get_or_create(
            code=c["code"], defaults={"name": c["name"], "position": c["position"]}
        )
    created = 0
    for a in data["articles"]:
        if Article.objects.filter(seed_key=a["key"]).exists():
            continue
        article = Article.objects.create(
            category=categories[a["category"]],
            title=a["title"],
            body=a["body"],
            audience=a["audience"],
            status="published",
            seed_key=a["key"],
            search_text=search.segment(a["title"], a["title"], a["body"]),
        )
        ArticleVersion.objects.create(article=article, number=1, title=a["title"], body=a["body"])
        created += 1
    return created


def seed_macros(apps=None) -> int:
    """Create the shipped chain-wide macros that are missing; returns how many."""
    Macro = (apps.get_model if apps else _model)("knowledge", "Macro")
    created = 0
    for m in load("macros.v1.json")["macros"]:
        if Macro.objects.filter(seed_key=m["key"]).exists():
            continue
        Macro.objects.create(
            title=m["title"], body=m["body"], actions=m["actions"], scope="chain", seed_key=m["key"]
        )
        created += 1
    return created


def _model(app_label, name):
    from django.apps import apps

    return apps.get_model(app_label, name)
