"""The customer's side: the survey on the tracking page and at its own link, the feedback-card link."""

import pytest

from kefu.feedback.models import Survey
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_the_tracking_page_offers_the_survey_once_the_ticket_is_resolved(resolved, client, chain):
    from tests.factories import open_ticket

    ticket = open_ticket(chain["stores"]["SH001"])
    assert (
        'data-testid="survey-form"'
        not in client.get(f"/t/{ticket.tracking_token}/").content.decode()
    )
    ticket = resolved()
    page = client.get(f"/t/{ticket.tracking_token}/").content.decode()
    assert 'data-testid="survey-form"' in page and f"/survey/{ticket.survey.token}/" in page
    assert "响应是否及时" in page and "服务态度" in page and "问题是否解决" in page


def test_answering_at_the_survey_link_thanks_the_customer_and_a_second_answer_is_refused(
    resolved, client
):
    ticket = resolved()
    url = f"/survey/{ticket.survey.token}/"
    page = client.get(url)
    assert (
        page.status_code == 200
        and page["Referrer-Policy"] == "same-origin"
        and "您对我们的服务满意吗" in page.content.decode()
    )
    r = client.post(url, {"csat": "5", "q_timely": "5", "q_attitude": "4", "comment": "很好"})
    assert r.status_code == 200 and 'data-testid="survey-thanks"' in r.content.decode()
    assert Survey.objects.get(ticket=ticket).csat == 5
    again = client.post(url, {"csat": "1"})
    assert again.status_code == 409 and "您已经评价过了" in again.content.decode()
    assert Survey.objects.get(ticket=ticket).csat == 5
    track = client.get(f"/t/{ticket.tracking_token}/").content.decode()
    assert 'data-testid="survey-done"' in track and 'data-testid="survey-form"' not in track


def test_a_low_score_on_the_portal_tells_the_customer_the_manager_will_call(resolved, client):
    ticket = resolved()
    r = client.post(f"/survey/{ticket.survey.token}/", {"csat": "1", "comment": "没人管"})
    assert "店长会尽快给您回电" in r.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


def test_a_missing_score_is_explained_and_the_form_kept(resolved, client):
    ticket = resolved()
    r = client.post(f"/survey/{ticket.survey.token}/", {"comment": "忘了打分"})
    assert (
        r.status_code == 422
        and "请选择 1 到 5 分" in r.content.decode()
        and "忘了打分" in r.content.decode()
    )
    assert Survey.objects.get(ticket=ticket).answered_at is None


def test_an_unknown_survey_link_is_a_plain_404(chain, client):
    assert client.get("/survey/not-a-real-token/").status_code == 404


def test_the_portal_links_to_the_feedback_card_and_its_form_lists_the_stores(chain, client):
    home = client.get("/").content.decode()
    assert 'href="/feedback/"' in home
    form = client.get("/feedback/?store=BJ001").content.decode()
    assert "北京西单店" in form and '<option value="BJ001" selected>' in form


def test_nul_characters_never_reach_the_database(chain, client):
    assert client.get("/survey/%00abc/").status_code == 404
    r = client.post(
        "/feedback/",
        {
            "store": "SH001",
            "category": "other",
            "text": "a\x00b",
            "name": "张\x00伟",
            "phone": "13912345678",
            "consent": "1",
        },
    )
    from kefu.feedback.models import FeedbackCard

    # Refused with a clear message, the same on both databases, and nothing stored.
    assert r.status_code == 422 and "空字符" in r.content.decode()
    assert not FeedbackCard.objects.exists()


def test_the_survey_thank_you_page_links_back_to_the_tracking_page(resolved, client):
    ticket = resolved()
    r = client.post(f"/survey/{ticket.survey.token}/", {"csat": "4"})
    page = r.content.decode()
    assert 'data-testid="survey-thanks"' in page
    assert f'href="/t/{ticket.tracking_token}/" data-testid="back-to-tracking"' in page
