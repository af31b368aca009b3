"""Every time in an API answer is China time with its offset, created_at like the SLA times."""

import re

from tests.factories import open_ticket

LOCAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$")


def test_created_at_and_sla_times_share_one_convention(api, chain):
    ticket = open_ticket(chain["stores"]["SH001"], type="complaint")
    body = api("cs_agent").get(f"/api/v1/tickets/{ticket.pk}").json()
    assert LOCAL.match(body["created_at"]), body["created_at"]
    assert LOCAL.match(body["sla"]["first_response_due"])
    times = re.findall(r'"(\d{4}-\d\d-\d\dT[^"]+)"', str(body).replace("'", '"'))
    assert times and all(t.endswith("+08:00") for t in times), times
