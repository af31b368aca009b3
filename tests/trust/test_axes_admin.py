"""Issue 10: the lockouts' admin speaks Chinese and its unlock action lifts a lockout."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db


def sign_in(username, password, address="10.0.0.1"):
    return Client().post(
        "/desk/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_the_admin_lists_lockouts_in_chinese_and_unlocks(users):
    users["cs_agent"].set_password("right-password-1")
    users["cs_agent"].save()
    for _ in range(5):
        sign_in("cs_agent", "wrong")
    locked = sign_in("cs_agent", "right-password-1")
    assert locked.status_code == 429 and "登录失败次数过多" in locked.content.decode()
    admin = Client()
    admin.force_login(users["admin"])
    listing = admin.get("/admin/axes/accessattempt/").content.decode()
    assert "登录尝试" in listing and "解除锁定" in listing and "失败次数" in listing
    r = admin.post(
        "/admin/axes/accessattempt/",
        {
            "action": "unlock",
            "_selected_action": list(
                AccessAttempt.objects.filter(username="cs_agent").values_list("pk", flat=True)
            ),
        },
        follow=True,
    )
    assert "已解除 1 个锁定" in r.content.decode()
    assert not AccessAttempt.objects.filter(username="cs_agent").exists()
    assert sign_in("cs_agent", "right-password-1").status_code == 302
    # the admin's own sign-in page locks with the Chinese message too
    for _ in range(5):
        Client().post("/admin/login/", {"username": "coordinator", "password": "x"})
    r = Client().post("/admin/login/", {"username": "coordinator", "password": "x"})
    assert r.status_code == 429 and "登录失败次数过多" in r.content.decode()
