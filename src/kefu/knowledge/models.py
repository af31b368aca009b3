"""The agents' and customers' knowledge: articles (FAQ, how-tos, 三包 explanations, store
policies) with every version kept, and canned replies (macros) with their actions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    INTERNAL = "internal", _("Staff only")
    PUBLIC = "public", _("Customers and staff")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")

    def __str__(self):
        return self.name


class Article(models.Model):
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("body"))
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.INTERNAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    # A store policy belongs to one store and is read by that store's scope; empty: chain-wide.
    store = models.ForeignKey(
        "org.Store", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("store")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # Segmented once on write (kefu.search.segment) for the FTS5 table / GIN index.
    search_text = models.TextField(default="", editable=False)
    # Set for the articles shipped in data/articles.v1.json: the seed never overwrites an
    # article someone has edited since (version > 1).
    seed_key = models.CharField(max_length=60, blank=True, default="", db_index=True)
    views = models.PositiveIntegerField(_("portal views"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category__position", "title"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self):
        return self.title


class ArticleVersion(models.Model):
    """Every saved text of an article, with who wrote it and when."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("body"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_unique")
        ]

    def __str__(self):
        return f"{self.title} v{self.number}"


class HelpVisit(models.Model):
    """One portal visitor's reading of the help articles. A visit that read an article and
    never submitted a request is a deflection: the article answered the question."""

    session_hash = models.CharField(max_length=64, unique=True)
    articles_read = models.PositiveIntegerField(default=0)
    searches = models.PositiveIntegerField(default=0)
    submitted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"help visit {self.pk}"


class MacroScope(models.TextChoices):
    PERSONAL = "personal", _("Only me")
    STORE = "store", _("Store")
    CHAIN = "chain", _("Chain-wide")


class Macro(models.Model):
    """A canned reply: a template with placeholders, and actions applied when it is sent."""

    title = models.CharField(_("title"), max_length=80)
    body = models.TextField(_("reply template"))
    scope = models.CharField(
        _("scope"), max_length=10, choices=MacroScope.choices, default=MacroScope.PERSONAL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        verbose_name=_("owner"),
    )
    store = models.ForeignKey(
        "org.Store", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("store")
    )
    # {"status": "pending_customer", "tags": ["…"], "assign": "self" | username | null}
    actions = models.JSONField(_("actions"), default=dict, blank=True)
    usage_count = models.PositiveIntegerField(_("times used"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    seed_key = models.CharField(max_length=60, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-usage_count", "title"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")

    def __str__(self):
        return self.title
