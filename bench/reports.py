"""Programme reports at national scale (issue 10): each report's time and SQL queries.

Two actions (PostgreSQL only; the developer's ``.env`` and ``db.sqlite3`` are never read or
touched), on the databases ``bench/web.py --build`` makes::

    # 1. bill the national dataset (stp_bench_web) back to N billed months in all, oldest
    #    first, with payments on them and a few terminations dated back into billed months
    #    (termination credit notes); builds the demo database too when it is missing
    .venv/bin/python bench/reports.py --bill-months 24
    # 1b. progress returns (issue 11) for every tenant and quarter it owes of the last 8
    #     quarters over: most filed, some amended, some not filed (overdue); bulk inserted
    .venv/bin/python bench/reports.py --returns 8
    # 2. every report's page, API answer and XLSX file, and the overview, in-process, as PSEB
    #    and as a park manager, at demo and at national scale: queries, SQL ms, wall ms
    .venv/bin/python bench/reports.py [--runs 5] [--markdown] [--explain] [--reports a,b]

**Measuring.** Django's test ``Client`` in this process (``settings.local``, ``DEBUG`` off,
``STAFF_TWO_FACTOR`` on, this process's own locmem cache), signed in past the TOTP step
(``bench/web.py signed_in_client``); the API with a knox token. For each report of
``reports.registry.REPORTS`` three requests, ``/reports/<name>/`` (the page),
``/api/v1/reports/<name>/`` (the JSON answer) and ``/reports/<name>/?format=xlsx`` (the
file, read to its end), and the overview ``/reports/``, as PSEB and as the first park
manager; each once to warm up, then ``--runs`` times: the median of the query count, of the
queries' time (``connection.execute_wrapper``), of the whole request and of this process's
CPU time. Twice: with the cache emptied before every request ("cold": a cached figure, the
liability projection, is made again each time) and with it kept ("cache kept"). First
against the demo database, then the national one, and the ratio of the query counts (1.00:
the count does not grow with the data). Then the largest table of any report at national
scale as XLSX, in a fresh process (``--export-probe``): peak RSS before and after, and
``tracemalloc``'s peak, beside the same file at demo scale. ``--explain`` prints, per
report, the slowest query of its national API answer with ``EXPLAIN (ANALYZE, BUFFERS)``.
``--compose-settings`` (or ``--pg NAME=VALUE``) SETs docker-compose.yml's PostgreSQL
settings on this process's sessions (the server's own settings are shared: left alone).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench import web  # noqa: E402  (the project root first: bench/ has no __init__.py)

# docker-compose.yml's PostgreSQL settings that a session can SET (not shared_buffers).
COMPOSE = ("jit=off", "work_mem=16MB", "effective_cache_size=768MB", "random_page_cost=1.1")
LIMIT_MS = 500  # issue 10: each report page and API call under 500 ms on this 2-core machine
ROLES = ("pseb", "manager")
# Sign-in's own reads (session, token, user, TOTP device): not a report's queries.
PLUMBING = tuple(
    f'SELECT "{table}"'
    for table in ("django_session", "knox_authtoken", "accounts_user", "otp_totp_totpdevice")
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--bill-months",
        type=int,
        metavar="N",
        help="bill the national database back to N billed months in all (then stop)",
    )
    parser.add_argument("--terminations", type=int, default=25, help="--bill-months: leases")
    parser.add_argument(
        "--returns",
        type=int,
        metavar="N",
        help="file progress returns for the N quarters over (every owed one; then stop)",
    )
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--database", default=web.DEFAULT_DATABASE)
    parser.add_argument("--demo-database", default=web.DEFAULT_DEMO_DATABASE)
    parser.add_argument("--runs", type=int, default=5, help="measured runs per request")
    parser.add_argument("--reports", default="", help="only these reports (names, comma)")
    parser.add_argument("--explain", action="store_true", help="the slowest query per report")
    parser.add_argument("--markdown", action="store_true", help="also print markdown tables")
    parser.add_argument(
        "--pg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL setting SET on this process's connections (repeatable)",
    )
    parser.add_argument("--export-probe", metavar="REPORT:TABLE", help=argparse.SUPPRESS)
    parser.add_argument(
        "--compose-settings",
        action="store_true",
        help="SET docker-compose.yml's per-session PostgreSQL settings: " + ", ".join(COMPOSE),
    )
    return parser.parse_args()


def setup(database_url: str, pg: list[str] | None = None) -> None:
    web.configure(
        database_url,
        production=False,
        secret_key=secrets.token_urlsafe(50),
        static_root=Path("/tmp/stp-bench-web-static"),
    )
    os.environ["EMAIL_URL"] = "memorymail://"  # a termination's e-mail is sent eagerly
    import django

    django.setup()
    if pg:
        session_settings(pg)


def session_settings(pg: list[str]) -> None:
    """SET ``NAME=VALUE`` on each connection this process opens (the server's own settings,
    which others share, are left alone)."""
    from django.db.backends.signals import connection_created

    pairs = [item.split("=", 1) for item in pg]
    print("  PostgreSQL, this process's sessions: " + ", ".join(pg))

    def apply(sender: Any, connection: Any, **kwargs: Any) -> None:
        with connection.cursor() as cur:
            for name, value in pairs:
                cur.execute("SELECT set_config(%s, %s, false)", [name, value])

    connection_created.connect(apply, weak=False)


def use_database(url: str) -> None:
    """Point Django's connection at another bench database (same server)."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = urlsplit(url).path.lstrip("/")


