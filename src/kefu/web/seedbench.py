"""`kefu seed-bench --tickets N`: fill a database with N believable tickets, fast.

The demo (`kefu demo`) writes ~300 tickets through the real services; a benchmark needs 100,000
or 1,000,000, which the services would take hours to write. This generator writes the same
kind of rows directly, in bulk (COPY on PostgreSQL, executemany on SQLite), from the demo's own
distributions: the chain, its people and products (loaded by the demo's own code), customers
with Chinese names and addresses, purchases, tickets of the demo's types, channels, hours and
texts, their SLA clocks (policy matched and due times counted on the business calendars, as the
services do), timeline events, the search text (jieba segments, identical to what
`open_ticket` stores; the SQLite FTS index follows by its triggers, PostgreSQL's GIN index by
itself) and satisfaction surveys.

About one ticket in a thousand mentions `kerberos` in its description: the rare word of the
search benchmarks. Re-running adds N more tickets (numbers continue each day's counter)."""

import datetime
import json
import queue
import random
import secrets
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
from kefu.sla.calendar import add_business_time
from kefu.sla.models import Target
from kefu.sla.selectors import get_calendar, match_policy
from kefu.web import demo

RARE_WORD = "kerberos"
RARE_SENTENCE = "另外，官方App登录时提示kerberos认证失败。"
RARE_EVERY = 1000
HISTORY_DAYS = demo.HISTORY_DAYS
UTC = datetime.UTC

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
    "paused_at paused_seconds warned_at breached_at stopped_at escalation_pending escalated_at"
).split()
SURVEY_COLUMNS = (
    "ticket_id store_id region_id token created_at expires_at mailed_at answered_at csat comment"
).split()
PRIORITIES = ["low", "normal", "high", "urgent"]
PRIORITY_CUM = list(accumulate([1, 6, 2, 0.5]))
PENDING_DATA = json.dumps({"previous": "open", "status": "pending_customer", "reopened": False})
RESOLVED_DATA = json.dumps({"previous": "open", "status": "resolved", "reopened": False})
CLOSED_DATA = json.dumps({"previous": "resolved", "status": "closed", "reopened": False})


class _CreatedData(dict):
    """The created event's data as JSON text, made once per (channel, type, actor)."""

    def __init__(self, names):
        super().__init__()
        self.names = names

    def __missing__(self, key):
        ch, ttype, actor = key
        found = self[key] = json.dumps(
            {"channel": ch, "type": ttype, "by": self.names.get(actor, "")}, ensure_ascii=False
        )
        return found


SURVEY_COMMENTS = [
    "师傅很专业，处理得很及时。",
    "客服态度很好，问题解决了。",
    "等待时间有点长，希望改进。",
    "一次就修好了，满意。",
    "",
    "",
]


class Sink:
    """Bulk rows into tables: COPY on PostgreSQL (psycopg 3 adapts each value in C), one
    executemany per table on SQLite."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"

    @staticmethod
    def _cell(v):
        if isinstance(v, datetime.datetime):
            return v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        if isinstance(v, datetime.date):
            return v.isoformat()
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, dict | list):
            return json.dumps(v, ensure_ascii=False)
        return v

    def write(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row)
            else:
                cell = self._cell
                marks = ", ".join("?" * len(columns))
                cursor.cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    [[cell(v) for v in row] for row in rows],
                )


class Writer(threading.Thread):
    """Writes batches on its own connection while the next batch is made: the database's work
    and Python's overlap (two cores)."""

    def __init__(self, fast: bool):
        super().__init__(daemon=True, name="seed-bench writer")
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.fast = fast

    def run(self):
        try:
            sink = Sink()
            if self.fast:
                _skip_fk_triggers()
            while (batch := self.queue.get()) is not None:
                with transaction.atomic():
                    for table, columns, rows in batch:
                        sink.write(table, columns, rows)
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


def _skip_fk_triggers() -> None:
    """PostgreSQL checks each foreign key row by row in a trigger; the generator makes its keys
    itself, so a superuser's session skips them (as pg_restore does). Others keep them."""
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.execute("SET session_replication_role = replica")
        except Exception:  # not a superuser: the checks stay, the load is slower
            pass


