"""`kefu seed-bench --tickets N`: fill a database with N believable tickets, fast.

The demo (`kefu demo`) writes ~300 tickets through the real services; a benchmark needs 100,000
or 1,000,000, which the services would take hours to write. This generator writes the same
kind of rows directly, in bulk (COPY on PostgreSQL, executemany on SQLite), from the demo's own
distributions: the chain, its people and products (loaded by the demo's own code), customers
with Chinese names and addresses, purchases, tickets of the demo's types, channels, hours and
texts, their SLA clocks (policy matched and due times counted on the business calendars, as the
services do, business seconds of the met ones included), timeline events, the search text
(jieba segments, identical to what `open_ticket` stores; the SQLite FTS index follows by its
triggers, PostgreSQL's GIN index by itself), satisfaction surveys, and the report facts of the
new tickets (kefu.analytics.facts) so the summary is right as soon as the load ends.

How it is fast (issue 14 asks for 20,000 tickets/s on PostgreSQL): everything that does not
change from ticket to ticket is made once — each (type, product, text) combination with its
segmented words, each policy's clocks per store calendar, the business calendars as integer
timelines (``BusinessTimeline``: due times on epoch seconds, exact), timestamps as strings per
day and per second of day, the COPY text of the constant columns — and a ticket is a handful of
random draws and one formatted line per row, in COPY's text format. Two writer connections
take the rows (the tickets on one, their events, clocks, purchases and surveys on the other),
so PostgreSQL parses, checks and stores on both cores while Python makes the next batch.

About one ticket in a thousand mentions `kerberos` in its description: the rare word of the
search benchmarks. Re-running adds N more tickets (numbers continue each day's counter)."""

import base64
import datetime
import json
import os
import queue
import random
import re
import sys
import threading
import time
from bisect import bisect
from collections import Counter
from itertools import accumulate

from django.db import connection, transaction
from django.utils import timezone

from kefu.customers.names import greeting, name_pinyin
from kefu.search import segment
from kefu.sla.calendar import BusinessTimeline
from kefu.sla.models import Target
from kefu.sla.selectors import get_calendar, match_policy
from kefu.web import demo

RARE_WORD = "kerberos"
RARE_SENTENCE = "另外，官方App登录时提示kerberos认证失败。"
RARE_EVERY = 1000
HISTORY_DAYS = demo.HISTORY_DAYS
UTC = datetime.UTC
DAY = 86_400

TICKET_COLUMNS = (
    "id number type channel status priority priority_rank store_id region_id assignee_id "
    "escalation_tier customer_id purchase_id subject description created_by_id created_at "
    "updated_at resolved_at first_response_at version tracking_token search_text sla_policy "
    "first_response_due next_reply_due resolution_due solution_promised_at sla_due sla_warn_at "
    "sla_next_due sla_paused_at sla_breached"
).split()
CUSTOMER_COLUMNS = (
    "id name name_pinyin name_initials gender phone phone_last4 email address address_as is_vip "
    "consent_contact consent_marketing home_store_id created_at updated_at erased_at "
    "special_requirements"
).split()
PURCHASE_COLUMNS = (
    "id customer_id store_id category_id product_model_id model_name serial sale_date "
    "invoice_number has_warranty_card production_date price is_sample_unit sales_channel created_at"
).split()
EVENT_COLUMNS = "ticket_id kind actor_id public body data created_at".split()
CLOCK_COLUMNS = (
    "ticket_id target state calendar follows_holder target_minutes started_at warn_at due_at "
    "paused_at paused_seconds warned_at breached_at stopped_at escalation_pending escalated_at "
    "business_seconds"
).split()
SURVEY_COLUMNS = (
    "ticket_id store_id region_id token created_at expires_at mailed_at answered_at csat comment"
).split()
PRIORITIES = ["low", "normal", "high", "urgent"]
PRIORITY_CUM = list(accumulate([1, 6, 2, 0.5]))
RANKS = {"urgent": 4, "high": 3, "normal": 2, "low": 1}
PENDING_DATA = json.dumps({"previous": "open", "status": "pending_customer", "reopened": False})
RESOLVED_DATA = json.dumps({"previous": "open", "status": "resolved", "reopened": False})
CLOSED_DATA = json.dumps({"previous": "resolved", "status": "closed", "reopened": False})
OPEN_CHOICES = ["new", "open", "open", "pending_customer"]
CSAT_CUM = list(accumulate([55, 25, 10, 6, 4]))
SALES_CHANNELS = ["store", "store", "store", "online", "phone"]
NULL = "\\N"
ADDRESSES = 4096  # distinct addresses per store

