"""`kefu sla …`: check a due time on a business calendar; run one breach sweep now.

  kefu sla due --calendar NAME --start ISO --hours H   one ISO-8601 line: the due time
  kefu sla sweep                                      one sweep; prints what it did (JSON)

`kefu sla sweep` runs the escalations it queues in this process too, so when it returns
everything it reports has happened.
"""

import argparse
import json
import sys
from datetime import datetime, timedelta


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kefu sla", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    due = sub.add_parser("due", help="the due time H business hours after START on a calendar")
    due.add_argument(
        "--calendar", required=True, help="a business calendar's name, e.g. store, backoffice"
    )
    due.add_argument(
        "--start",
        required=True,
        help="ISO 8601, e.g. 2026-09-30T17:00+08:00 (no offset: the calendar's zone)",
    )
    due.add_argument("--hours", required=True, type=float, help="business hours, e.g. 4 or 1.5")
    sub.add_parser("sweep", help="fire due SLA warnings and breaches now")
    return parser


def main(argv, *, out=None, err=None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    args = _parser().parse_args(argv)
    from kefu.sla import selectors

    if args.command == "sweep":
        from huey.contrib.djhuey import HUEY

        from kefu.sla.services import sweep

        HUEY.immediate = True  # the queued escalations run here, now

        print(json.dumps(sweep(), ensure_ascii=False), file=out)
        return 0
    from kefu.sla.calendar import add_business_time

    if args.calendar not in selectors.calendar_names():
        print(
            f"kefu sla due: no business calendar {args.calendar!r} (known: {', '.join(sorted(selectors.calendar_names()))})",
            file=err,
        )
        return 2
    cal = selectors.get_calendar(args.calendar)
    try:
        start = datetime.fromisoformat(args.start)
        if args.hours < 0:
            raise ValueError("--hours must not be negative")
    except ValueError as exc:
        print(f"kefu sla due: {exc}", file=err)
        return 2
    if start.tzinfo is None:
        start = start.replace(tzinfo=cal.zone)
    print(add_business_time(start, timedelta(hours=args.hours), cal).isoformat(), file=out)
    return 0