BULK_TABLES = [
    "customers_purchase",
    "tickets_ticket",
    "tickets_ticketevent",
    "sla_slaclock",
    "feedback_survey",
]


def _drop_indexes() -> list[str]:
    """Drop the secondary indexes of the bulk tables (PostgreSQL), returning their DDL: built
    once after the load they cost a fraction of keeping them up to date row by row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [BULK_TABLES],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    return [ddl for _, ddl in found]


def _create_indexes(ddl: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for statement in ddl:
            cursor.execute(statement)


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


def _slots(channel: str, today: datetime.date):
    """(day offset, hour) of the demo's week and hour weights for one channel."""
    hours = demo.HOURS.get(channel, demo._ONLINE)
    week = demo.DAYS.get(channel, [1, 1, 1, 1, 1, 1.2, 1.2])
    slots, weights = [], []
    for back in range(HISTORY_DAYS):
        day = today - datetime.timedelta(days=back)
        for hour, w in hours.items():
            slots.append((day, hour))
            weights.append(week[day.weekday()] * w)
    return slots, list(accumulate(weights))


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
    events and surveys). Returns counts and the rate."""
    from tqdm import tqdm

    started = time.monotonic()
    regions, stores, users, models = _ensure_chain()
    rng = random.Random(seed + _max_id("tickets_ticket"))
    now = timezone.now()
    today = timezone.localdate(now)
    sink = Sink()
    texts = Texts()
    store_list = list(stores.values())
    region_of = {code: region for code, _, region, _, _ in demo.STORES}
    staff_of_store = {
        s.id: [
            u.id
            for u in users.values()
            if getattr(getattr(u, "staff", None), "store_id", None) == s.id
            and u.staff.role == "store_staff"
        ]
        or [users["cs_agent"].id, users["coordinator"].id]
        for s in store_list
    }
    display_names = {
        u.id: u.staff.display_name for u in users.values() if getattr(u, "staff", None)
    }
    labels = {m.id: demo._label(m) for m in models}
    by_category: dict[str, list] = {}
    for m in models:
        by_category.setdefault(m.category.code, []).append(m)
    fault_models = [m for m in models if m.category.code in demo.FAULTS]
    big_models = [m for m in models if m.category.code in demo.BIG_APPLIANCES]

    # -------------------------------------------------------------- customers (one per 3 tickets)
    n_customers = max(30, n_tickets // 3)
    cust_base = _max_id("customers_customer")
    purchase_id = _max_id("customers_purchase")
    customers = []  # (id, name, gender, vip, store)
    bar = tqdm(total=n_tickets, desc="Bench tickets", unit="ticket", file=out, disable=not progress)
    pinyin: dict[str, tuple[str, str]] = {}
    with transaction.atomic():
        rows = []
        for k in range(n_customers):
            cid = cust_base + k + 1
            male = rng.random() < 0.5
            name = rng.choice(demo.SURNAMES) + rng.choice(
                demo.GIVEN_MALE if male else demo.GIVEN_FEMALE
            )
            if name not in pinyin:
                pinyin[name] = name_pinyin(name)
            store = store_list[k % len(store_list)]
            city, districts = demo.CITY_OF[region_of[store.code]]
            gender = ("male" if male else "female") if rng.random() < 0.8 else "unknown"
            phone = f"19{cid % 10}{cid:08d}"[-11:]
            joined = now - datetime.timedelta(days=HISTORY_DAYS + rng.randint(1, 900))
            vip = rng.random() < 0.06
            rows.append(
                (
                    cid,
                    name,
                    *pinyin[name],
                    gender,
                    phone,
                    phone[-4:],
                    f"user{cid}@example.com" if rng.random() < 0.5 else "",
                    f"{city}{rng.choice(districts)}{rng.choice(demo.STREETS)}{rng.randint(1, 999)}号"
                    f"{rng.randint(1, 30)}栋{rng.randint(101, 2802)}室",
                    "",
                    vip,
                    True,
                    False,
                    store.id,
                    joined,
                    joined,
                    None,
                    "",
                )
            )
            customers.append((cid, name, gender, vip, store))
            if len(rows) >= batch:
                sink.write("customers_customer", CUSTOMER_COLUMNS, rows)
                rows = []
        sink.write("customers_customer", CUSTOMER_COLUMNS, rows)

    # ------------------------------------------------------------------------------ tickets
    channels = list(demo.CHANNELS)
    slot_tables = {c: _slots(c, today) for c in channels}
    types = list(demo.TYPE_WEIGHTS)
    type_cum = list(accumulate(demo.TYPE_WEIGHTS.values()))
    created_data = _CreatedData(display_names)
    ticket_base = _max_id("tickets_ticket")
    counters = _counters()
    policy_cache: dict = {}
    ranks = {"urgent": 4, "high": 3, "normal": 2, "low": 1}
    surveyed = 0
    made = 0
    rare = 0
    status_count: Counter = Counter()
    pg = connection.vendor == "postgresql"
    # A load several times what is there: indexes are rebuilt at the end instead of kept.
    dropped = _drop_indexes() if pg and n_tickets >= max(50_000, 2 * ticket_base) else []
    writer = Writer(fast=pg)
    writer.start()
    try:
        while made < n_tickets:
            size = min(batch, n_tickets - made)
            chans = rng.choices(channels, weights=list(demo.CHANNELS.values()), k=size)
            plans = []
            for ch in chans:
                slots, weights = slot_tables[ch]
                day, hour = slots[bisect(weights, rng.random() * weights[-1])]
                opened = timezone.make_aware(
                    datetime.datetime.combine(
                        day, datetime.time(hour, rng.randrange(60), rng.randrange(60))
                    )
                )
                if opened > now - datetime.timedelta(minutes=20):
                    opened = now - datetime.timedelta(minutes=rng.randint(20, 600))
                plans.append((opened, ch))
            plans.sort(key=lambda p: p[0])  # ids follow the moment each ticket was opened
            t_rows, e_rows, c_rows, s_rows, p_rows = [], [], [], [], []
            for opened, ch in plans:
                ticket_base += 1
                tid = ticket_base
                ttype = types[bisect(type_cum, rng.random() * type_cum[-1])]
                priority = PRIORITIES[bisect(PRIORITY_CUM, rng.random() * PRIORITY_CUM[-1])]
                cid, cname, cgender, vip, store = customers[rng.randrange(len(customers))]
                local_day = timezone.localdate(opened)
                # The purchase it is about (a new sale recorded with the ticket), or none.
                purchase = None
                if ttype in ("consultation", "suggestion", "training"):
                    label = labels[rng.choice(models).id]
                    pool_texts = demo.TICKET_TEXTS[ttype]
                else:
                    if ttype == "fault_report":
                        model = rng.choice(fault_models)
                        sold = local_day - datetime.timedelta(days=rng.randint(10, 700))
                        pool_texts = demo.FAULTS[model.category.code]
                    elif ttype in ("installation", "delivery"):
                        model = rng.choice(big_models)
                        sold = local_day - datetime.timedelta(days=rng.randint(1, 5))
                        pool_texts = demo.TICKET_TEXTS[ttype]
                    else:
                        model = rng.choice(models)
                        sold = local_day - datetime.timedelta(days=rng.randint(1, 60))
                        pool_texts = demo.TICKET_TEXTS[ttype]
                    label = labels[model.id]
                    purchase_id += 1
                    purchase = purchase_id
                    p_rows.append(
                        (
                            purchase_id,
                            cid,
                            store.id,
                            model.category_id,
                            model.id,
                            label,
                            f"SN{rng.randint(10**9, 10**10 - 1)}",
                            sold,
                            f"{rng.randint(10**7, 10**8 - 1)}" if rng.random() < 0.9 else "",
                            True,
                            sold - datetime.timedelta(days=rng.randint(20, 120)),
                            model.guide_price,
                            rng.random() < 0.05,
                            rng.choice(["store", "store", "store", "online", "phone"]),
                            opened,
                        )
                    )
                subject_t, description_t = rng.choice(pool_texts)
                subject, description = (
                    subject_t.format(model=label),
                    description_t.format(model=label),
                )
                if tid % rare_every == 0:
                    description += RARE_SENTENCE
                    rare += 1
                counters[local_day] = seq = counters.get(local_day, 0) + 1
                number = f"KF-{local_day:%Y%m%d}-{seq:06d}"
                actor = rng.choice(staff_of_store[store.id])

                # Its life so far: answered, resolved, closed — or still open (recent ones mostly).
                age_days = (now - opened).total_seconds() / 86400
                still_open = rng.random() < (0.6 if age_days < 3 else open_share / 2)
                key = (ttype, priority, ch, vip)
                if key not in policy_cache:
                    policy_cache[key] = match_policy(
                        type=ttype, priority=priority, channel=ch, vip=vip
                    )
                policy = policy_cache[key]
                first_at = opened + datetime.timedelta(minutes=rng.randint(10, 60 * 20))
                if still_open:
                    status = rng.choice(["new", "open", "open", "pending_customer"])
                    if status == "new" or first_at > now:
                        status, first_at = "new", None
                else:
                    status = "closed" if rng.random() < 0.75 else "resolved"
                resolved_at = None
                if status in ("resolved", "closed"):
                    resolved_at = first_at + datetime.timedelta(hours=rng.randint(1, 24 * 6))
                    if resolved_at > now:
                        resolved_at = now - datetime.timedelta(minutes=rng.randint(1, 30))
                        resolved_at = max(resolved_at, first_at + datetime.timedelta(minutes=1))
                closed_at = None
                if status == "closed":
                    closed_at = resolved_at + datetime.timedelta(days=rng.randint(3, 10))
                    if closed_at > now:
                        status, closed_at = "resolved", None
                status_count[status] += 1
                last = closed_at or resolved_at or first_at or opened

                # SLA clocks as start_clocks makes them, stopped as the replies and the resolution
                # would stop them (late ones breached), or still running.
                fields = dict.fromkeys(
                    (
                        "first_response_due",
                        "resolution_due",
                        "sla_due",
                        "sla_warn_at",
                        "sla_next_due",
                        "sla_paused_at",
                        "solution_promised_at",
                    )
                )
                breached = []
                policy_code = ""
                if policy is not None:
                    policy_code = policy.code
                    running = []
                    for target, stop in (
                        (Target.FIRST_RESPONSE, first_at),
                        (Target.RESOLUTION, resolved_at),
                    ):
                        minutes = policy.minutes(target)
                        if not minutes:
                            continue
                        cal_name = policy.calendar_for(target)
                        follows = not cal_name
                        cal_name = cal_name or store.calendar or "store"
                        cal = get_calendar(cal_name)
                        due = add_business_time(opened, datetime.timedelta(minutes=minutes), cal)
                        warn = add_business_time(
                            opened,
                            datetime.timedelta(
                                seconds=round(minutes * 60 * policy.warn_percent / 100)
                            ),
                            cal,
                        )
                        warned_at = breached_at = paused_at = None
                        if stop is not None:
                            state = "met"
                            if stop > warn:
                                warned_at = warn
                            if stop > due:
                                breached_at = due
                                breached.append(str(target))
                        else:
                            state = "paused" if status == "pending_customer" else "running"
                            if state == "paused":
                                paused_at = first_at
                            if warn <= now:
                                warned_at = warn
                            if due <= now:
                                breached_at = due
                                breached.append(str(target))
                            running.append((target, state, warn, due, warned_at, breached_at))
                        c_rows.append(
                            (
                                tid,
                                str(target),
                                state,
                                cal_name,
                                follows,
                                minutes,
                                opened,
                                warn,
                                due,
                                paused_at,
                                0,
                                warned_at,
                                breached_at,
                                stop,
                                False,
                                None,
                            )
                        )
                    for target, _state, _warn, due, _warned, _breached in running:
                        fields[f"{target}_due"] = due
                    live = [r for r in running if r[1] == "running"]
                    if live:
                        soonest = min(live, key=lambda r: r[3])
                        fields["sla_due"], fields["sla_warn_at"] = soonest[3], soonest[2]
                        pending = [r[2] if r[4] is None else r[3] for r in live if r[5] is None]
                        fields["sla_next_due"] = min(pending, default=None)
                    if status == "pending_customer" and running:
                        fields["sla_paused_at"] = first_at

                t_rows.append(
                    (
                        tid,
                        number,
                        ttype,
                        ch,
                        status,
                        priority,
                        ranks[priority],
                        store.id,
                        store.region_id,
                        actor if status != "new" else None,
                        "store_staff",
                        cid,
                        purchase,
                        subject,
                        description,
                        actor,
                        opened,
                        last,
                        resolved_at,
                        first_at,
                        1
                        + (first_at is not None)
                        + (resolved_at is not None)
                        + (closed_at is not None),
                        secrets.token_urlsafe(24),
                        texts.search_text(number, subject, description, cname),
                        policy_code,
                        fields["first_response_due"],
                        None,
                        fields["resolution_due"],
                        fields["solution_promised_at"],
                        fields["sla_due"],
                        fields["sla_warn_at"],
                        fields["sla_next_due"],
                        fields["sla_paused_at"],
                        json.dumps(breached),
                    )
                )
                e_rows.append(
                    (
                        tid,
                        "created",
                        actor,
                        False,
                        "",
                        created_data[ch, ttype, actor],
                        opened,
                    )
                )
                if first_at is not None:
                    body = rng.choice(demo.FIRST_REPLIES.get(ttype, demo.DEFAULT_REPLIES)).format(
                        greeting=greeting(cname, cgender)
                    )
                    e_rows.append((tid, "reply", actor, True, body, "{}", first_at))
                    if status == "pending_customer":
                        e_rows.append(
                            (
                                tid,
                                "status",
                                actor,
                                False,
                                "请顾客提供照片",
                                PENDING_DATA,
                                first_at + datetime.timedelta(minutes=5),
                            )
                        )
                if resolved_at is not None:
                    e_rows.append(
                        (
                            tid,
                            "status",
                            actor,
                            True,
                            demo.RESOLUTIONS.get(ttype, "已按约定处理完毕。"),
                            RESOLVED_DATA,
                            resolved_at,
                        )
                    )
                    if rng.random() < 0.4:
                        answered = resolved_at + datetime.timedelta(hours=rng.randint(1, 48))
                        answered = answered if answered < now else None
                        surveyed += 1
                        s_rows.append(
                            (
                                tid,
                                store.id,
                                store.region_id,
                                secrets.token_urlsafe(24),
                                resolved_at,
                                resolved_at + datetime.timedelta(days=7),
                                None,
                                answered,
                                rng.choices([5, 4, 3, 2, 1], weights=[55, 25, 10, 6, 4])[0]
                                if answered
                                else None,
                                rng.choice(SURVEY_COMMENTS) if answered else "",
                            )
                        )
                if closed_at is not None:
                    e_rows.append(
                        (
                            tid,
                            "status",
                            actor,
                            True,
                            "",
                            CLOSED_DATA,
                            closed_at,
                        )
                    )
            writer.put(
                [
                    ("customers_purchase", PURCHASE_COLUMNS, p_rows),
                    ("tickets_ticket", TICKET_COLUMNS, t_rows),
                    ("tickets_ticketevent", EVENT_COLUMNS, e_rows),
                    ("sla_slaclock", CLOCK_COLUMNS, c_rows),
                    ("feedback_survey", SURVEY_COLUMNS, s_rows),
                ]
            )
            made += size
            bar.update(size)
        writer.finish()
    finally:
        if writer.is_alive():  # stopped by an error: let the writer go
            writer.queue.put(None)
            writer.join()
        # Whatever happened, the indexes dropped for the load come back.
        if dropped:
            if progress:
                print(f"Building {len(dropped)} indexes …", file=out, flush=True)
            _create_indexes(dropped)
    bar.close()
    with transaction.atomic():
        _save_counters(counters)
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
    if connection.vendor == "postgresql":
        # Statistics for the planner, and the visibility map that lets counts run as
        # index-only scans (autovacuum would get there, later).
        with connection.cursor() as cursor:
            for table in ["customers_customer", *BULK_TABLES]:
                cursor.execute(f"VACUUM ANALYZE {table}")
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
        "database": connection.vendor,
    }


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