SURVEY_COMMENTS = [
    "师傅很专业，处理得很及时。",
    "客服态度很好，问题解决了。",
    "等待时间有点长，希望改进。",
    "一次就修好了，满意。",
    "",
    "",
]

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_UNESCAPE = re.compile(r"\\(.)")
_UNESCAPED = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def esc(value) -> str:
    """A value as COPY's text format writes it (None: NULL)."""
    if value is None:
        return NULL
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def _field(text: str):
    if text == NULL:
        return None
    if "\\" in text:
        return _UNESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), text)
    return text


class Sink:
    """Rows in COPY's text format into tables: COPY on PostgreSQL, one executemany per table on
    SQLite (the lines split back into values; SQLite's column affinity makes numbers of the
    digits)."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"

    def write(self, table: str, columns: list[str], lines: list[str]) -> None:
        if not lines:
            return
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write("".join(lines))
            else:
                marks = ", ".join("?" * len(columns))
                cursor.cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    [[_field(f) for f in line[:-1].split("\t")] for line in lines],
                )


class Writer(threading.Thread):
    """Writes batches on its own connection while the next batch is made: the database's work
    and Python's overlap (two cores)."""

    def __init__(self, fast: bool, name: str = "seed-bench writer"):
        super().__init__(daemon=True, name=name)
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.fast = fast
        self.busy = 0.0  # seconds spent writing

    def run(self):
        try:
            sink = Sink()
            if self.fast:
                _fast_session()
            while (batch := self.queue.get()) is not None:
                started = time.monotonic()
                with transaction.atomic():
                    for table, columns, rows in batch:
                        sink.write(table, columns, rows)
                self.busy += time.monotonic() - started
        except BaseException as exc:  # handed to the main thread, which stops
            self.error = exc
            while self.queue.get() is not None:
                pass
        finally:
            connection.close()

    def put(self, batch) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def finish(self) -> None:
        self.queue.put(None)
        self.join()
        if self.error is not None:
            raise self.error


def _fast_session(*, local: bool = False) -> None:
    """PostgreSQL checks each foreign key row by row in a trigger; the generator makes its keys
    itself, so a superuser's session skips them (as pg_restore does). Others keep them. A
    commit need not wait for the disk either (a crash loses the last batches, nothing else).
    ``local``: for the current transaction only."""
    scope = "LOCAL " if local else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SET {scope}synchronous_commit = off")
        try:
            with transaction.atomic():
                cursor.execute(f"SET {scope}session_replication_role = replica")
        except Exception:  # not a superuser: the checks stay, the load is slower
            pass


BULK_TABLES = [
    "customers_customer",
    "customers_purchase",
    "tickets_ticket",
    "tickets_ticketevent",
    "sla_slaclock",
    "feedback_survey",
    "analytics_ticketfact",
    "analytics_clockfact",
    "analytics_eventfact",
]