def migrate_if_needed() -> None:
    """Apply migrations merged since the database was built (a deployment would)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan)
        print(
            f"  migrated {connection.settings_dict['NAME']}: {names} "
            f"({time.perf_counter() - started:.1f} s)"
        )


# --- Billing back to N months --------------------------------------------------------------------
def billed_periods() -> list[date]:
    from subsidies.models import Statement

    return sorted(
        Statement.objects.filter(supplements=None)
        .order_by("period")
        .values_list("period", flat=True)
        .distinct()
    )


def bill_months(args: argparse.Namespace) -> None:
    """Bill the months before the billed ones, oldest first, until N are billed in all;
    payments on them; a few terminations back into billed months; VACUUM ANALYZE."""
    from django.db import connection
    from django.db.models import Min
    from django.utils import timezone

    from core.calendar import Period
    from tenants.models import Lease

    started = time.perf_counter()
    migrate_if_needed()
    billed = billed_periods()
    if not billed:
        sys.exit("No billed month in the database: build it first (bench/web.py --build).")
    latest = Period.of(billed[-1])
    wanted = [latest]
    while len(wanted) < args.bill_months:
        wanted.insert(0, wanted[0].previous())
    earliest_start = Lease.objects.aggregate(first=Min("start_date"))["first"]
    print(
        f"billed: {len(billed)} months ({Period.of(billed[0])}..{latest}); wanted "
        f"{wanted[0]}..{latest}; the earliest lease starts on {earliest_start}"
    )
    missing = [p for p in wanted if p.first not in billed]
    empty = [p for p in missing if earliest_start is None or p.last < earliest_start]
    if empty:
        print(
            f"  {len(empty)} of the months ({empty[0]}..{empty[-1]}) end before any lease "
            "starts: nothing to bill in them"
        )
    newly: list[date] = []
    for period in missing:
        if period in empty:
            continue
        t0 = time.perf_counter()
        ids = web.month_bill(period)
        newly.append(period.first)
        web.step(
            f"billed {period}: {len(ids):,} statements, "
            f"{len(ids) / max(time.perf_counter() - t0, 1e-9):.0f}/s",
            started,
        )
    rng = random.Random(args.seed)
    today = timezone.localdate()
    if newly:
        paid = web.payments_create(rng, today, periods=newly)
        web.step(f"payments and credit notes on the months billed now: {paid}", started)
    ended = terminations_create(rng, args.terminations)
    web.step(f"terminations: {ended}", started)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    web.step("VACUUM ANALYZE", started)
    print(
        f"billed back to {len(billed_periods())} months in {time.perf_counter() - started:.0f} s; "
        f"{web.dataset_summary()}"
    )


def terminations_create(rng: random.Random, count: int) -> dict[str, int]:
    """``count`` open leases that started before the last four billed months end on a day of
    one of them, through ``lease_terminate`` (the months billed past the end are credited
    with termination credit notes, as §6 says). Done once: skipped when a lease was
    terminated already."""
    from core.calendar import Period
    from subsidies.models import CreditNote
    from tenants.models import Lease
    from tenants.services import lease_terminate

    if Lease.objects.filter(terminated_at__isnull=False).exists():
        return {"skipped (done before)": 1}
    from accounts.models import User

    staff = User.objects.get(username="bench.staff")
    latest = Period.of(billed_periods()[-1])
    months = [latest.previous().previous().previous()]
    for _ in range(3):
        months.append(months[-1].next())
    candidates = list(
        Lease.objects.filter(end_date__isnull=True, start_date__lt=months[0].first)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    before = CreditNote.objects.count()
    chosen = rng.sample(candidates, min(count, len(candidates)))
    for pk in chosen:
        month = rng.choice(months)
        end = month.first + timedelta(days=rng.randrange(month.days))
        lease = Lease.objects.get(pk=pk)
        lease_terminate(user=staff, lease=lease, end_date=end, reason="Moved to another city.")
    return {
        "leases terminated": len(chosen),
        "termination credit notes": CreditNote.objects.count() - before,
    }


# --- Progress returns ----------------------------------------------------------------------------
FILED_SHARE = 0.88  # of the owed returns, filed; the rest are overdue
AMENDED_SHARE = 0.08  # of the filed ones, amended once


def returns_create(args: argparse.Namespace) -> None:
    """Every return owed for the ``--returns`` quarters over on today (the ``OwedReturn``
    view: each tenant, each park and quarter it held a lease in), filed at random as a
    tenant would: each company's team in a park starts at 1-30 people in the park and grows
    or shrinks a little each quarter, about a third women, exports and revenue to match. 88 %
    filed (8 % of those amended once), 12 % never filed (overdue). Bulk inserted, as
    ``progress_return_file`` would write them (its checks hold for every row), filed by the
    company's owner or else the bench's PSEB user. Done once: skipped when returns exist."""
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from core.calendar import KARACHI
    from reports.quarters import latest_quarter, quarters_up_to
    from returns.models import OwedReturn, ProgressReturn
    from tenants.models import Membership

    started = time.perf_counter()
    migrate_if_needed()
    if ProgressReturn.objects.exists():
        print(f"returns: skipped ({ProgressReturn.objects.count():,} filed before)")
        return
    rng = random.Random(args.seed)
    quarters = quarters_up_to(latest_quarter(timezone.localdate()), args.returns)
    owed = list(
        OwedReturn.objects.filter(
            quarter__first_day__gte=quarters[0].first, quarter__first_day__lte=quarters[-1].first
        )
        .order_by("company_id", "park_id", "quarter__first_day")
        .values_list("company_id", "park_id", "quarter_id", "quarter__due_date")
    )
    web.step(f"owed returns in {quarters[0]}..{quarters[-1]}: {len(owed):,}", started)
    # The national dataset's staff user, or the demo's PSEB user (the demo database).
    staff = (
        User.objects.filter(username="bench.staff").first()
        or User.objects.filter(role="pseb").order_by("pk").first()
    )
    assert staff is not None, "no PSEB user to file for companies without an owner"
    owner_of = dict(Membership.objects.values_list("company_id", "user_id"))
    team: dict[tuple[int, int], int] = {}
    firsts: list[ProgressReturn] = []
    amended: list[int] = []  # indexes into firsts
    for company_id, park_id, quarter_id, due in owed:
        key = (company_id, park_id)
        size = team[key] = max(0, team.get(key, rng.randint(1, 30)) + rng.randint(-1, 3))
        if rng.random() >= FILED_SHARE:
            continue
        women = round(size * rng.uniform(0.15, 0.5))
        employees = size + rng.randint(0, 5)
        hires = rng.randint(0, 4)
        day = due - timedelta(days=rng.randint(0, 9))
        moment = datetime(day.year, day.month, day.day, rng.randint(9, 18), tzinfo=KARACHI)
        firsts.append(
            ProgressReturn(
                company_id=company_id,
                park_id=park_id,
                quarter_id=quarter_id,
                version=1,
                filed_by_id=owner_of.get(company_id, staff.pk),
                filed_at=moment,
                employees=employees,
                employees_women=min(employees, women + rng.randint(0, 2)),
                in_park=size,
                in_park_women=women,
                new_hires=hires,
                new_hires_women=rng.randint(0, hires),
                interns=rng.randint(0, 3),
                export_earnings_usd=Decimal(rng.randint(0, 40_000_00)) / 100,
                domestic_revenue_pkr=Decimal(rng.randint(0, 5_000_000_00)) / 100,
                foreign_clients=rng.randint(0, 6),
                export_markets=rng.choice(["United States", "United Kingdom, UAE", ""]),
            )
        )
        if rng.random() < AMENDED_SHARE:
            amended.append(len(firsts) - 1)
    ProgressReturn.objects.bulk_create(firsts, batch_size=5000)
    web.step(f"returns filed: {len(firsts):,}", started)
    amendments = []
    for index in amended:
        first = firsts[index]
        amendment = ProgressReturn(
            **{
                f.attname: getattr(first, f.attname)
                for f in ProgressReturn._meta.concrete_fields
                if f.attname != "id"
            }
        )
        amendment.version, amendment.amends_id = 2, first.pk
        amendment.reason = "Corrected the head count."
        amendment.filed_at = first.filed_at + timedelta(days=rng.randint(1, 20))
        amendment.in_park = first.in_park + 1
        amendment.employees = first.employees + 1
        amendments.append(amendment)
    ProgressReturn.objects.bulk_create(amendments, batch_size=5000)
    web.step(f"amendments: {len(amendments):,}", started)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE returns_progressreturn")
    web.step("VACUUM ANALYZE returns_progressreturn", started)
    print(
        f"returns: {len(owed):,} owed in {len(quarters)} quarters, {len(firsts):,} filed, "
        f"{len(amendments):,} amended, {len(owed) - len(firsts):,} not filed, in "
        f"{time.perf_counter() - started:.0f} s"
    )


def demo_database_exists(url: str) -> bool:
    conn, name = web._admin_connection(url)
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cur.fetchone() is not None
    conn.close()
    return found


# --- Measuring -----------------------------------------------------------------------------------
@dataclass
class Figure:
    """Medians of one request's runs."""

    status: int
    queries: int
    sql_ms: float
    wall_ms: float
    cpu_ms: float  # this process's CPU time (Python's work: the wall time less waiting)
    size: int
    slowest: tuple[float, str, Any] | None = None


