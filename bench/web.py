"""Web load benchmark: pages and API at national scale, served by gunicorn (issue 9).

Four actions, one per run (PostgreSQL only; the developer's ``.env`` and ``db.sqlite3`` are
never read or touched)::

    # 1. the national dataset (250 parks, 20,000 leases, ~24,000 applications, 3 billed
    #    months, payments on about a third of the statements) into stp_bench_web: minutes
    .venv/bin/python bench/web.py --build [--rebuild]
    # 1b. the demo country (seed_demo) into stp_bench_web_demo, for the demo-scale figures
    .venv/bin/python bench/web.py --build --demo [--rebuild]
    # 2. load: gunicorn with production settings, 20 users per role, paced and flat-out
    .venv/bin/python bench/web.py [--seconds 30] [--scenarios anonymous,pseb,manager,company,mixed]
        [--modes paced,flat-out] [--users 20] [--workers 4 --threads 2 --worker-class gthread]
        [--no-export] [--markdown] [--demo]
    # 3. SQL alone: each endpoint in-process (Django's test Client), queries and their time,
    #    median of 5, demo and national scale, and the ratio
    .venv/bin/python bench/web.py --sql [--markdown]

``--database`` (default ``postgres://postgres@127.0.0.1:5432/stp_bench_web``) and
``--demo-database`` (``.../stp_bench_web_demo``) name the databases; ``--demo`` makes the
build or the load use the demo one. A build refuses a database that already holds tables
unless ``--rebuild`` (which drops and recreates it); a ``db.sqlite3`` is always refused.

**Serving.** ``gunicorn stp_portal.wsgi:application`` on 127.0.0.1 and a free port, with
``stp_portal.settings.production``, a generated SECRET_KEY, the bench database,
``REDIS_URL=redis://127.0.0.1:6379/14`` (``--redis-url``; flushed first: not 15,
which ``.ci/run`` uses), ``SECURE_SSL_REDIRECT=false``,
``CONN_MAX_AGE=60`` and static files collected into a temporary folder. gunicorn comes from
the venv, or from ``--gunicorn-dir`` (a folder given to PYTHONPATH, e.g. made with
``pip install --no-deps --target /tmp/stp-bench-pylib gunicorn==<requirements' version>``).
The measured pages carry no rate limit (only sign-in, sign-up, password reset, the statement
verification page and the API's auth endpoints do), so no knob is turned; every answer that is
not a 200 is counted and printed per endpoint all the same.

**Signing in.** No login form: each simulated user gets a session made with the session
engine (auth's session keys, the idle-clock key, and ``otp_device_id`` of a confirmed TOTP
device for PSEB staff and park managers, as django-otp's middleware expects after a code) and
sends its cookie raw. API calls use a knox token (``Authorization: Token ...``).

**Load.** Per scenario, N threads (one simulated user each, keep-alive ``http.client``) pick
their role's endpoints at random for ``--seconds``, either pausing 1 s ±0.5 s between requests
(``paced``) or back to back (``flat-out``). ``mixed`` gives each user a role (anonymous 6,
company 6, manager 4, PSEB 4 in 20). Printed per endpoint: n, non-200, p50/p95/p99 ms, req/s,
and per scenario, with the load average before and after (other engineers share the machine).
``/statements/export.csv`` is measured apart: time to first byte, total, size, and the
largest peak RSS (VmHWM) of the gunicorn workers.
"""

from __future__ import annotations

import argparse
import http.client
import importlib
import importlib.util
import math
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/stp_bench_web"
DEFAULT_DEMO_DATABASE = "postgres://postgres@127.0.0.1:5432/stp_bench_web_demo"
# Not 15: .ci/run (and with it the test runs of anyone on this machine) uses that one, and
# the bench flushes its own.
REDIS_URL = "redis://127.0.0.1:6379/14"
MONTHS = ("2026-08", "2026-09", "2026-10")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    action = parser.add_argument_group("action (default: the load test)")
    action.add_argument("--build", action="store_true", help="build the dataset")
    action.add_argument("--sql", action="store_true", help="SQL alone, demo and national")
    parser.add_argument("--demo", action="store_true", help="the demo database (build or load)")
    parser.add_argument("--rebuild", action="store_true", help="drop and recreate the database")
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--demo-database", default=DEFAULT_DEMO_DATABASE)
    build = parser.add_argument_group("build")
    build.add_argument("--parks", type=int, default=250)
    build.add_argument("--leases", type=int, default=20000)
    build.add_argument("--applications", type=int, default=24000)
    build.add_argument("--company-users", type=int, default=2000, help="owners of companies 1..N")
    build.add_argument("--months", default=",".join(MONTHS), help="billed months, YYYY-MM,...")
    build.add_argument("--seed", type=int, default=1)
    load = parser.add_argument_group("load")
    load.add_argument("--seconds", type=float, default=30)
    load.add_argument("--users", type=int, default=20)
    load.add_argument("--scenarios", default="anonymous,pseb,manager,company,mixed")
    load.add_argument("--modes", default="paced,flat-out")
    load.add_argument("--workers", type=int, default=2)
    load.add_argument("--threads", type=int, default=2)
    load.add_argument("--worker-class", default="gthread")
    load.add_argument("--no-export", action="store_true", help="skip the CSV export timing")
    load.add_argument("--exports", type=int, default=2, help="CSV exports timed")
    load.add_argument("--gunicorn-dir", default="/tmp/stp-bench-pylib")
    load.add_argument("--redis-url", default=REDIS_URL, help="a Redis database of its own")
    load.add_argument(
        "--static-root",
        default="/tmp/stp-bench-web-static",
        help="collected static files, kept between runs (collected again when a source is newer)",
    )
    load.add_argument("--collectstatic", action="store_true", help="collect them again anyway")
    parser.add_argument("--runs", type=int, default=5, help="--sql: runs per endpoint")
    parser.add_argument("--markdown", action="store_true", help="also print markdown tables")
    return parser.parse_args()