def secondary_indexes(cursor) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the bulk tables' indexes that back no constraint
    (PostgreSQL): what a large load drops and builds again (bench/index_builds.py times them)."""
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        [BULK_TABLES],
    )
    return cursor.fetchall()


def _drop_indexes() -> list[tuple[str, str | None]]:
    """Drop the secondary indexes and the unique constraints (not the primary keys) of the bulk
    tables (PostgreSQL), returning how to make each again: (index DDL, constraint DDL or None).
    Built once after the load they cost a fraction of keeping them up to date row by row."""
    with connection.cursor() as cursor:
        indexes = secondary_indexes(cursor)
        found: list[tuple[str, str | None]] = [(ddl, None) for _, ddl in indexes]
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        # Unique constraints (numbers, tracking tokens, one survey per ticket) come back as a
        # unique index built in one pass, then the constraint takes it over.
        cursor.execute(
            "SELECT c.conname, rel.relname, pg_get_indexdef(c.conindid) FROM pg_constraint c "
            "JOIN pg_class rel ON rel.oid = c.conrelid "
            "JOIN pg_namespace ns ON ns.oid = rel.relnamespace AND ns.nspname = current_schema() "
            "WHERE c.contype = 'u' AND NOT c.condeferrable AND rel.relname = ANY(%s)",
            [BULK_TABLES],
        )
        for name, table, ddl in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            found.append(
                (ddl, f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" UNIQUE USING INDEX "{name}"')
            )
    return found


def _parallel(statements: list, *, setup: tuple[str, ...] = (), workers: int = 2) -> None:
    """Run independent statements on ``workers`` connections at once (PostgreSQL): index
    builds and vacuums keep both cores busy. The longest first, as they come."""
    todo: queue.Queue = queue.Queue()
    for statement in statements:
        todo.put(statement)
    errors: list[BaseException] = []

    def work():
        try:
            with connection.cursor() as cursor:
                for statement in setup:
                    cursor.execute(statement)
                while True:
                    try:
                        statement = todo.get_nowait()
                    except queue.Empty:
                        return
                    if callable(statement):
                        statement()
                    else:
                        cursor.execute(statement)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _create_indexes(dropped: list[tuple[str, str | None]], *, first=()) -> None:
    """Build the dropped indexes on two connections (``first``: jobs to start before them),
    then give the unique constraints their indexes back."""
    # The GIN index and the big tables' first: the long builds start early, short ones fill
    # in; the report facts' last (they may still be being written).
    ddl = sorted(
        (d for d, _ in dropped),
        key=lambda d: ("analytics_" in d, "gin" not in d.lower(), "ticketevent" not in d),
    )
    _parallel([*first, *ddl], setup=("SET maintenance_work_mem = '256MB'",))
    with connection.cursor() as cursor:
        for _, constraint in dropped:
            if constraint:
                cursor.execute(constraint)


def _build_facts(first_ticket: int, pg: bool, phases: dict) -> None:
    from kefu.analytics import facts

    started = time.monotonic()
    with transaction.atomic():
        if pg:
            _fast_session(local=True)
        facts.rebuild_from(first_ticket)
    phases["facts"] = time.monotonic() - started


def _max_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return cursor.fetchone()[0]


def _reset_sequences(tables: list[str]) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite continues after the largest rowid by itself
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )


class Texts:
    """Subjects, descriptions and search text from the demo's templates, segmented once per
    distinct text (jieba is the slow part; the texts repeat)."""

    def __init__(self):
        self._seg: dict[str, list[str]] = {}

    def tokens(self, text: str) -> list[str]:
        found = self._seg.get(text)
        if found is None:
            found = self._seg[text] = segment(text).split()
        return found

    def search_text(self, number: str, subject: str, description: str, name: str) -> str:
        # segment() de-duplicates over its texts in order, each text segmented on its own:
        # joining the per-text tokens the same way gives the identical string.
        seen = dict.fromkeys(number.lower().replace("-", " ").split())
        for text in (subject, description, name):
            seen.update(dict.fromkeys(self.tokens(text)))
        return " ".join(seen)


def _ensure_chain():
    with transaction.atomic():
        regions, stores, users = demo._users()
        categories, models = demo._catalog()
    return regions, stores, users, models


class Instants:
    """Epoch seconds as the database's text: one string per day and one per second of day, so
    a timestamp is two list look-ups and a concatenation."""

    def __init__(self, first_day: int, n_days: int, suffix: str):
        epoch = datetime.date(1970, 1, 1)
        self.first = first_day
        self.days = [
            (epoch + datetime.timedelta(days=first_day + i)).isoformat() + " "
            for i in range(n_days)
        ]
        self.seconds = [
            f"{h:02d}:{m:02d}:{s:02d}{suffix}"
            for h in range(24)
            for m in range(60)
            for s in range(60)
        ]

    def text(self, t: int | None) -> str:
        if t is None:
            return NULL
        return self.days[t // DAY - self.first] + self.seconds[t % DAY]


class Content:
    """One (type, product, text) combination a ticket can have: its escaped subject and
    description, their words in index order, and the purchase it comes with."""

    __slots__ = (
        "ttype",
        "model",
        "label",
        "subject",
        "description",
        "words",
        "word_set",
        "sold",
        "rare",
        "raw",
    )

    def __init__(self, ttype, model, label, subject, description, texts, sold):
        self.ttype, self.model, self.label, self.sold = ttype, model, label, sold
        self.raw = (subject, description)
        self.subject, self.description = esc(subject), esc(description)
        words = dict.fromkeys(texts.tokens(subject))
        words.update(dict.fromkeys(texts.tokens(description)))
        self.words = " ".join(words)
        self.word_set = frozenset(words)
        self.rare = None

    def with_rare_word(self, texts):
        if self.rare is None:
            subject, description = self.raw
            self.rare = Content(
                self.ttype,
                self.model,
                self.label,
                subject,
                description + RARE_SENTENCE,
                texts,
                self.sold,
            )
        return self.rare


def _contents(ttype, models, fault_models, big_models, labels, texts):
    """Every content a ticket of ``ttype`` can have, with the demo's probabilities: the
    product drawn first (from the ones that fit the type), then one of its texts."""
    entries, weights = [], []
    if ttype in ("consultation", "suggestion", "training"):
        pool = [(m, demo.TICKET_TEXTS[ttype], None) for m in models]
    elif ttype == "fault_report":
        pool = [(m, demo.FAULTS[m.category.code], (10, 700)) for m in fault_models]
    elif ttype in ("installation", "delivery"):
        pool = [(m, demo.TICKET_TEXTS[ttype], (1, 5)) for m in big_models]
    else:
        pool = [(m, demo.TICKET_TEXTS[ttype], (1, 60)) for m in models]
    for model, templates, sold in pool:
        label = labels[model.id]
        for subject_t, description_t in templates:
            entries.append(
                Content(
                    ttype,
                    model if sold else None,
                    label,
                    subject_t.format(model=label),
                    description_t.format(model=label),
                    texts,
                    sold,
                )
            )
            weights.append(1 / len(pool) / len(templates))
    return list(accumulate(weights)), entries


def _timelines(now: datetime.datetime):
    """Business timelines of every calendar over the history and the weeks after it."""
    today = timezone.localdate(now)
    first = today - datetime.timedelta(days=HISTORY_DAYS + 2)
    last = today + datetime.timedelta(days=120)
    cache: dict[str, BusinessTimeline] = {}

    def of(name: str) -> BusinessTimeline:
        if name not in cache:
            cache[name] = BusinessTimeline(get_calendar(name), first, last)
        return cache[name]

    return of


def seed_bench(
    n_tickets: int,
    *,
    progress: bool = False,
    out=sys.stderr,
    batch: int = 10_000,
    seed: int = 14,
    open_share: float = 0.08,
    rare_every: int = RARE_EVERY,
) -> dict:
    """Add ``n_tickets`` tickets (and a customer per three tickets, their purchases, clocks,
    events, surveys and report facts). Returns counts, the rate and the phases' seconds."""
    from tqdm import tqdm

    started = time.monotonic()
    phases: dict[str, float] = {}
    regions, stores, users, models = _ensure_chain()
    rng = random.Random(seed + _max_id("tickets_ticket"))
    r = rng.random
    now = timezone.now().replace(microsecond=0)
    now_s = int(now.timestamp())
    today = timezone.localdate(now)
    pg = connection.vendor == "postgresql"
    true, false = ("t", "f") if pg else ("1", "0")
    texts = Texts()
    zone = timezone.get_current_timezone()
    first_day = (now_s - (HISTORY_DAYS + 1000) * DAY) // DAY
    instants = Instants(first_day, HISTORY_DAYS + 1500, "+00" if pg else "")

    def ts(t, days=instants.days, seconds=instants.seconds, first=first_day):
        # Instants.text without its attribute look-ups: the hottest call of the loop.
        return NULL if t is None else days[t // DAY - first] + seconds[t % DAY]

    days_text, seconds_text = instants.days, instants.seconds
    ordinal0 = today.toordinal() - HISTORY_DAYS - 1200
    dates = [
        datetime.date.fromordinal(ordinal0 + i).isoformat() for i in range(HISTORY_DAYS + 1300)
    ]
    timeline = _timelines(now)

    store_list = list(stores.values())
    region_of = {code: region for code, _, region, _, _ in demo.STORES}
    display_names = {
        u.id: u.staff.display_name for u in users.values() if getattr(u, "staff", None)
    }
    labels = {m.id: demo._label(m) for m in models}
    fault_models = [m for m in models if m.category.code in demo.FAULTS]
    big_models = [m for m in models if m.category.code in demo.BIG_APPLIANCES]
    # A store as the rows need it: ids as text, its staff, its calendar's timeline.
    store_info = []
    for s in store_list:
        staff = [
            u.id
            for u in users.values()
            if getattr(getattr(u, "staff", None), "store_id", None) == s.id
            and u.staff.role == "store_staff"
        ] or [users["cs_agent"].id, users["coordinator"].id]
        cal = s.calendar or "store"
        store_info.append(
            (str(s.id), str(s.region_id), cal, [str(a) for a in staff], timeline(cal))
        )

    ticket_base = _max_id("tickets_ticket")
    # A load several times what is there: indexes are rebuilt at the end instead of kept.
    dropped = []
    if pg and n_tickets >= max(50_000, 2 * ticket_base):
        dropped = _drop_indexes()
    writers = [Writer(fast=pg, name="seed-bench tickets")]
    if pg:  # PostgreSQL's side on two cores: the tickets on one connection, the rest on another
        writers.append(Writer(fast=pg, name="seed-bench rows"))
    for w in writers:
        w.start()
    loaded = False
    try:
        # ---------------------------------------------------------- customers (one per 3 tickets)
        t0 = time.monotonic()
        n_customers = max(30, n_tickets // 3)
        cust_base = _max_id("customers_customer")
        purchase_id = _max_id("customers_purchase")
        customers = []  # (id, name, greeting, vip, store index, name words, their set)
        bar = tqdm(
            total=n_tickets, desc="Bench tickets", unit="ticket", file=out, disable=not progress
        )
        pinyin: dict[str, tuple[str, str]] = {}
        greetings: dict[tuple[str, str], str] = {}
        name_words: dict[str, tuple[str, frozenset]] = {}
        n_stores = len(store_list)
        joined_base = now_s - HISTORY_DAYS * DAY
        # Addresses in the store's city, drawn once into a pool per store.
        addresses = []
        for store in store_list:
            city, districts = demo.CITY_OF[region_of[store.code]]
            addresses.append(
                [
                    f"{city}{districts[int(r() * len(districts))]}"
                    f"{demo.STREETS[int(r() * len(demo.STREETS))]}{1 + int(r() * 999)}号"
                    f"{1 + int(r() * 30)}栋{101 + int(r() * 2702)}室"
                    for _ in range(ADDRESSES)
                ]
            )
        lines = []
        for k in range(n_customers):
            cid = cust_base + k + 1
            male = r() < 0.5
            name = demo.SURNAMES[int(r() * len(demo.SURNAMES))] + (
                demo.GIVEN_MALE[int(r() * len(demo.GIVEN_MALE))]
                if male
                else demo.GIVEN_FEMALE[int(r() * len(demo.GIVEN_FEMALE))]
            )
            if name not in pinyin:
                pinyin[name] = "\t".join(name_pinyin(name))
                words = texts.tokens(name)
                name_words[name] = (" ".join(words), frozenset(words))
            si = k % n_stores
            store = store_list[si]
            gender = ("male" if male else "female") if r() < 0.8 else "unknown"
            if (name, gender) not in greetings:
                greetings[name, gender] = greeting(name, gender)
            phone = f"19{cid % 10}{cid:08d}"[-11:]
            joined = ts(joined_base - DAY * (1 + int(r() * 900)))
            vip = r() < 0.06
            email = f"user{cid}@example.com" if r() < 0.5 else ""
            address = addresses[si][int(r() * ADDRESSES)]
            lines.append(
                f"{cid}\t{name}\t{pinyin[name]}\t{gender}\t{phone}\t{phone[-4:]}\t{email}\t"
                f"{address}\t\t{true if vip else false}\t{true}\t{false}\t{store.id}\t"
                f"{joined}\t{joined}\t{NULL}\t\n"
            )
            customers.append((str(cid), name, greetings[name, gender], vip, si, *name_words[name]))
            if len(lines) >= batch:
                writers[-1].put([("customers_customer", CUSTOMER_COLUMNS, lines)])
                lines = []
        writers[-1].put([("customers_customer", CUSTOMER_COLUMNS, lines)])
        phases["customers"] = time.monotonic() - t0

        # ------------------------------------------------------------------------------ tickets
        channels = list(demo.CHANNELS)
        # One draw picks the channel and the (day, hour) it came in: the channel's weight times
        # the slot's share of that channel's week.
        joint, joint_w = [], []
        for ci, ch in enumerate(channels):
            hours = demo.HOURS.get(ch, demo._ONLINE)
            week = demo.DAYS.get(ch, [1, 1, 1, 1, 1, 1.2, 1.2])
            slots = []
            for back in range(HISTORY_DAYS):
                day = today - datetime.timedelta(days=back)
                for hour, w in hours.items():
                    begin = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
                    slots.append(
                        ((int(begin.timestamp()), ci, day.toordinal()), week[day.weekday()] * w)
                    )
            total = sum(w for _, w in slots)
            for slot, w in slots:
                joint.append(slot)
                joint_w.append(demo.CHANNELS[ch] * w / total)
        joint_cum = list(accumulate(joint_w))
        joint_total = joint_cum[-1]
        types = list(demo.TYPE_WEIGHTS)
        type_cum = list(accumulate(demo.TYPE_WEIGHTS.values()))
        type_total = type_cum[-1]
        contents = [_contents(t, models, fault_models, big_models, labels, texts) for t in types]
        content_totals = [cum[-1] for cum, _ in contents]
        prio_total = PRIORITY_CUM[-1]
        counters = _counters()
        counts = {d.toordinal(): v for d, v in counters.items()}
        day_numbers = {}  # ordinal -> "20261204"
        policies: dict = {}
        created_data: dict = {}
        replies: dict = {}
        breached_json = {(): "[]"}
        surveyed = 0
        made = 0
        rare = 0
        status_count: Counter = Counter()
        latest_first = now_s - 20 * 60
        first_ticket = ticket_base + 1
        n_customers_run = len(customers)
        resolutions = {t: esc(demo.RESOLUTIONS.get(t, "已按约定处理完毕。")) for t in types}
        comments = [esc(c) for c in SURVEY_COMMENTS]
        pending_data, resolved_data, closed_data = (
            esc(PENDING_DATA),
            esc(RESOLVED_DATA),
            esc(CLOSED_DATA),
        )
        targets = (str(Target.FIRST_RESPONSE), str(Target.RESOLUTION))
        t0 = time.monotonic()
        generating = 0.0
        while made < n_tickets:
            g0 = time.thread_time()
            size = min(batch, n_tickets - made)
            plans = []
            for _ in range(size):
                slot_start, ci, lord = joint[bisect(joint_cum, r() * joint_total)]
                opened = slot_start + int(r() * 3600)
                if opened > latest_first:
                    opened = now_s - 60 * (20 + int(r() * 581))
                    lord = (
                        timezone.localtime(datetime.datetime.fromtimestamp(opened, UTC))
                        .date()
                        .toordinal()
                    )
                plans.append((opened, ci, lord))
            plans.sort()  # ids follow the moment each ticket was opened
            tokens = base64.urlsafe_b64encode(os.urandom(48 * size)).decode()
            t_rows, e_rows, c_rows, s_rows, p_rows = [], [], [], [], []
            t_add, e_add, c_add, s_add, p_add = (
                t_rows.append,
                e_rows.append,
                c_rows.append,
                s_rows.append,
                p_rows.append,
            )
            for k, (opened, ci, lord) in enumerate(plans):
                ticket_base += 1
                tid = ticket_base
                opened_text = days_text[opened // DAY - first_day] + seconds_text[opened % DAY]
                ch = channels[ci]
                ti = bisect(type_cum, r() * type_total)
                ttype = types[ti]
                priority = PRIORITIES[bisect(PRIORITY_CUM, r() * prio_total)]
                cid, cname, cgreeting, vip, si, cwords, cword_set = customers[
                    int(r() * n_customers_run)
                ]
                store_id, region_id, store_cal, staff, store_timeline = store_info[si]
                cum, entries = contents[ti]
                content = entries[bisect(cum, r() * content_totals[ti])]
                if tid % rare_every == 0:
                    content = content.with_rare_word(texts)
                    rare += 1
                # The purchase it is about (a new sale recorded with the ticket), or none.
                purchase = NULL
                if content.sold is not None:
                    model = content.model
                    lo, hi = content.sold
                    sold = lord - lo - int(r() * (hi - lo + 1)) - ordinal0
                    purchase_id += 1
                    purchase = purchase_id
                    p_add(
                        f"{purchase_id}\t{cid}\t{store_id}\t{model.category_id}\t{model.id}\t"
                        f"{content.label}\tSN{1_000_000_000 + int(r() * 9_000_000_000)}\t"
                        f"{dates[sold]}\t"
                        f"{10_000_000 + int(r() * 90_000_000) if r() < 0.9 else ''}\t{true}\t"
                        f"{dates[sold - 20 - int(r() * 101)]}\t{model.guide_price}\t"
                        f"{true if r() < 0.05 else false}\t{SALES_CHANNELS[int(r() * 5)]}\t"
                        f"{opened_text}\n"
                    )
                seq = counts[lord] = counts.get(lord, 0) + 1
                day_number = day_numbers.get(lord)
                if day_number is None:
                    day_number = day_numbers[lord] = datetime.date.fromordinal(lord).strftime(
                        "%Y%m%d"
                    )
                seq_text = f"{seq:06d}"
                number = f"KF-{day_number}-{seq_text}"
                actor = staff[int(r() * len(staff))]

                # Its life so far: answered, resolved, closed — or still open (recent ones mostly).
                still_open = r() < (0.6 if now_s - opened < 3 * DAY else open_share / 2)
                first_at = opened + 60 * (10 + int(r() * 1191))
                if still_open:
                    status = OPEN_CHOICES[int(r() * 4)]
                    if status == "new" or first_at > now_s:
                        status, first_at = "new", None
                else:
                    status = "closed" if r() < 0.75 else "resolved"
                resolved_at = closed_at = None
                if status == "closed" or status == "resolved":
                    resolved_at = first_at + 3600 * (1 + int(r() * 144))
                    if resolved_at > now_s:
                        resolved_at = now_s - 60 * (1 + int(r() * 30))
                        resolved_at = max(resolved_at, first_at + 60)
                    if status == "closed":
                        closed_at = resolved_at + DAY * (3 + int(r() * 8))
                        if closed_at > now_s:
                            status, closed_at = "resolved", None
                status_count[status] += 1
                last = closed_at or resolved_at or first_at or opened

                # SLA clocks as start_clocks makes them, stopped as the replies and the resolution
                # would stop them (late ones breached), or still running.
                key = (ti, priority, ch, vip, store_cal)
                policy = policies.get(key)
                if policy is None:
                    policy = policies[key] = _policy_clocks(
                        match_policy(type=ttype, priority=priority, channel=ch, vip=vip),
                        store_cal,
                        timeline,
                        esc,
                        true,
                        false,
                    )
                policy_code, clocks = policy
                fr_due = res_due = sla_due = sla_warn = sla_next = sla_paused = None
                breached = []
                running = []
                for target, minutes, warn_s, cal_text, follows, tl in clocks:
                    due = tl.add(opened, minutes * 60)
                    warn = tl.add(opened, warn_s)
                    stop = first_at if target == targets[0] else resolved_at
                    warned_at = breached_at = paused_at = None
                    if stop is not None:
                        state = "met"
                        if stop > warn:
                            warned_at = warn
                        if stop > due:
                            breached_at = due
                            breached.append(target)
                        seconds = store_timeline.between(opened, stop)
                        business = seconds if seconds > 0 else 0
                    else:
                        business = NULL
                        if status == "pending_customer":
                            state, paused_at = "paused", first_at
                        else:
                            state = "running"
                        if warn <= now_s:
                            warned_at = warn
                        if due <= now_s:
                            breached_at = due
                            breached.append(target)
                        running.append((target, state, warn, due, warned_at, breached_at))
                    c_add(
                        f"{tid}\t{target}\t{state}\t{cal_text}\t{follows}\t{minutes}\t"
                        f"{opened_text}\t{ts(warn)}\t{ts(due)}\t{ts(paused_at)}\t0\t"
                        f"{ts(warned_at)}\t{ts(breached_at)}\t{ts(stop)}\t{false}\t{NULL}\t"
                        f"{business}\n"
                    )
                if running:
                    for target, _state, _warn, due, _warned, _breached in running:
                        if target == targets[0]:
                            fr_due = due
                        else:
                            res_due = due
                    live = [c for c in running if c[1] == "running"]
                    if live:
                        soonest = min(live, key=lambda c: c[3])
                        sla_due, sla_warn = soonest[3], soonest[2]
                        pending = [c[2] if c[4] is None else c[3] for c in live if c[5] is None]
                        sla_next = min(pending, default=None)
                    if status == "pending_customer":
                        sla_paused = first_at
                b_key = tuple(breached)
                if b_key not in breached_json:
                    breached_json[b_key] = json.dumps(breached)

                # The search text as open_ticket stores it: the number's words, the content's,
                # the customer's name's, each word once.
                word_set = content.word_set
                if "kf" in word_set or day_number in word_set or seq_text in word_set:
                    search_text = texts.search_text(number, *content.raw, cname)
                elif word_set.isdisjoint(cword_set):
                    search_text = f"kf {day_number} {seq_text} {content.words} {cwords}"
                else:
                    search_text = texts.search_text(number, *content.raw, cname)
                t_add(
                    f"{tid}\t{number}\t{ttype}\t{ch}\t{status}\t{priority}\t{RANKS[priority]}\t"
                    f"{store_id}\t{region_id}\t{actor if status != 'new' else NULL}\t"
                    f"store_staff\t{cid}\t{purchase}\t{content.subject}\t{content.description}\t"
                    f"{actor}\t{opened_text}\t{ts(last)}\t{ts(resolved_at)}\t{ts(first_at)}\t"
                    f"{1 + (first_at is not None) + (resolved_at is not None) + (closed_at is not None)}\t"
                    f"{tokens[64 * k : 64 * k + 32]}\t{esc(search_text)}\t{policy_code}\t"
                    f"{ts(fr_due)}\t{NULL}\t{ts(res_due)}\t{NULL}\t{ts(sla_due)}\t{ts(sla_warn)}\t"
                    f"{ts(sla_next)}\t{ts(sla_paused)}\t{breached_json[b_key]}\n"
                )
                data_key = (ci, ti, actor)
                data = created_data.get(data_key)
                if data is None:
                    data = created_data[data_key] = esc(
                        json.dumps(
                            {"channel": ch, "type": ttype, "by": display_names.get(int(actor), "")},
                            ensure_ascii=False,
                        )
                    )
                e_add(f"{tid}\tcreated\t{actor}\t{false}\t\t{data}\t{opened_text}\n")
                if first_at is not None:
                    templates = demo.FIRST_REPLIES.get(ttype, demo.DEFAULT_REPLIES)
                    template = templates[int(r() * len(templates))]
                    body = replies.get((template, cgreeting))
                    if body is None:
                        body = replies[template, cgreeting] = esc(
                            template.format(greeting=cgreeting)
                        )
                    e_add(f"{tid}\treply\t{actor}\t{true}\t{body}\t{{}}\t{ts(first_at)}\n")
                    if status == "pending_customer":
                        e_add(
                            f"{tid}\tstatus\t{actor}\t{false}\t请顾客提供照片\t{pending_data}\t"
                            f"{ts(first_at + 300)}\n"
                        )
                if resolved_at is not None:
                    e_add(
                        f"{tid}\tstatus\t{actor}\t{true}\t{resolutions[ttype]}\t{resolved_data}\t"
                        f"{ts(resolved_at)}\n"
                    )
                    if r() < 0.4:
                        answered = resolved_at + 3600 * (1 + int(r() * 48))
                        if answered < now_s:
                            csat = 5 - bisect(CSAT_CUM, r() * 100)
                            comment = comments[int(r() * len(comments))]
                        else:
                            answered, csat, comment = None, NULL, ""
                        surveyed += 1
                        s_add(
                            f"{tid}\t{store_id}\t{region_id}\t{tokens[64 * k + 32 : 64 * k + 64]}\t"
                            f"{ts(resolved_at)}\t{ts(resolved_at + 7 * DAY)}\t{NULL}\t"
                            f"{ts(answered)}\t{csat}\t{comment}\n"
                        )
                if closed_at is not None:
                    e_add(f"{tid}\tstatus\t{actor}\t{true}\t\t{closed_data}\t{ts(closed_at)}\n")
            generating += time.thread_time() - g0
            tables = {
                "tickets_ticket": (TICKET_COLUMNS, t_rows),
                "customers_purchase": (PURCHASE_COLUMNS, p_rows),
                "tickets_ticketevent": (EVENT_COLUMNS, e_rows),
                "sla_slaclock": (CLOCK_COLUMNS, c_rows),
                "feedback_survey": (SURVEY_COLUMNS, s_rows),
            }
            if pg:
                writers[0].put([("tickets_ticket", *tables.pop("tickets_ticket"))])
                writers[1].put([(t, *rows) for t, rows in tables.items()])
            else:
                writers[0].put([(t, *rows) for t, rows in tables.items()])
            made += size
            bar.update(size)
        for w in writers:
            w.finish()
        phases["generate_cpu"] = generating
        phases["write"] = max(w.busy for w in writers)
        phases["load"] = time.monotonic() - t0
        bar.close()
        loaded = True
    finally:
        for w in writers:
            if w.is_alive():  # stopped by an error: let the writer go
                w.queue.put(None)
                w.join()
        # The report's facts of the new tickets (set-based on PostgreSQL), on a connection of
        # their own while the other one starts on the indexes (their tables' indexes last).
        jobs = [lambda: _build_facts(first_ticket, pg, phases)] if loaded else []
        # Whatever happened, the indexes dropped for the load come back.
        if dropped:
            if progress:
                print(f"Building {len(dropped)} indexes …", file=out, flush=True)
            t0 = time.monotonic()
            _create_indexes(dropped, first=jobs)
            phases["facts+indexes"] = time.monotonic() - t0
        elif jobs:
            jobs[0]()
    t0 = time.monotonic()
    with transaction.atomic():
        _save_counters({datetime.date.fromordinal(o): v for o, v in counts.items()})
        _reset_sequences(
            [
                "customers_customer",
                "customers_purchase",
                "tickets_ticket",
                "tickets_ticketevent",
                "sla_slaclock",
                "feedback_survey",
            ]
        )
    if pg:
        # Statistics for the planner, and the visibility map that lets counts run as
        # index-only scans (autovacuum would get there, later).
        order = ["tickets_ticketevent", "tickets_ticket", "sla_slaclock", "customers_customer"]
        rest = [t for t in BULK_TABLES if t not in order]
        _parallel([f"VACUUM ANALYZE {t}" for t in order + rest])
    phases["vacuum"] = time.monotonic() - t0
    elapsed = time.monotonic() - started
    return {
        "tickets": n_tickets,
        "customers": n_customers,
        "surveys": surveyed,
        "rare_word": RARE_WORD,
        "rare_tickets": rare,
        "statuses": dict(status_count),
        "seconds": round(elapsed, 2),
        "tickets_per_second": round(n_tickets / elapsed) if elapsed else None,
        "phases": {k: round(v, 2) for k, v in phases.items()},
        "database": connection.vendor,
    }


def _policy_clocks(policy, store_cal: str, timeline, esc, true: str, false: str):
    """A matched policy's clocks on a store's calendar: (code, [(target, minutes, warn
    seconds, calendar as text, follows the holder, timeline)])."""
    if policy is None:
        return "", []
    clocks = []
    for target in (Target.FIRST_RESPONSE, Target.RESOLUTION):
        minutes = policy.minutes(target)
        if not minutes:
            continue
        cal_name = policy.calendar_for(target)
        follows = not cal_name
        cal_name = cal_name or store_cal
        clocks.append(
            (
                str(target),
                minutes,
                round(minutes * 60 * policy.warn_percent / 100),
                esc(cal_name),
                true if follows else false,
                timeline(cal_name),
            )
        )
    return esc(policy.code), clocks


def _counters() -> dict:
    from kefu.tickets.models import TicketCounter

    return dict(TicketCounter.objects.values_list("day", "last"))


def _save_counters(counters: dict) -> None:
    from kefu.tickets.models import TicketCounter

    existing = set(TicketCounter.objects.values_list("day", flat=True))
    TicketCounter.objects.bulk_create(
        [TicketCounter(day=d, last=v) for d, v in counters.items() if d not in existing]
    )
    for d, v in counters.items():
        if d in existing:
            TicketCounter.objects.filter(day=d).update(last=v)
