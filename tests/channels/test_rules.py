"""The outbound rules: channel choice, quiet hours, backoff, and the templates' language."""

import datetime as dt
from zoneinfo import ZoneInfo

from kefu.channels import rules
from kefu.quality.language import check, is_forbidden

SH = ZoneInfo("Asia/Shanghai")
RULE = {"kind": "created", "template": "ticket_received"}


def test_wechat_first_then_sms_then_email_and_opt_outs_respected():
    both = rules.Contact(sms="13912345678", email="a@example.cn", wechat="oOPENID")
    assert rules.choose_channel(both, RULE) == "wechat"
    no_wechat = rules.Contact(sms="13912345678", email="a@example.cn")
    assert rules.choose_channel(no_wechat, RULE) == "sms"
    opted = rules.Contact(sms="13912345678", email="a@example.cn", opted_out=frozenset({"sms"}))
    assert rules.choose_channel(opted, RULE) == "email"
    assert rules.choose_channel(rules.Contact(), RULE) is None


def test_followup_needs_consent():
    rule = {"kind": "followup_created", "template": "followup_scheduled", "needs_consent": True}
    refused = rules.Contact(sms="13912345678", consent_contact=False)
    assert rules.choose_channel(refused, rule) is None
    assert rules.choose_channel(refused, RULE) == "sms"


def test_quiet_hours_hold_sms_until_eight_and_wrap_midnight():
    late = dt.datetime(2026, 5, 1, 22, 30, tzinfo=SH)
    assert rules.quiet_until("sms", late) == dt.datetime(2026, 5, 2, 8, 0, tzinfo=SH)
    early = dt.datetime(2026, 5, 2, 6, 0, tzinfo=SH)
    assert rules.quiet_until("sms", early) == dt.datetime(2026, 5, 2, 8, 0, tzinfo=SH)
    assert rules.quiet_until("sms", dt.datetime(2026, 5, 2, 8, 0, tzinfo=SH)) is None
    assert rules.quiet_until("sms", dt.datetime(2026, 5, 2, 20, 59, tzinfo=SH)) is None
    assert rules.quiet_until("email", late) is None


def test_backoff_grows_then_gives_up():
    assert [rules.retry_delay(n) for n in (1, 2, 3, 4)] == [60, 240, 960, None]


def test_event_rules_match_only_customer_facing_moments():
    assert rules.template_for("reply", True, {})["template"] == "public_reply"
    assert rules.template_for("reply", False, {}) is None  # a note never leaves
    assert rules.template_for("status", False, {"status": "resolved"})["template"] == "resolved"
    assert rules.template_for("status", False, {"status": "open"}) is None
    assert rules.template_for("delivery", False, {}) is None


def test_every_template_passes_the_language_checker():
    texts = list(rules.all_texts())
    assert len(texts) > 20
    for name, channel, text in texts:
        found = [f.code for f in check(text) if is_forbidden(f)]
        assert not found, (name, channel, found)


def test_every_event_template_exists_on_every_channel():
    templates = rules.load_templates()["templates"]
    for rule in rules.load_rules()["events"]:
        assert set(templates[rule["template"]]) == {"sms", "wechat", "email"}
        assert rule["template"] in rules.load_rules()["aliyun_template_codes"]