# Issue 11's lists beside the reports (``--reports returns,compliance,dashboard`` picks them).
PAGES: dict[str, list[tuple[str, str]]] = {
    "returns": [
        ("page", "/returns/"),
        ("api", "/api/v1/progress-returns/"),
        ("xlsx", "/returns/export.xlsx"),
    ],
    "compliance": [("page", "/returns/compliance/"), ("xlsx", "/returns/compliance/?format=xlsx")],
    "dashboard": [("page", "/dashboard/")],
}


def endpoints(names: list[str]) -> list[tuple[str, str, str]]:
    """(report, kind, path): the overview, then each report's page, API answer and XLSX,
    and the returns lists (``PAGES``)."""
    out = [("overview", "page", "/reports/")]
    for name in names:
        if name in PAGES:
            out += [(name, kind, path) for kind, path in PAGES[name]]
            continue
        out += [
            (name, "page", f"/reports/{name}/"),
            (name, "api", f"/api/v1/reports/{name}/"),
            (name, "xlsx", f"/reports/{name}/?format=xlsx"),
        ]
    return out


def timed_runs(
    client: Any, path: str, headers: dict[str, str], runs: int, *, cold: bool, keep_sql: bool
) -> Figure:
    """One request ``runs`` times after one warm-up: the medians. ``cold`` empties the cache
    before each (this process's own, locmem), so a cached figure (the liability projection)
    is made again every time; otherwise the warm-up fills it and the runs read it."""
    from django.core.cache import cache

    runs_of: list[web.Timed] = []
    cpu: list[float] = []
    for run in range(runs + 1):  # the first warms up
        if cold:
            cache.clear()
        started = time.process_time()
        timed = web.timed_get(client, path, headers, keep_sql=keep_sql)
        if timed.status != 200:
            print(f"    {path}: {timed.status}")
        if run:
            runs_of.append(timed)
            cpu.append(1000 * (time.process_time() - started))
    slowest = max(
        (s for s in runs_of[-1].statements if not s[1].startswith(PLUMBING)),
        default=None,
        key=lambda s: s[0],
    )
    return Figure(
        status=max(t.status for t in runs_of),
        queries=int(statistics.median(t.queries for t in runs_of)),
        sql_ms=statistics.median(t.sql_ms for t in runs_of),
        wall_ms=statistics.median(t.wall_ms for t in runs_of),
        cpu_ms=statistics.median(cpu),
        size=runs_of[-1].size,
        slowest=slowest,
    )


