"""The error pages speak the user's language and lead back: a 404 (also what an address outside
one's scope answers), a refused action, an expired form (CSRF) and a server error — Django's own
are English ("Forbidden (403) CSRF verification failed …") and lead nowhere."""

import pytest
from django.test import Client, RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_not_found_in_chinese_with_a_way_back(desk):
    page = desk("staff_sh001").get("/desk/tickets/999999/")
    html = page.content.decode()
    assert page.status_code == 404
    assert '<html lang="zh-hans">' in html
    assert "页面不存在" in html and "未找到，或不在您的权限范围内。" in html
    assert 'href="/desk/"' in html  # signed in: back to the desk
    english = Client(headers={"Accept-Language": "en"}).get("/no-such-page/")
    assert "Page not found" in english.content.decode()
    assert 'href="/desk/"' not in english.content.decode()


def test_an_expired_form_explains_itself(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["cs_agent"])
    page = client.post("/desk/bulk/", {"action": "status"})
    assert page.status_code == 403
    html = page.content.decode()
    assert "页面已过期" in html and "刷新页面" in html
    assert "CSRF verification failed" not in html


def test_a_refused_action_and_a_server_error_in_chinese(chain):
    request = RequestFactory().get("/", headers={"Accept-Language": "zh-hans"})
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.utils import translation

    request.user = AnonymousUser()
    with translation.override("zh-hans"):
        refused = defaults.permission_denied(request, PermissionDenied()).content.decode()
        failed = defaults.server_error(request).content.decode()
    assert "无权操作" in refused and "请联系您的上级" in refused
    assert "出错了" in failed and "请稍后重试" in failed