def load_average() -> str:
    return "load avg " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def check_database_url(url: str) -> None:
    if "db.sqlite3" in url or not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"Refusing {url!r}: the bench needs a PostgreSQL database of its own.")


def configure(
    database_url: str,
    *,
    production: bool,
    secret_key: str,
    static_root: Path,
    redis_url: str = REDIS_URL,
) -> None:
    """The environment Django (in this process, and gunicorn's) starts with."""
    check_database_url(database_url)
    env = {
        "DATABASE_URL": database_url,
        "ENV_FILE": os.devnull,  # the developer's .env plays no part
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "CONN_MAX_AGE": "60",
        "EMAIL_URL": "consolemail://",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(Path(tempfile.gettempdir()) / "stp-bench-web-media"),
        "STAFF_TWO_FACTOR": "1",
    }
    if production:
        env |= {
            "DJANGO_SETTINGS_MODULE": "stp_portal.settings.production",
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": "stp-bench",
            "SECURE_SSL_REDIRECT": "false",
        }
    else:
        # The build and the SQL mode: no broker (nothing is queued), no Redis.
        env |= {"DJANGO_SETTINGS_MODULE": "stp_portal.settings.local", "REDIS_URL": ""}
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))


# --- Databases -----------------------------------------------------------------------------------
def _psycopg2() -> Any:
    """psycopg2 (Django's driver here; imported by name: it ships no type stubs)."""
    return importlib.import_module("psycopg2")


def _admin_connection(url: str):
    psycopg2 = _psycopg2()

    parts = urlsplit(url)
    conn = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn, parts.path.lstrip("/")


def database_prepare(url: str, *, rebuild: bool) -> None:
    """Create the database if missing; refuse one holding tables unless ``rebuild``."""
    psycopg2 = _psycopg2()

    conn, name = _admin_connection(url)
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cur.fetchone() is not None
        if exists and rebuild:
            print(f"dropping database {name}")
            cur.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            cur.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    conn.close()
    parts = urlsplit(url)
    db = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname=name
    )
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        (tables,) = cur.fetchone()
    db.close()
    if tables:
        sys.exit(f"Database {name} is not empty ({tables} tables): pass --rebuild to replace it.")


# --- Build ---------------------------------------------------------------------------------------
def step(label: str, started: float) -> None:
    print(f"  {label} ({time.perf_counter() - started:.1f} s, {load_average()})", flush=True)


