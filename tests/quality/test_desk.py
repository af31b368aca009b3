"""The desk: as-you-type check, a refused send, override, and the quality pages by role."""

import pytest

from tests.factories import open_ticket

pytestmark = pytest.mark.django_db
FORBIDDEN = "张先生您好，我不知道师傅什么时候到。"


def test_the_reply_form_checks_as_you_type_and_marks_the_spans(desk, complaint):
    client = desk("staff_sh001")
    page = client.get(f"/desk/tickets/{complaint.id}/").content.decode()
    assert 'id="language-findings"' in page and 'data-testid="language-findings"' in page
    assert (
        f'hx-post="/desk/quality/tickets/{complaint.id}/check/"' in page
        and "input changed delay:400ms" in page
    )
    r = client.post(
        f"/desk/quality/tickets/{complaint.id}/check/",
        {"body": FORBIDDEN, "public": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert (
        '<mark class="lang-block" data-testid="finding-mark" data-code="forbidden.wo_bu_zhi_dao"'
        in html
    )
    assert ">我不知道</mark>" in html and 'data-testid="finding"' in html
    assert 'name="override"' not in html  # store staff may not override by default


def test_the_check_partial_escapes_the_reply(desk, complaint):
    r = desk("staff_sh001").post(
        f"/desk/quality/tickets/{complaint.id}/check/",
        {"body": "<script>x</script>你应该等", "public": "1"},
    )
    html = r.content.decode()
    assert "<script>" not in html and "&lt;<mark" in html and "</mark>&gt;x&lt;/" in html


def test_internal_notes_and_clean_text_in_the_check_partial(desk, complaint):
    client = desk("staff_sh001")
    note = client.post(
        f"/desk/quality/tickets/{complaint.id}/check/", {"body": FORBIDDEN, "public": "0"}
    ).content.decode()
    assert 'data-testid="language-note"' in note and "<mark" not in note
    clean = client.post(
        f"/desk/quality/tickets/{complaint.id}/check/",
        {"body": "张先生您好，请您稍等。", "public": "1"},
    )
    assert 'data-testid="language-ok"' in clean.content.decode()


def test_the_check_is_scoped_like_the_ticket(desk, chain):
    beijing = open_ticket(chain["stores"]["BJ001"])
    assert (
        desk("staff_sh001")
        .post(f"/desk/quality/tickets/{beijing.id}/check/", {"body": "您好"})
        .status_code
        == 404
    )


def test_a_refused_send_re_renders_the_page_with_the_findings(desk, complaint):
    r = desk("staff_sh001").post(
        f"/desk/tickets/{complaint.id}/reply/", {"body": FORBIDDEN, "public": "1", "version": "1"}
    )
    assert r.status_code == 422
    page = r.content.decode()
    assert (
        'data-code="forbidden_phrase"' in page and FORBIDDEN in page
    )  # the message and the draft are kept
    assert 'data-testid="finding-mark"' in page and ">我不知道</mark>" in page
    assert 'data-testid="language-blocked"' in page and 'name="override"' not in page
    assert not complaint.events.filter(kind="reply").exists()


def test_a_manager_sees_send_anyway_and_the_override_is_recorded(desk, complaint, users):
    client = desk("manager_sh001")
    r = client.post(
        f"/desk/tickets/{complaint.id}/reply/", {"body": FORBIDDEN, "public": "1", "version": "1"}
    )
    assert r.status_code == 422 and 'data-testid="override"' in r.content.decode()
    r = client.post(
        f"/desk/tickets/{complaint.id}/reply/",
        {"body": FORBIDDEN, "public": "1", "version": "1", "override": "1"},
    )
    assert r.status_code == 302
    assert complaint.events.filter(kind="language_override", actor=users["manager_sh001"]).exists()
    page = client.get(f"/desk/tickets/{complaint.id}/").content.decode()
    assert "经授权，回复中保留了服务禁语" in page


def test_a_sent_reply_with_hints_flashes_the_suggestions(desk, complaint):
    client = desk("staff_sh001")
    r = client.post(
        f"/desk/tickets/{complaint.id}/reply/",
        {"body": "您好，可能明天到。", "public": "1", "version": "1"},
        follow=True,
    )
    assert r.status_code == 200 and "服务用语小建议" in r.content.decode()


def test_the_nav_link_and_home_page(desk, chain):
    page = desk("staff_sh001").get("/desk/").content.decode()
    assert 'href="/desk/quality/"' in page and "服务质量" in page
    home = desk("staff_sh001").get("/desk/quality/").content.decode()
    assert (
        "我的自我评估" in home and "/desk/quality/queue/" not in home
    )  # store staff do not review
    assert "/desk/quality/queue/" in desk("qa").get("/desk/quality/").content.decode()


@pytest.mark.parametrize(
    ("user", "allowed"),
    [("qa", True), ("cs_manager", True), ("staff_sh001", False), ("trainer", False)],
)
def test_only_reviewers_reach_the_qa_queue(desk, chain, user, allowed):
    assert desk(user).get("/desk/quality/queue/").status_code == (200 if allowed else 403)


@pytest.mark.parametrize(
    ("user", "allowed"),
    [("qa", True), ("trainer", True), ("manager_sh001", True), ("cs_agent", False)],
)
def test_summaries_are_for_managers_trainers_and_qa(desk, chain, user, allowed):
    assert desk(user).get("/desk/quality/summary/").status_code == (200 if allowed else 403)


def test_english_pages_read_in_english(desk, chain):
    client = desk("qa")
    client.cookies["django_language"] = "en"
    page = client.get("/desk/quality/queue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "QA queue" in page