def measure(
    url: str, names: list[str], runs: int, *, keep_sql: bool
) -> dict[tuple[str, str, str], tuple[Figure, Figure]]:
    """Per (role, report, kind): the medians with the cache emptied before each request
    (cold) and with it kept (warm), in-process, against the database at ``url``."""
    from parks.models import Park

    use_database(url)
    migrate_if_needed()
    staff = web.people(1)
    users = {"pseb": staff["pseb"][0], "manager": staff["manager"][0]}
    results: dict[tuple[str, str, str], tuple[Figure, Figure]] = {}
    for role, user in users.items():
        parks = list(
            Park.objects.filter(manager_assignments__user=user).values_list("code", flat=True)
        )
        print(f"  {role}: {user.username}" + (f" (parks {', '.join(parks)})" if parks else ""))
        client = web.signed_in_client(user)
        token = web.api_token(user)
        for report, kind, path in endpoints(names):
            headers = {"Authorization": f"Token {token}"} if kind == "api" else {}
            keep = keep_sql and kind == "api"
            cold = timed_runs(client, path, headers, runs, cold=True, keep_sql=keep)
            warm = timed_runs(client, path, headers, runs, cold=False, keep_sql=False)
            results[(role, report, kind)] = (cold, warm)
            print(
                f"    {role:<8} {report:<18} {kind:<5} cold: {cold.queries:>3} queries "
                f"{cold.sql_ms:>7.1f} ms SQL {cold.wall_ms:>7.1f} ms (CPU {cold.cpu_ms:.0f}); "
                f"warm: {warm.queries:>3} queries {warm.wall_ms:>7.1f} ms"
                + ("  OVER 500 ms" if kind != "xlsx" and cold.wall_ms > LIMIT_MS else ""),
                flush=True,
            )
    return results


