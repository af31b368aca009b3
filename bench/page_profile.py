"""Where a desk or API read spends its time, in-process: queries and CPU per request; prints JSON.

    DATABASE_URL=postgres://…/kefu_bench_100k PYTHONPATH=src KEFU_VAR=/tmp/x \\
        .venv/bin/python bench/page_profile.py [--users cs_manager,region_east,manager_sh001]
        [--repeat 20] [--warm 12] [--only ticket_page_desk,…] [--ticket ID]
        [--profile ticket_page_desk] [--top 30]

Pages: the open queue (API, desk), searches for a rare, a common and an absent word (API,
desk), the ticket page (desk, its panels, API), the presence beat each open ticket page posts
every few seconds (presence_beat_desk), the customer's tracking page (portal_track) and the
API's description (openapi_json, no sign-in), and a new ticket through the API (create_ticket_api:
each request opens one in store SH001, so only on a benchmark's own database).

Django's test client against the database DATABASE_URL names (seeded by `kefu seed-bench`), so
no server, no network and no other process share the figures: per page and user, the number of
SQL statements and their total database time (timed around each statement), and the process
CPU time per request after --warm untimed ones (p50 of --repeat runs, and the least of them:
CPU time is far less sensitive to a loaded machine than wall-clock time, and its minimum least
of all), and the number of Python function calls of one request (`python_calls`, cProfile's
count: the same on any machine for the same code and data, so two trees can be compared on a
machine whose speed drifts).
--profile NAME prints the cProfile top of that page (cumulative) to stderr."""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

from http_load import NEW_TICKET  # the ticket bench/create_tickets.py opens

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")

OPEN = "status=new&status=open&status=pending_customer&status=on_hold"
WORDS = {"rare": "kerberos", "common": "不制冷", "absent": "qzxjvwk"}


def pages(ticket_id: int, token: str) -> dict:
    out = {
        "open_queue_api": ("api", f"/api/v1/tickets?{OPEN}"),
        "open_queue_desk": ("desk", "/desk/?view=open"),
    }
    for kind, word in WORDS.items():
        out[f"search_{kind}_desk"] = ("desk", f"/desk/?q={quote(word)}")
        out[f"search_{kind}_api"] = ("api", f"/api/v1/tickets?q={quote(word)}")
    out["ticket_page_desk"] = ("desk", f"/desk/tickets/{ticket_id}/")
    # The ticket page's panels, which the page loads after it arrives.
    out["ticket_panels_desk"] = ("desk", f"/desk/tickets/{ticket_id}/panels/")
    out["ticket_page_api"] = ("api", f"/api/v1/tickets/{ticket_id}")
    # The ticket page's heartbeat (a POST: who else is here, has the ticket changed).
    out["presence_beat_desk"] = ("desk", f"/desk/tickets/{ticket_id}/presence/", {"version": "1"})
    # The customer's tracking page of the same ticket (no sign-in).
    out["portal_track"] = ("portal", f"/t/{token}/")
    # The API's description, which anyone may fetch (integrators' tools read it on start).
    out["openapi_json"] = ("portal", "/api/v1/openapi.json")
    # A new ticket through the API, everything it gets included (each request opens one).
    out["create_ticket_api"] = ("api", "/api/v1/tickets", NEW_TICKET)
    return out


class QueryTimer:
    """Counts the statements a request runs and the wall-clock time they take (to the
    microsecond: Django's captured queries round each to a millisecond)."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", default="cs_manager,region_east,manager_sh001")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument(
        "--warm",
        type=int,
        default=12,
        help="untimed requests per page first (on PostgreSQL a statement is prepared on its "
        "6th run on the connection and keeps a generic plan from its 6th execution)",
    )
    ap.add_argument("--only", help="comma-separated page names")
    ap.add_argument(
        "--ticket",
        type=int,
        help="the ticket pages' ticket (default: each reader's newest open one)",
    )
    ap.add_argument("--profile", help="a page name: its cProfile top to stderr")
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from kefu.org.services import token_for
    from kefu.tickets import selectors
    from kefu.tickets.models import Status, Ticket

    settings.ALLOWED_HOSTS = ["*"]
    User = django.contrib.auth.get_user_model()
    result = {"database": connection.vendor, "users": {}}
    for username in args.users.split(","):
        user = User.objects.get(username=username)
        first = args.ticket or (
            selectors.ticket_queue(
                user, status=[Status.NEW, Status.OPEN, Status.PENDING_CUSTOMER, Status.ON_HOLD]
            )
            .values_list("id", flat=True)
            .first()
        )
        desk = Client()
        desk.force_login(user)
        api = Client(headers={"Authorization": f"Bearer {token_for(username)}"})
        token = Ticket.objects.filter(pk=first).values_list("tracking_token", flat=True).first()
        figures = {}
        for name, (kind, path, *form) in pages(first, token).items():
            if args.only and name not in args.only.split(","):
                continue
            client = {"desk": desk, "api": api, "portal": Client()}[kind]

            def fetch(client=client, path=path, form=form, kind=kind):
                if not form:
                    return client.get(path)
                if kind == "api":
                    return client.post(path, form[0], content_type="application/json")
                return client.post(path, form[0])

            for _ in range(args.warm):
                assert fetch().status_code in (200, 201), (username, path)
            cpu, db, counts = [], [], []
            for _ in range(args.repeat):
                timer = QueryTimer()
                with connection.execute_wrapper(timer):
                    t0 = time.process_time()
                    r = fetch()
                    cpu.append((time.process_time() - t0) * 1000)
                assert r.status_code in (200, 201)
                counts.append(timer.count)
                db.append(timer.seconds * 1000)
            # Python function calls of one more request (cProfile's count): the same for the
            # same code and data whatever the machine is doing, where CPU time is not.
            counter = cProfile.Profile()
            counter.enable()
            fetch()
            counter.disable()
            figures[name] = {
                "queries": max(counts),
                "db_ms_p50": round(statistics.median(db), 1),
                "cpu_ms_p50": round(statistics.median(cpu), 1),
                # The least a request took: the figure least moved by other processes.
                "cpu_ms_min": round(min(cpu), 1),
                "python_calls": pstats.Stats(counter).total_calls,
            }
            if args.profile == name:
                prof = cProfile.Profile()
                prof.enable()
                for _ in range(5):
                    fetch()
                prof.disable()
                print(f"== {username} {name}", file=sys.stderr)
                pstats.Stats(prof, stream=sys.stderr).sort_stats(
                    os.environ.get("PROFILE_SORT", "cumulative")
                ).print_stats(args.top)
        result["users"][username] = {"first_open_ticket": first, "pages": figures}
    result["uptime"] = Path("/proc/loadavg").read_text().split()[:3]
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
