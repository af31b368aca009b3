import os
import subprocess
import sys

import pytest

from kefu.org.models import ApiToken
from kefu.org.services import token_for
from kefu.web.demo import load_demo


@pytest.mark.django_db
def test_token_is_created_once_and_then_the_same(chain, users):
    first = token_for("cs_agent")
    assert token_for("cs_agent") == first
    assert ApiToken.objects.filter(user=users["cs_agent"]).count() == 1
    assert ApiToken.parse(first) is not None


@pytest.mark.django_db
def test_forged_or_malformed_tokens_do_not_parse(chain):
    token = token_for("cs_agent")
    prefix, key_id, mac = token.split("_")
    assert ApiToken.parse(f"kf_{key_id}_{'0' * len(mac)}") is None
    assert ApiToken.parse("kf_only") is None and ApiToken.parse("") is None


def test_kefu_token_prints_only_the_token(tmp_path):
    env = {**os.environ, "KEFU_VAR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kefu.settings"}
    env.pop("DATABASE_URL", None)

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "kefu.cli", *args], env=env, capture_output=True, text=True
        )

    assert run("manage", "migrate", "-v0").returncode == 0
    assert (
        run("manage", "shell", "-c", "from kefu.web.demo import _users; _users()").returncode == 0
    )
    out = run("token", "cs_agent")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kf_")
    assert run("token", "cs_agent").stdout == out.stdout
    missing = run("token", "nobody")
    assert missing.returncode == 1 and missing.stdout == "" and "nobody" in missing.stderr


@pytest.mark.django_db
def test_demo_loads_a_believable_chain_once():
    from kefu.customers.models import Customer
    from kefu.org.models import Staff, Store
    from kefu.tickets.models import Ticket

    added = load_demo()  # the full demo, as `make run` loads it
    assert (added["customers"], added["tickets"]) == (60, 300)
    assert set(Store.objects.values_list("code", flat=True)) == {
        "SH001",
        "SH002",
        "BJ001",
        "BJ002",
        "GZ001",
        "GZ002",
    }
    assert (
        Staff.objects.count() >= 14
    )  # the 14 demo logins, plus technicians the after-sales demo adds
    assert {t.status for t in Ticket.objects.all()} >= {"new", "open", "resolved"}
    assert all(any("\u4e00" <= c <= "\u9fff" for c in t.subject) for t in Ticket.objects.all())
    counts = (Customer.objects.count(), Ticket.objects.count())
    again = load_demo()
    assert all(n == 0 for n in again.values()), again
    assert (Customer.objects.count(), Ticket.objects.count()) == counts
