"""Desk pages of the knowledge base, mounted at /desk/knowledge/."""

from django.urls import path

from . import views as v

app_name = "knowledge"
urlpatterns = [
    path("", v.home, name="home"),
    path("articles/new/", v.article_edit, name="article_new"),
    path("articles/<int:pk>/", v.article, name="article"),
    path("articles/<int:pk>/edit/", v.article_edit, name="article_edit"),
    path("macros/", v.macros, name="macros"),
    path("macros/new/", v.macro_new, name="macro_new"),
]
