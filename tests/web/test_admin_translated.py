"""The Django admin reads in Chinese: branded header, every app and model named in Chinese, and
the settings link only for someone who may use the admin."""

import re

from django.contrib import admin
from django.utils import translation

# Terms the business itself writes in Latin letters.
ALLOWED = {"SLA", "API", "VIP", "Webhook"}


def _english(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]{2,}", str(text)) if w not in ALLOWED]


def test_every_admin_app_and_model_is_named_in_chinese(db):
    untranslated = []
    with translation.override("zh-hans"):
        for model in admin.site._registry:
            meta = model._meta
            app = meta.app_config
            for what, text in (
                (app.label, app.verbose_name),
                (meta.label, meta.verbose_name),
                (meta.label, meta.verbose_name_plural),
            ):
                if _english(text):
                    untranslated.append(f"{what}: {text}")
    assert not sorted(set(untranslated)), "\n".join(sorted(set(untranslated)))


def test_the_admin_is_branded_and_its_index_has_no_english_headings(desk):
    html = desk("admin").get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "客服 Kefu 管理后台" in html and "Django 管理" not in html
    for word in ("CATALOG", "CUSTOMERS", "TICKETS", "AXES", "Sla clocks", "Model name"):
        assert word not in html


def test_the_settings_link_is_only_for_who_can_use_the_admin(desk, users):
    users["cs_manager"].is_staff = True  # as in the demo: staff, but no admin permission
    users["cs_manager"].save(update_fields=["is_staff"])
    assert 'href="/admin/"' not in desk("cs_manager").get("/desk/").content.decode()
    assert 'href="/admin/"' in desk("admin").get("/desk/").content.decode()


def test_the_settings_link_asks_for_permissions_once_not_on_every_page(desk, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    users["cs_manager"].is_staff = True  # may open the admin site, with no permission in it
    users["cs_manager"].save(update_fields=["is_staff"])
    client = desk("cs_manager")
    asked = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/desk/").content.decode()
        assert 'href="/admin/"' not in html
        asked.append([q for q in queries.captured_queries if "auth_permission" in q["sql"]])
    assert asked[0] and not asked[1]