def largest_table(names: list[str]) -> tuple[str, str, int]:
    """(report, table name, rows) of the largest table any report answers PSEB (whole
    programme, default filters), read at the database in use."""
    from reports.frame import ReportFilters, report_scope
    from reports.registry import REPORTS

    user = web.people(1)["pseb"][0]
    filters = ReportFilters.default()
    best = ("", "", -1)
    for name in names:
        report = REPORTS[name].build(report_scope(user, filters), filters)
        for key, table in [("", report.table), *report.tables.items()]:
            rows = sum(1 for _ in table.rows)
            if rows > best[2]:
                best = (name, key, rows)
    return best


def export_memory(url: str, name: str, table: str) -> dict[str, float]:
    """One table's XLSX file measured in a fresh process (``--export-probe``), so its peak
    RSS is its own and not the high-water mark of the requests measured before."""
    command = [sys.executable, str(Path(__file__).resolve()), "--export-probe"]
    command += [f"{name}:{table}", "--database", url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("PROBE "):
            return dict(json.loads(line[6:]))
    sys.exit(f"--export-probe failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


def peak_rss_kib() -> int:
    """This process's peak RSS: VmHWM (ru_maxrss would carry the parent's peak over the
    exec on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def export_probe(target: str) -> None:
    """In this fresh process: the same export narrowed to one park first (imports, the
    writer, the first queries), then the whole table's file, read part by part, with the
    peak RSS before and after; then once more under tracemalloc for Python's own peak."""
    import gc

    from parks.models import Park

    name, _, table = target.partition(":")
    client = web.signed_in_client(web.people(1)["pseb"][0])
    path = f"/reports/{name}/?format=xlsx" + (f"&table={table}" if table else "")
    park = Park.objects.order_by("code").values_list("code", flat=True).first()
    web.timed_get(client, f"{path}&park={park}")
    gc.collect()
    rss_before = peak_rss_kib()
    timed = web.timed_get(client, path)
    rss_after = peak_rss_kib()
    tracemalloc.start()
    web.timed_get(client, path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures = {
        "status": timed.status,
        "size_kib": timed.size / 1024,
        "wall_ms": timed.wall_ms,
        "traced_peak_mib": peak / 2**20,
        "rss_before_mib": rss_before / 1024,
        "rss_growth_mib": (rss_after - rss_before) / 1024,
    }
    print("PROBE " + json.dumps(figures))


def explain(figure: Figure) -> str:
    from django.db import connection

    if figure.slowest is None:
        return "(no query)"
    ms, sql, params = figure.slowest
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in cur.fetchall()]
    shown = sql if len(sql) <= 1200 else sql[:1200] + " ..."
    return f"{ms:.1f} ms: {shown}\n" + "\n".join("      " + line for line in plan[:40])


def counts_summary() -> str:
    from django.db.models import Count

    from subsidies.models import Statement

    months = Statement.objects.aggregate(n=Count("period", distinct=True))["n"]
    return f"{web.dataset_summary()}, {months} billed months"


def measure_all(args: argparse.Namespace) -> None:
    from reports.registry import REPORTS

    names = [n for n in [*REPORTS, *PAGES] if not args.reports or n in args.reports.split(",")]
    sizes = {"demo": args.demo_database, "national": args.database}
    figures: dict[str, dict[tuple[str, str, str], tuple[Figure, Figure]]] = {}
    datasets: dict[str, str] = {}
    for size, url in sizes.items():
        print(f"\n## {size}: {url} ({web.load_average()})")
        use_database(url)
        datasets[size] = counts_summary()
        print(f"  {datasets[size]}")
        figures[size] = measure(url, names, args.runs, keep_sql=args.explain and size == "national")
    load_after = web.load_average()

    print(f"\n## national / demo ({load_after})")
    print(
        f"  {'role':<8} {'report':<18} {'kind':<5} {'queries':>11} {'ratio':>5} "
        f"{'SQL ms demo':>11} {'national':>9} {'wall ms demo':>12} {'national':>9} "
        f"{'CPU ms':>7} {'warm: queries':>13} {'wall ms':>8}"
    )
    md = [
        "| role | report | request | queries demo → national | ratio "
        "| SQL ms demo → national | wall ms demo → national | Python CPU ms "
        "| cache kept: queries, wall ms |",
        "|---|---|---|---|---:|---:|---:|---:|---:|",
    ]
    grows, over = [], []
    for key, (national, national_warm) in figures["national"].items():
        demo, demo_warm = figures["demo"][key]
        role, report, kind = key
        ratio = national.queries / demo.queries if demo.queries else float("inf")
        for label, a, b in (("", demo, national), (" (cache kept)", demo_warm, national_warm)):
            if a.queries != b.queries:
                grows.append(f"{role} {report} {kind}{label}: {a.queries} → {b.queries}")
        slow = kind != "xlsx" and national.wall_ms > LIMIT_MS
        if slow:
            over.append(
                f"{role} {report} {kind}: {national.wall_ms:,.0f} ms "
                f"({national_warm.wall_ms:,.0f} ms with the cache kept)"
            )
        print(
            f"  {role:<8} {report:<18} {kind:<5} {demo.queries:>4} → {national.queries:<4} "
            f"{ratio:>5.2f} {demo.sql_ms:>11.1f} {national.sql_ms:>9.1f} "
            f"{demo.wall_ms:>12.1f} {national.wall_ms:>9.1f} {national.cpu_ms:>7.1f} "
            f"{national_warm.queries:>13} {national_warm.wall_ms:>8.1f}"
            + ("  OVER" if slow else "")
        )
        wall = f"{demo.wall_ms:,.0f} → {national.wall_ms:,.0f}"
        md.append(
            f"| {role} | {'`/reports/`' if report == 'overview' else report} | {kind} "
            f"| {demo.queries} → {national.queries} | {ratio:.2f} "
            f"| {demo.sql_ms:,.1f} → {national.sql_ms:,.1f} "
            f"| {f'**{wall}**' if slow else wall} | {national.cpu_ms:,.0f} "
            f"| {national_warm.queries}, {national_warm.wall_ms:,.0f} |"
        )
    print(f"\n  query counts that grow with the data: {'; '.join(grows) or 'none'}")
    print(
        f"  page or API answers over {LIMIT_MS} ms at national scale: {'; '.join(over) or 'none'}"
    )

    print(f"\n## the largest table as XLSX ({web.load_average()})")
    use_database(args.database)
    name, table, rows = largest_table([n for n in names if n in REPORTS])
    memory: dict[str, dict[str, float]] = {}
    demo_rows = 0
    for size, url in sizes.items():
        use_database(url)
        if size == "demo":
            from reports.frame import ReportFilters, report_scope

            user = web.people(1)["pseb"][0]
            filters = ReportFilters.default()
            built = REPORTS[name].build(report_scope(user, filters), filters)
            demo_rows = sum(1 for _ in built.table_named(table).rows)
        memory[size] = export_memory(url, name, table)
    export_lines = []
    for size, m in memory.items():
        line = (
            f"{size}: {name}{' table ' + table if table else ''}, "
            f"{demo_rows if size == 'demo' else rows:,} rows: status {m['status']:.0f}, "
            f"{m['size_kib']:,.0f} KiB in {m['wall_ms']:,.0f} ms; in a fresh process, peak RSS "
            f"{m['rss_before_mib']:.0f} MiB before and +{m['rss_growth_mib']:.1f} MiB after; "
            f"tracemalloc peak {m['traced_peak_mib']:.1f} MiB"
        )
        export_lines.append(line)
        print("  " + line)

    if args.explain:
        use_database(args.database)
        print("\n## the slowest query of each report's national API answer (PSEB)")
        for name in names:
            if ("pseb", name, "api") not in figures["national"]:
                continue
            cold = figures["national"][("pseb", name, "api")][0]
            print(f"\n  {name}: {explain(cold)}")

    if args.markdown:
        print("\n<!-- bench/reports.py --markdown -->")
        for size in sizes:
            print(f"- {size}: {datasets[size]}")
        print(f"- load average at the end: {load_after}\n")
        print("\n".join(md))
        print()
        for line in export_lines:
            print(f"- XLSX {line}")


def main() -> None:
    args = parse_args()
    for url in (args.database, args.demo_database):
        web.check_database_url(url)
    stamp = time.strftime("%Y-%m-%d %H:%M")
    print(f"bench/reports.py, {stamp}, {web.load_average()}, {os.cpu_count()} CPUs")
    if args.bill_months:
        if not demo_database_exists(args.demo_database):
            print("the demo database is missing: bench/web.py --build --demo")
            subprocess.run(
                [
                    sys.executable,
                    str(BASE_DIR / "bench" / "web.py"),
                    "--build",
                    "--demo",
                    "--demo-database",
                    args.demo_database,
                ],
                check=True,
            )
        setup(args.database)
        bill_months(args)
        return
    if args.returns:
        setup(args.database)
        returns_create(args)
        return
    setup(args.database, [*(COMPOSE if args.compose_settings else ()), *args.pg])
    if args.export_probe:
        export_probe(args.export_probe)
        return
    measure_all(args)


if __name__ == "__main__":
    main()
