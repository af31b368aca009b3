"""The knowledge base: shipped articles, Chinese full-text search, scope, versions, the portal's
help pages and their deflection count, and the API."""

import pytest

from kefu.knowledge import selectors, services
from kefu.knowledge.models import Article, HelpVisit

pytestmark = pytest.mark.django_db

BODY = "门店每周一上午十点到十二点盘点，盘点期间暂停办理退换货，请提前告知顾客改约时间。"


def test_shipped_articles_are_published_and_found_by_chinese_words():
    # Seeded by the migration from data/articles.v1.json.
    assert Article.objects.filter(seed_key="depreciation-fee", status="published").exists()
    found = selectors.search_articles(selectors.public_articles(), "折旧费")
    assert found[0].seed_key == "depreciation-fee"
    assert "<mark>折旧费</mark>" in str(found[0].title_html)
    assert "<mark>折旧费</mark>" in str(found[0].snippet)


def test_a_question_in_everyday_words_still_finds_the_article():
    # No article has every word of "折旧费怎么算"; the telling word still finds it.
    found = selectors.search_articles(selectors.public_articles(), "折旧费怎么算")
    assert found and found[0].seed_key == "depreciation-fee"


def test_highlight_escapes_what_an_author_wrote():
    assert (
        str(selectors.highlight("<b>三包</b>", ["三包"])) == "&lt;b&gt;<mark>三包</mark>&lt;/b&gt;"
    )


def test_internal_articles_never_reach_the_portal(client):
    internal = Article.objects.get(seed_key="complaint-steps")
    assert not selectors.public_articles().filter(pk=internal.pk).exists()
    assert client.get(f"/help/{internal.pk}/").status_code == 404
    answer = client.get("/api/v1/knowledge/public", {"q": "投诉"})
    assert internal.title not in answer.content.decode()


def test_drafts_are_for_writers_and_store_policies_for_their_store(chain, users):
    draft = services.create_article(
        actor=users["cs_agent"], title="盘点时间说明", body=BODY, category="policy"
    )
    assert selectors.articles_visible_to(users["cs_agent"]).filter(pk=draft.pk).exists()
    assert not selectors.articles_visible_to(users["staff_sh001"]).filter(pk=draft.pk).exists()
    policy = services.create_article(
        actor=users["cs_manager"],
        title="徐家汇店盘点时间",
        body=BODY,
        category="policy",
        status="published",
        store=chain["stores"]["SH001"],
    )
    assert selectors.articles_visible_to(users["staff_sh001"]).filter(pk=policy.pk).exists()
    assert not selectors.articles_visible_to(users["staff_bj001"]).filter(pk=policy.pk).exists()


def test_a_revision_keeps_every_version_with_its_author(users):
    article = Article.objects.get(seed_key="book-installation")
    revised = services.revise_article(
        actor=users["cs_manager"],
        article=article,
        title=article.title,
        body=article.body + "\n周日也可上门。",
    )
    assert revised.version == 2
    versions = list(revised.versions.all())
    assert [v.number for v in versions] == [2, 1]
    assert versions[0].author == users["cs_manager"] and versions[1].author is None
    assert selectors.search_articles(selectors.public_articles(), "周日")[0].pk == article.pk


def test_api_searches_in_scope_and_writes_with_the_right(api, users):
    answer = api("staff_sh001").get("/api/v1/knowledge/articles", {"q": "三包期"})
    assert answer.status_code == 200
    titles = [i["title"] for i in answer.json()["items"]]
    assert "各类商品的三包期限是多久？" in titles
    refused = api("staff_sh001").post(
        "/api/v1/knowledge/articles",
        {"title": "t", "body": BODY, "category": "policy"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    created = api("cs_agent").post(
        "/api/v1/knowledge/articles",
        {
            "title": "盘点时间说明",
            "body": BODY,
            "category": "policy",
            "audience": "public",
            "status": "published",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    public = api("cs_agent").get("/api/v1/knowledge/public", {"q": "盘点"})
    assert [i["title"] for i in public.json()["items"]] == ["盘点时间说明"]


def test_public_api_needs_no_token(client):
    answer = client.get("/api/v1/knowledge/public", {"q": "发票"})
    assert answer.status_code == 200
    assert answer.json()["items"][0]["title"] == "发票丢了还能享受三包吗？"
    assert client.get("/api/v1/knowledge/articles").status_code == 401


def test_portal_help_counts_a_reader_who_leaves_as_a_deflection(client, chain):
    page = client.get("/help/", {"q": "安装"})
    assert "如何预约送货和<mark>安装</mark>" in page.content.decode()
    article = Article.objects.get(seed_key="book-installation")
    client.get(f"/help/{article.pk}/")
    assert services.deflection_counts() == {"readers": 1, "deflections": 1}
    article.refresh_from_db()
    assert article.views == 1
    # The same visitor submits a request after all: no longer a deflection.
    answer = client.post(
        "/",
        {
            "type": "consultation",
            "store": "SH001",
            "name": "王芳",
            "phone": "13912345678",
            "gender": "female",
            "subject": "预约安装",
            "description": "想预约周六上门安装冰箱。",
            "consent": "1",
        },
    )
    assert answer.status_code == 302
    assert services.deflection_counts() == {"readers": 1, "deflections": 0}
    assert HelpVisit.objects.get().submitted


def test_portal_home_suggests_articles_as_the_customer_types(client, chain):
    home = client.get("/")
    assert "这些内容可能解答您的问题" in home.content.decode()
    fragment = client.get("/help/suggest/", {"subject": "发票丢了", "description": ""})
    assert "<mark>发票</mark>丢了还能享受三包吗" in fragment.content.decode()


def test_desk_pages_render_for_an_agent(desk, users):
    agent = desk("cs_agent")
    article = Article.objects.get(seed_key="depreciation-fee")
    for url in (
        "/desk/knowledge/?q=三包",
        f"/desk/knowledge/articles/{article.pk}/",
        f"/desk/knowledge/articles/{article.pk}/edit/",
        "/desk/knowledge/articles/new/",
        "/desk/knowledge/macros/",
    ):
        assert agent.get(url).status_code == 200, url
    assert "{{ customer.greeting }}" in agent.get("/desk/knowledge/macros/").content.decode()
    saved = agent.post(
        f"/desk/knowledge/articles/{article.pk}/edit/",
        {
            "title": article.title,
            "body": article.body + "\n补充说明。",
            "audience": "public",
            "status": "published",
        },
    )
    assert saved.status_code == 302
    assert "第 2 版" in agent.get(f"/desk/knowledge/articles/{article.pk}/").content.decode()


def test_writing_articles_is_not_for_store_staff(desk):
    assert desk("staff_sh001").get("/desk/knowledge/articles/new/").status_code == 404