def build_national(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from bench import billing as bench_billing
    from core.calendar import Period

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    step("migrated", started)
    periods = [Period.parse(m) for m in args.months.split(",")]
    sizes = bench_billing.build_dataset(
        argparse.Namespace(parks=args.parks, leases=args.leases, seed=args.seed), periods[-1]
    )
    step("billing bench's dataset: " + ", ".join(f"{n} {k}" for k, n in sizes.items()), started)
    rng = random.Random(args.seed)
    extra_units(rng)
    step("vacant and under-maintenance units", started)
    users = users_create(args)
    step(f"users: {users}", started)
    apps = applications_create(args, rng)
    step(f"applications: {apps}", started)
    from django.utils import timezone

    today = timezone.localdate()
    for period in periods:
        ids = month_bill(period)
        step(f"billed {period}: {len(ids)} statements", started)
    paid = payments_create(rng, today)
    step(f"payments and credit notes: {paid}", started)
    call_command("clearsessions", verbosity=0)
    # Units and lets were written in bulk, around the services: each park's stored figures
    # for today, as the night's refresh stores them.
    from parks.services import occupancy_refresh_all

    step(f"park figures stored: {occupancy_refresh_all()} parks", started)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # as autovacuum leaves a settled database
    step("VACUUM ANALYZE", started)
    print(f"dataset built in {time.perf_counter() - started:.0f} s; {dataset_summary()}")


def extra_units(rng: random.Random) -> None:
    """Two never-let units per park, and a tenth of the parks with one under maintenance."""
    from core.vocabulary import UnitKind
    from parks.models import Park, Unit

    units = []
    for i, park in enumerate(Park.objects.order_by("pk")):
        for n in range(2):
            rent = Decimal(rng.choice((30000, 45000, 60000)))
            units.append(
                Unit(
                    park=park,
                    code=f"V-{n + 1:03d}",
                    floor="2",
                    kind=UnitKind.OFFICE,
                    area_sqft=rent / 60,
                    seats=10,
                    monthly_rent=rent,
                    internet_fee=Decimal(5000),
                    under_maintenance=(n == 1 and i % 10 == 0),
                )
            )
    Unit.objects.bulk_create(units, batch_size=2000)


def users_create(args: argparse.Namespace) -> dict[str, int]:
    """The billing bench's PSEB user, one manager per park (every tenth manages the next park
    too), an owner for each of the first N companies; TOTP devices for staff and managers."""
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from core.vocabulary import MemberRole, Role
    from parks.models import Park, ParkManagerAssignment
    from tenants.models import Company, Membership

    now = timezone.now()
    pseb = User.objects.get(username="bench.staff")
    pseb.email, pseb.email_verified_at = "bench.staff@example.pk", now
    pseb.set_unusable_password()
    pseb.save()
    parks = list(Park.objects.order_by("pk"))

    def users(role: str, names: list[str]) -> list:
        """Verified users of a role without a usable password (sessions are made directly)."""
        return User.objects.bulk_create(
            [
                User(
                    username=name,
                    role=role,
                    email=f"{name}@example.pk",
                    email_verified_at=now,
                    password="!",
                )
                for name in names
            ],
            batch_size=2000,
        )

    managers = users(Role.PARK_MANAGER, [f"manager.{park.code.lower()}" for park in parks])
    assignments = []
    for i, (manager, park) in enumerate(zip(managers, parks, strict=True)):
        assignments.append(ParkManagerAssignment(user=manager, park=park))
        if i % 10 == 0 and len(parks) > 1:
            second = parks[(i + 1) % len(parks)]
            assignments.append(ParkManagerAssignment(user=manager, park=second))
    ParkManagerAssignment.objects.bulk_create(assignments, batch_size=2000)
    TOTPDevice.objects.bulk_create(
        [TOTPDevice(user=u, name="bench", confirmed=True) for u in [pseb, *managers]]
    )
    companies = list(Company.objects.order_by("pk")[: args.company_users])
    owners = users(Role.COMPANY, [f"owner.{c.pk}" for c in companies])
    Membership.objects.bulk_create(
        [
            Membership(user=u, company=c, role=MemberRole.OWNER)
            for u, c in zip(owners, companies, strict=True)
        ],
        batch_size=2000,
    )
    return {
        "pseb": 1,
        "managers": len(managers),
        "assignments": len(assignments),
        "company owners": len(owners),
    }


def applications_create(args: argparse.Namespace, rng: random.Random) -> dict[str, int]:
    """Approved applications for 60% of the leases (each approved one has its lease), the
    rest drafts, submitted, under review, rejected or withdrawn, over the last two years."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from core.vocabulary import ApplicationStatus, UnitKind
    from tenants.models import Application, Lease, Membership

    owner_of = dict(Membership.objects.values_list("company_id", "user_id"))
    staff = User.objects.get(username="bench.staff")
    leases = list(Lease.objects.order_by("pk").values("pk", "company_id", "park_id", "start_date"))
    park_ids = sorted({lease["park_id"] for lease in leases})
    company_ids = sorted({lease["company_id"] for lease in leases})
    now = timezone.now()
    approved = rng.sample(leases, min(len(leases), int(args.applications * 0.5)))
    others = (
        (ApplicationStatus.DRAFT, 15),
        (ApplicationStatus.SUBMITTED, 25),
        (ApplicationStatus.UNDER_REVIEW, 20),
        (ApplicationStatus.REJECTED, 25),
        (ApplicationStatus.WITHDRAWN, 15),
    )
    rows: list[Application] = []

    def application(company_id: int, park_id: int, status: str, start: date, lease_id=None):
        submitted = None
        if status != ApplicationStatus.DRAFT:
            submitted = now - timedelta(days=rng.randrange(1, 730), minutes=rng.randrange(1440))
        decided = None
        if status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED) and submitted:
            decided = submitted + timedelta(days=rng.randrange(1, 30))
        return Application(
            company_id=company_id,
            park_id=park_id,
            seats=rng.choice((5, 10, 20, 40)),
            area_sqft=Decimal(rng.choice((500, 1000, 2000))),
            unit_kind=UnitKind.OFFICE,
            desired_start=start,
            duration_months=rng.choice((12, 24, 36)),
            business_plan="Software exports and IT-enabled services; hiring graduates.",
            status=status,
            lease_id=lease_id,
            created_by_id=owner_of.get(company_id, staff.pk),
            submitted_at=submitted,
            decided_at=decided,
        )

    for lease in approved:
        rows.append(
            application(
                lease["company_id"],
                lease["park_id"],
                ApplicationStatus.APPROVED,
                lease["start_date"],
                lease["pk"],
            )
        )
    statuses = [status for status, _ in others]
    weights = [weight for _, weight in others]
    for _ in range(args.applications - len(rows)):
        status = rng.choices(statuses, weights)[0]
        rows.append(
            application(
                rng.choice(company_ids),
                rng.choice(park_ids),
                status,
                timezone.localdate() + timedelta(days=rng.randrange(15, 180)),
            )
        )
    Application.objects.bulk_create(rows, batch_size=2000)
    # created_at is auto_now_add: spread it like the submissions (drafts: the last 60 days).
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE tenants_application SET created_at = COALESCE(submitted_at, now() - "
            "(id % 60) * interval '1 day') - interval '2 hours', updated_at = "
            "COALESCE(decided_at, submitted_at, now() - (id % 60) * interval '1 day')"
        )
    return dict(Counter(str(a.status) for a in rows))


def month_bill(period) -> list[int]:
    """A month billed as the worker bills it (billing_run_plan, then each chunk), without
    PDFs, issued on the 1st of the next month."""
    from subsidies import services

    issue_date = period.next().first
    run = services.billing_run_start(user=None, period=period, today=issue_date, queue=False)
    ids: list[int] = []
    for chunk_id in services.billing_run_plan(run.pk):
        ids.extend(services.billing_chunk_bill(chunk_id, today=issue_date, render=False))
    return ids


def payments_create(
    rng: random.Random, today: date, periods: list[date] | None = None
) -> dict[str, int]:
    """Payments on about a third of the statements (half of those in full, half in part),
    and a credit note on one in 200: through the services that record them in the portal
    (``payment_record``, ``credit_note_issue``), so anything they maintain stays true.
    ``periods`` (first days of months) limits them to those months' statements."""
    from accounts.models import User
    from core.money import quantize_money
    from subsidies import services
    from subsidies.models import Statement

    staff = User.objects.get(username="bench.staff")
    chosen = Statement.objects.filter(net_payable__gt=1)
    if periods is not None:
        chosen = chosen.filter(period__in=periods)
    statements = list(chosen.select_related("park").order_by("pk"))
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    for i, statement in enumerate(statements):
        draw = rng.random()
        if draw < 1 / 6 or draw < 1 / 3:
            amount = (
                statement.net_payable
                if draw < 1 / 6
                else quantize_money(
                    statement.net_payable * Decimal(rng.choice(("0.25", "0.5", "0.75")))
                )
            )
            paid_on = min(statement.issue_date + timedelta(days=rng.randrange(1, 25)), today)
            services.payment_record(
                user=staff,
                statement=statement,
                amount=amount,
                paid_on=paid_on,
                reference=f"HBL-{statement.number}",
                today=today,
                notify=False,  # history: its receipts are not e-mailed (as the demo's)
            )
            counts["full payments" if draw < 1 / 6 else "part payments"] += 1
        elif draw < 1 / 3 + 1 / 200:
            services.credit_note_issue(
                user=staff,
                statement=statement,
                reason="Air conditioning out of order for a week; part of the rent credited.",
                amount=quantize_money(statement.net_payable / 10),
                today=statement.issue_date + timedelta(days=3),
            )
            counts["credit notes"] += 1
        if i and i % 5000 == 0:
            rate = i / (time.perf_counter() - started)
            print(f"    {i}/{len(statements)} statements, {rate:.0f}/s", flush=True)
    return dict(counts)


def build_demo() -> None:
    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from core.vocabulary import Role
    from stp_portal.demo import seed_demo

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    step("migrated", started)
    seed_demo()
    for user in User.objects.filter(role__in=[Role.PSEB, Role.PARK_MANAGER]):
        TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    step("seed_demo (no PDFs)", started)
    print(dataset_summary())


def dataset_summary() -> str:
    from accounts.models import User
    from parks.models import Park, Unit
    from subsidies.models import CreditNote, Payment, Statement, StatementLine
    from tenants.models import Application, Company, Lease

    models = (Park, Unit, Company, Lease, Application, Statement, StatementLine, Payment)
    parts = [f"{m.objects.count():,} {m._meta.verbose_name_plural}" for m in models]
    parts.append(f"{CreditNote.objects.count():,} credit notes")
    parts.append(f"{User.objects.count():,} users")
    return ", ".join(parts)


# --- Who signs in, and what each role asks for ---------------------------------------------------
@dataclass
class Identity:
    role: str
    cookie: str = ""
    token: str = ""
    parks: list[str] = field(default_factory=list)  # park codes (the manager's own)


@dataclass(frozen=True)
class Endpoint:
    label: str
    weight: int
    api: bool = False

    def path(self, who: Identity, ctx: Context, rng: random.Random, user_state: dict) -> str:
        label = self.label
        if "<CODE>" in label:
            codes = who.parks or ctx.park_codes
            return label.replace("<CODE>", rng.choice(codes))
        if label.endswith("?page=N"):
            # A random page up to the last, while the API numbers its pages; else follow
            # `next` links (cursors) from six pages before the end (up to 5 hops, then start
            # again): the deepest pages a client walking the list reads.
            if ctx.api_pages:
                return label.replace("N", str(rng.randint(2, ctx.api_pages)))
            nxt = user_state.get("next")
            if not nxt or user_state.get("hops", 0) >= 5:
                user_state["hops"] = 0
                return ctx.deep_cursor or label.split("?")[0]
            user_state["hops"] = user_state.get("hops", 0) + 1
            return nxt
        return label


ROLES: dict[str, list[Endpoint]] = {
    "anonymous": [
        Endpoint("/", 3),
        Endpoint("/parks/", 3),
        Endpoint("/parks/<CODE>/", 3),
        Endpoint("/api/v1/parks/", 1, api=True),
    ],
    "pseb": [
        Endpoint("/dashboard/", 2),
        Endpoint("/applications/", 2),
        Endpoint("/statements/", 2),
        Endpoint("/statements/?status=overdue", 2),
        Endpoint("/api/v1/statements/", 1, api=True),
        Endpoint("/api/v1/statements/?page=N", 1, api=True),
    ],
    "manager": [
        Endpoint("/dashboard/", 2),
        Endpoint("/parks/managed/", 2),
        Endpoint("/parks/<CODE>/occupancy/", 2),
        Endpoint("/statements/", 2),
        Endpoint("/applications/", 1),
    ],
    "company": [
        Endpoint("/dashboard/", 2),
        Endpoint("/statements/", 2),
        Endpoint("/leases/", 2),
        Endpoint("/applications/", 1),
        Endpoint("/company/", 1),
    ],
}
MIXED_ROLES = (("anonymous", 6), ("company", 6), ("manager", 4), ("pseb", 4))


@dataclass
class Context:
    park_codes: list[str]
    api_pages: int = 0  # the last page of /api/v1/statements/ (0: pages not numbered)
    deep_cursor: str = ""  # a cursor link six pages before the end (cursor pagination)


def people(n: int) -> dict[str, list]:
    """Users of each role from the database: the PSEB user, managers, company owners."""
    from accounts.models import User
    from core.vocabulary import MemberRole, Role

    pseb = (
        User.objects.filter(role=Role.PSEB, is_active=True, totpdevice__confirmed=True)
        .order_by("pk")
        .first()
    ) or User.objects.filter(role=Role.PSEB, is_active=True).order_by("pk").first()
    managers = list(
        User.objects.filter(role=Role.PARK_MANAGER, is_active=True, park_assignments__isnull=False)
        .distinct()
        .order_by("pk")[:n]
    )
    owners = list(
        User.objects.filter(
            role=Role.COMPANY,
            is_active=True,
            memberships__role=MemberRole.OWNER,
            memberships__company__leases__isnull=False,
        )
        .distinct()
        .order_by("pk")[:n]
    )
    return {"pseb": [pseb], "manager": managers, "company": owners}


def sign_in(user) -> str:
    """A session for ``user`` as after a full sign-in (with the TOTP step for staff): the
    cookie header value."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.two_factor import requires_second_factor

    store = SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["_stp_seen"] = int(time.time())
    if requires_second_factor(user):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.set_expiry(3600)
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def api_token(user) -> str:
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user=user)
    return token


def identities(role: str, n: int, staff: dict[str, list]) -> list[Identity]:
    from parks.models import Park

    if role == "anonymous":
        return [Identity("anonymous") for _ in range(n)]
    pool = staff[role]
    out = []
    for i in range(n):
        user = pool[i % len(pool)]
        who = Identity(role, cookie=sign_in(user))
        if role == "pseb":
            who.token = api_token(user)
        if role == "manager":
            who.parks = list(
                Park.objects.filter(manager_assignments__user=user).values_list("code", flat=True)
            )
        out.append(who)
    return out


# --- gunicorn ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args, self.tmp = args, tmp
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = dict(os.environ)
        if importlib.util.find_spec("gunicorn") is None:
            if not (Path(self.args.gunicorn_dir) / "gunicorn").is_dir():
                sys.exit(
                    "gunicorn is not in the venv (it is in requirements/base.txt): install it, "
                    f"or pip install --no-deps --target {self.args.gunicorn_dir} gunicorn"
                )
            env["PYTHONPATH"] = os.pathsep.join(
                [self.args.gunicorn_dir, str(BASE_DIR), env.get("PYTHONPATH", "")]
            )
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "stp_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.args.workers),
            "--threads",
            str(self.args.threads),
            "--worker-class",
            self.args.worker_class,
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        self.log = open(self.tmp / "gunicorn.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"gunicorn exited: see {self.tmp / 'gunicorn.log'}\n" + self.log_tail())
            try:
                status, _, _ = request(self.port, "/health/")
                if status == 200:
                    print(
                        f"gunicorn pid {self.proc.pid} on 127.0.0.1:{self.port}: "
                        f"{self.args.workers} workers x {self.args.threads} threads "
                        f"({self.args.worker_class})"
                    )
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        sys.exit("gunicorn did not answer /health/ within 60 s\n" + self.log_tail())

    def log_tail(self) -> str:
        return "\n".join((self.tmp / "gunicorn.log").read_text().splitlines()[-30:])

    def workers(self) -> list[int]:
        if self.proc is None:
            return []
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def worker_memory(self) -> dict[int, tuple[int, int]]:
        """Each worker's (RSS, peak RSS) in KiB."""
        out = {}
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                fields = dict(line.split(":", 1) for line in status.splitlines())
                out[pid] = (int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0]))
            except (OSError, KeyError, ValueError):
                pass
        return out

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def request(port: int, path: str, headers: dict | None = None, timeout: float = 60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


# --- Load ----------------------------------------------------------------------------------------
@dataclass
class Sample:
    key: str
    status: int
    ms: float


def user_loop(
    port: int,
    who: Identity,
    endpoints: list[Endpoint],
    ctx: Context,
    deadline: float,
    paced: bool,
    seed: int,
    out: list[Sample],
) -> None:
    import json

    rng = random.Random(seed)
    weights = [e.weight for e in endpoints]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    state: dict = {}
    if paced:  # users do not all start in the same instant
        time.sleep(rng.uniform(0, 1))
    while time.monotonic() < deadline:
        endpoint = rng.choices(endpoints, weights)[0]
        path = endpoint.path(who, ctx, rng, state)
        headers = {}
        if endpoint.api and who.token:
            headers["Authorization"] = f"Token {who.token}"
        elif who.cookie:
            headers["Cookie"] = who.cookie
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            status, body = 0, b""
        ms = 1000 * (time.perf_counter() - started)
        out.append(Sample(f"{who.role} {endpoint.label}", status, ms))
        if endpoint.label.endswith("?page=N") and status == 200 and not ctx.api_pages:
            try:
                state["next"] = (
                    urlsplit(json.loads(body).get("next") or "")
                    ._replace(scheme="", netloc="")
                    .geturl()
                    or None
                )
            except ValueError:
                state["next"] = None
        if paced:
            time.sleep(rng.uniform(0.5, 1.5))
    conn.close()


def percentile(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return float("nan")
    # Nearest rank: the smallest value with at least p% of the samples at or below it.
    index = min(len(sorted_ms) - 1, max(0, math.ceil(p / 100 * len(sorted_ms)) - 1))
    return sorted_ms[index]


@dataclass
class Row:
    scenario: str
    mode: str
    endpoint: str
    n: int
    bad: int
    statuses: str
    p50: float
    p95: float
    p99: float
    rate: float


def summarise(scenario: str, mode: str, samples: list[Sample], seconds: float) -> list[Row]:
    by_key: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_key[s.key].append(s)
    rows = []
    for key in sorted(by_key):
        rows.append(_row(scenario, mode, key, by_key[key], seconds))
    rows.append(_row(scenario, mode, "TOTAL", samples, seconds))
    return rows


def _row(scenario: str, mode: str, key: str, samples: list[Sample], seconds: float) -> Row:
    ms = sorted(s.ms for s in samples)
    bad = Counter(s.status for s in samples if s.status != 200)
    return Row(
        scenario,
        mode,
        key,
        len(samples),
        sum(bad.values()),
        ", ".join(f"{k}×{v}" for k, v in sorted(bad.items())),
        percentile(ms, 50),
        percentile(ms, 95),
        percentile(ms, 99),
        len(samples) / seconds,
    )


def print_rows(rows: list[Row]) -> None:
    print(
        f"  {'endpoint':<42} {'n':>6} {'non200':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'req/s':>7}"
    )
    for r in rows:
        print(
            f"  {r.endpoint:<42} {r.n:>6} {r.bad:>6} {r.p50:>8.0f} {r.p95:>8.0f} "
            f"{r.p99:>8.0f} {r.rate:>7.1f}" + (f"  ({r.statuses})" if r.bad else "")
        )


def run_scenario(
    server: Server, scenario: str, mode: str, args: argparse.Namespace, ctx: Context, staff
) -> tuple[list[Row], str]:
    if scenario == "mixed":
        roles = []
        total = sum(w for _, w in MIXED_ROLES)
        for role, weight in MIXED_ROLES:
            roles += [role] * round(args.users * weight / total)
        roles = (roles + ["anonymous"] * args.users)[: args.users]
    else:
        roles = [scenario] * args.users
    who: list[Identity] = []
    for role, count in Counter(roles).items():
        who += identities(role, count, staff)
    samples: list[list[Sample]] = [[] for _ in who]
    before = load_average()
    started = time.perf_counter()
    deadline = time.monotonic() + args.seconds
    threads = [
        threading.Thread(
            target=user_loop,
            args=(server.port, w, ROLES[w.role], ctx, deadline, mode == "paced", i, samples[i]),
            daemon=True,
        )
        for i, w in enumerate(who)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    flat = [s for per_user in samples for s in per_user]
    rows = summarise(scenario, mode, flat, elapsed)
    note = f"{before} before, {load_average()} after, {elapsed:.1f} s"
    print(f"\n## {scenario} / {mode}: {len(who)} users ({note})")
    print_rows(rows)
    return rows, note


def measure_export(server: Server, staff, count: int) -> list[str]:
    """/statements/export.csv as PSEB: time to the first byte of the body and to its first
    data row (the heading rows and the labels may be sent before any query runs), the total,
    the size; then /statements/export.xlsx (written whole to a temporary file before its
    first byte); and the gunicorn workers' peak RSS (VmHWM) before and after the exports."""
    who = identities("pseb", 1, staff)[0]
    lines = []
    rss_before = server.worker_memory()
    for _ in range(count):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        started = time.perf_counter()
        conn.request("GET", "/statements/export.csv", headers={"Cookie": who.cookie})
        response = conn.getresponse()
        head = response.readline()
        ttfb = time.perf_counter() - started
        size = len(head)
        # The heading rows (report, as of, filters) and a blank row come before the labels.
        while head and not head.startswith(b"Number,"):
            head = response.readline()
            size += len(head)
        first_row = response.readline()
        ttfr = time.perf_counter() - started
        size += len(first_row) + len(response.read())
        total = time.perf_counter() - started
        conn.close()
        lines.append(
            f"export.csv: status {response.status}, first byte {1000 * ttfb:,.0f} ms, "
            f"first data row {1000 * ttfr:,.0f} ms, total {1000 * total:,.0f} ms, "
            f"{size / 1e6:.1f} MB ({load_average()})"
        )
        print("  " + lines[-1], flush=True)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        started = time.perf_counter()
        conn.request("GET", "/statements/export.xlsx", headers={"Cookie": who.cookie})
        response = conn.getresponse()
        size = len(response.read(1))
        ttfb = time.perf_counter() - started
        size += len(response.read())
        total = time.perf_counter() - started
        conn.close()
        lines.append(
            f"export.xlsx: status {response.status}, first byte {1000 * ttfb:,.0f} ms, "
            f"total {1000 * total:,.0f} ms, {size / 1e6:.1f} MB ({load_average()})"
        )
        print("  " + lines[-1], flush=True)
    rss_after = server.worker_memory()
    if rss_after and rss_before:
        peak_before = max(h for _, h in rss_before.values())
        peak_after = max(h for _, h in rss_after.values())
        lines.append(
            f"workers' peak RSS (VmHWM, the largest worker): {peak_before / 1024:.0f} MiB "
            f"before the exports, {peak_after / 1024:.0f} MiB after"
        )
        print("  " + lines[-1])
    return lines


def load(args: argparse.Namespace, tmp: Path) -> None:
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connection

    from parks.models import Park

    redis.Redis.from_url(args.redis_url).flushdb()
    if static_stale(args.static_root) or args.collectstatic:
        started = time.perf_counter()
        call_command("collectstatic", interactive=False, verbosity=0)
        print(f"static files collected in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        (pg,) = cur.fetchone()
    print(f"database {connection.settings_dict['NAME']}: {dataset_summary()}")
    print(f"{pg.split(' on ')[0]}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    staff = people(args.users)
    ctx = Context(park_codes=list(Park.objects.order_by("code").values_list("code", flat=True)))
    server = Server(args, tmp)
    server.start()
    all_rows: list[Row] = []
    notes: dict[tuple[str, str], str] = {}
    export_lines: list[str] = []
    try:
        probe = identities("pseb", 1, staff)[0]
        _, _, body = request(
            server.port, "/api/v1/statements/", {"Authorization": f"Token {probe.token}"}
        )
        import json

        first = json.loads(body)
        last = max(1, -(-first.get("count", 0) // max(1, len(first.get("results", [])))))
        if "count" in first and "page=" in (first.get("next") or ""):
            ctx.api_pages = last
        elif last > 7:  # cursor links: start the deep walk from page last - 6's `next`
            _, _, deep = request(
                server.port,
                f"/api/v1/statements/?page={last - 7}",
                {"Authorization": f"Token {probe.token}"},
            )
            link = json.loads(deep).get("next") or ""
            ctx.deep_cursor = urlsplit(link)._replace(scheme="", netloc="").geturl()
        print(f"API statements: {first.get('count')} (last page {ctx.api_pages or 'n/a'})")
        print(f"workers' RSS at start: {rss_text(server)}")
        for scenario in args.scenarios.split(","):
            for mode in args.modes.split(","):
                rows, note = run_scenario(server, scenario, mode, args, ctx, staff)
                all_rows += rows
                notes[(scenario, mode)] = note
        if not args.no_export:
            print(f"\n## /statements/export.csv, one at a time ({load_average()})")
            export_lines = measure_export(server, staff, args.exports)
        print(f"\nworkers' RSS at the end: {rss_text(server)}")
    finally:
        server.stop()
    if args.markdown:
        print_markdown(all_rows, notes, export_lines)


def static_stale(static_root: str) -> bool:
    """No manifest yet, or a file of the project's static folders newer than it (collecting
    with the production storage compresses every file: a minute on this machine)."""
    manifest = Path(static_root) / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    folders = [BASE_DIR / "static", *BASE_DIR.glob("*/static")]
    return any(
        f.stat().st_mtime > built for folder in folders for f in folder.rglob("*") if f.is_file()
    )


def rss_text(server: Server) -> str:
    memory = server.worker_memory()
    return ", ".join(f"{r / 1024:.0f} MiB (peak {h / 1024:.0f})" for r, h in memory.values())


def print_markdown(rows: list[Row], notes: dict, export_lines: list[str]) -> None:
    print("\n<!-- bench/web.py --markdown -->")
    for (scenario, mode), note in notes.items():
        print(f"\n**{scenario}, {mode}** ({note})\n")
        print("| endpoint | n | non-200 | p50 ms | p95 ms | p99 ms | req/s |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            if (r.scenario, r.mode) == (scenario, mode):
                name = "**total**" if r.endpoint == "TOTAL" else f"`{r.endpoint}`"
                print(
                    f"| {name} | {r.n} | {r.bad} | {r.p50:,.0f} | {r.p95:,.0f} | "
                    f"{r.p99:,.0f} | {r.rate:.1f} |"
                )
    if export_lines:
        print()
        for line in export_lines:
            print(f"- {line}")


# --- SQL alone -----------------------------------------------------------------------------------
def sql_endpoints() -> list[tuple[str, str]]:
    """(role, endpoint label) for every endpoint of every role, plus the export."""
    seen = []
    for role, endpoints in ROLES.items():
        for e in endpoints:
            seen.append((role, e.label))
    seen.append(("pseb", "/api/v1/statements/?page=LAST"))
    seen.append(("pseb", "/statements/export.csv"))
    return seen


def signed_in_client(user):
    """Django's test ``Client`` signed in as ``user``, past the TOTP step for staff (the
    session holds a confirmed device's id, as django-otp's middleware stores after a code)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@dataclass
class Timed:
    """One request in-process: its status, SQL queries and their time, the whole time, the
    body's size, and (when asked) each query's SQL, parameters and ms."""

    status: int
    queries: int
    sql_ms: float
    wall_ms: float
    size: int = 0
    statements: list[tuple[float, str, Any]] = field(default_factory=list)


def timed_get(client, path: str, headers: dict | None = None, *, keep_sql: bool = False) -> Timed:
    """GET ``path`` with ``client``, reading a streamed body to its end, counting the queries
    and timing them with ``connection.execute_wrapper``."""
    from django.db import connection
    from django.http import StreamingHttpResponse

    timing: dict[str, Any] = {"queries": 0, "seconds": 0.0, "statements": []}

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            timing["queries"] += 1
            timing["seconds"] += took
            if keep_sql:
                timing["statements"].append((1000 * took, sql, params))

    started = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        response = client.get(path, headers=headers or {})
        if isinstance(response, StreamingHttpResponse):
            # Read part by part (never joined: the export's memory is measured with it).
            parts = cast("Iterator[bytes]", response.streaming_content)
            size = sum(map(len, parts))
        else:
            size = len(response.content)
    wall = time.perf_counter() - started
    return Timed(
        response.status_code,
        timing["queries"],
        1000 * timing["seconds"],
        1000 * wall,
        size,
        timing["statements"],
    )


def sql_measure(database_url: str, runs: int) -> dict[tuple[str, str], tuple[int, float, float]]:
    """Per (role, endpoint): median queries, median SQL ms, median wall ms, in-process."""
    from django.db import connection
    from django.test import Client

    from parks.models import Park

    connection.close()
    connection.settings_dict["NAME"] = urlsplit(database_url).path.lstrip("/")
    staff = people(1)
    users = {role: staff[role][0] for role in ("pseb", "manager", "company")}
    codes = list(Park.objects.order_by("code").values_list("code", flat=True))
    manager_codes = list(
        Park.objects.filter(manager_assignments__user=users["manager"]).values_list(
            "code", flat=True
        )
    )
    clients: dict[str, Client] = {"anonymous": Client()}
    token = api_token(users["pseb"])
    for role, user in users.items():
        clients[role] = signed_in_client(user)
    # The deepest page of the API list, and a park code, fixed for every run.
    api = clients["pseb"].get("/api/v1/statements/", headers={"Authorization": f"Token {token}"})
    count, per_page = api.json().get("count") or 0, len(api.json().get("results", [])) or 1
    last_page = max(1, -(-count // per_page))
    # The last page by its cursor (the `next` link of the page before it), when the API
    # gives cursor links; by number otherwise. ``?page=LAST`` is the last page by number.
    deep = f"?page={last_page}"
    if last_page > 1:
        before = clients["pseb"].get(
            f"/api/v1/statements/?page={last_page - 1}",
            headers={"Authorization": f"Token {token}"},
        )
        link = before.json().get("next") or ""
        if "cursor=" in link:
            deep = "?" + urlsplit(link).query
    results = {}
    for role, label in sql_endpoints():
        path = label
        if "<CODE>" in label:
            path = label.replace("<CODE>", (manager_codes if role == "manager" else codes)[0])
        path = path.replace("?page=N", deep).replace("?page=LAST", f"?page={last_page}")
        headers = {"Authorization": f"Token {token}"} if label.startswith("/api/") else {}
        if role == "anonymous" and label.startswith("/api/"):
            headers = {}
        client = clients[role]
        per_run = []
        for run in range(runs + 1):  # the first warms up
            timed = timed_get(client, path, headers)
            if timed.status != 200:
                print(f"  {role} {path}: {timed.status}")
            if run:
                per_run.append((timed.queries, timed.sql_ms, timed.wall_ms))
        results[(role, label)] = (
            int(statistics.median(q for q, _, _ in per_run)),
            statistics.median(s for _, s, _ in per_run),
            statistics.median(w for _, _, w in per_run),
        )
        q, s, w = results[(role, label)]
        print(f"  {role:<9} {path:<42} {q:>4} queries {s:>9.1f} ms SQL {w:>9.1f} ms", flush=True)
    connection.close()
    return results


def sql_mode(args: argparse.Namespace) -> None:
    import django

    django.setup()
    print(f"SQL alone, median of {args.runs} ({load_average()})")
    print(f"\n## demo: {args.demo_database}")
    demo = sql_measure(args.demo_database, args.runs)
    print(f"\n## national: {args.database}")
    national = sql_measure(args.database, args.runs)
    print(f"\n## national / demo ({load_average()})")
    print(
        f"  {'endpoint':<44} {'queries':>11} {'SQL ms demo':>12} {'national':>9} {'ratio':>6}"
        f" {'wall ms demo':>13} {'national':>9} {'ratio':>6}"
    )
    md = [
        "| endpoint | queries demo → national | SQL ms demo → national | ratio "
        "| request ms demo → national | ratio |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for key in sql_endpoints():
        dq, ds, dw = demo[key]
        nq, ns, nw = national[key]
        ratio = ns / ds if ds else float("inf")
        wall_ratio = nw / dw if dw else float("inf")
        name = f"{key[0]} {key[1]}"
        print(
            f"  {name:<44} {dq:>4} → {nq:<4} {ds:>12.1f} {ns:>9.1f} {ratio:>6.1f}"
            f" {dw:>13.1f} {nw:>9.1f} {wall_ratio:>6.1f}"
        )
        md.append(
            f"| `{name}` | {dq} → {nq} | {ds:,.1f} → {ns:,.1f} | {ratio:.1f}× "
            f"| {dw:,.1f} → {nw:,.1f} | {wall_ratio:.1f}× |"
        )
    if args.markdown:
        print("\n" + "\n".join(md))


# --- Main ----------------------------------------------------------------------------------------
def main() -> None:
    args = parse_args()
    for url in (args.database, args.demo_database):
        check_database_url(url)
    tmp = Path(tempfile.mkdtemp(prefix="stp-bench-web-"))
    database = args.demo_database if args.demo else args.database
    secret_key = secrets.token_urlsafe(50)
    static = Path(args.static_root)
    try:
        stamp = time.strftime("%Y-%m-%d %H:%M")
        print(f"bench/web.py, {stamp}, {load_average()}, {os.cpu_count()} CPUs")
        if args.build:
            database_prepare(database, rebuild=args.rebuild)
            configure(database, production=False, secret_key=secret_key, static_root=static)
            import django

            django.setup()
            build_demo() if args.demo else build_national(args)
        elif args.sql:
            configure(database, production=False, secret_key=secret_key, static_root=static)
            sql_mode(args)
        else:
            configure(
                database,
                production=True,
                secret_key=secret_key,
                static_root=static,
                redis_url=args.redis_url,
            )
            load(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
