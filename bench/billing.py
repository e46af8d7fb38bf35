"""Billing benchmark: one month of statements for a synthetic portfolio, then PDFs.

    .venv/bin/python bench/billing.py --parks 250 --leases 20000 [--pdfs 200]

Builds a fresh database (a temporary SQLite file, or the database of ``DATABASE_URL`` when
set: it must be empty and will be filled), a dataset of the given size with bulk_create, and
prints, for one ended month:

- preview: what the run would issue, every park at once, without writing (its time and
  queries), and whether the run then issued exactly that;
- issuing: the run planned and every chunk billed with ``services.billing_chunk_bill`` (which
  calls ``statements_issue`` for one park's chunk of companies, in one transaction), without
  PDFs: statements per second and the SQL queries used, which grow with parks and chunks, not
  with leases;
- PDFs: N statements rendered with ``subsidies.pdf.renderer().render`` (PDFs per second), and
  the same statements' HTML rendered with bare ``weasyprint.HTML(...).write_pdf()`` in the
  same process, and the ratio of the two times per PDF.

The developer's ``.env`` and ``db.sqlite3`` are never read or touched.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

BASE_DIR = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parks", type=int, default=50)
    parser.add_argument("--leases", type=int, default=2000)
    parser.add_argument("--pdfs", type=int, default=50, help="statements to render (0: none)")
    parser.add_argument("--period", default="2026-03", help="the month billed, YYYY-MM")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    return parser.parse_args()


def configure(tmp: Path) -> None:
    """Settings for a throwaway database, before Django starts."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    if "db.sqlite3" in database_url:
        sys.exit("Refusing to run against a db.sqlite3: the bench needs a database of its own.")
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "stp_portal.settings.local"
    os.environ["ENV_FILE"] = os.devnull  # the developer's .env plays no part
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["DEBUG"] = "0"  # no query log kept in memory
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # WeasyPrint logs each step at INFO
    sys.path.insert(0, str(BASE_DIR))


class Clock:
    """Wall time, and this process's CPU time: on a busy machine the CPU time is the steadier
    figure (it leaves out waiting for the database and for other processes)."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


@contextmanager
def counting_queries(connection):
    counter = {"queries": 0}

    def count(execute, sql, params, many, context):
        counter["queries"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield counter


def letters(n: int, width: int = 3) -> str:
    out = ""
    for _ in range(width):
        n, r = divmod(n, 26)
        out = chr(65 + r) + out
    return out


def build_dataset(args: argparse.Namespace, period) -> dict[str, int]:
    """Parks, units, companies, leases with their lets starting at various dates, a few other
    charges, and the default scheme (100% internet, 25% rent, 12 months)."""
    from accounts.models import User
    from core.vocabulary import CompanyKind, ParkStatus, Province, Role, Tier, UnitKind
    from parks.models import Park, Unit
    from subsidies.models import Charge, SubsidyScheme
    from tenants.models import Company, Lease, LeaseUnit

    rng = random.Random(args.seed)
    batch = 2000
    staff = User.objects.create(username="bench.staff", role=Role.PSEB, is_staff=True)
    SubsidyScheme.objects.create(
        name="STP Tenant Subsidy",
        internet_pct=Decimal(100),
        rent_pct=Decimal(25),
        duration_months=12,
        valid_from=date(2020, 7, 1),
    )
    provinces = list(Province.values)
    parks = Park.objects.bulk_create(
        [
            Park(
                name=f"Software Technology Park {i + 1}",
                code=letters(i),
                city=f"City {i % 90 + 1}",
                address=f"Plot {i + 1}, IT Avenue",
                province=provinces[i % len(provinces)],
                tier=Tier.SECONDARY,
                status=ParkStatus.EXISTING,
                opening_date=date(2022, 7, 1),
                rent_per_sqft=Decimal("60.00"),
            )
            for i in range(args.parks)
        ],
        batch_size=batch,
    )
    n_companies = max(1, int(args.leases * 0.8))  # a fifth of the companies lease twice
    companies = Company.objects.bulk_create(
        [
            Company(
                name=f"Bench Software House {i + 1} (Pvt) Ltd",
                kind=CompanyKind.COMPANY,
                ntn=f"{4000000 + i}-{i % 10}",
                city=f"City {i % 90 + 1}",
                headcount=20,
                women_headcount=6,
            )
            for i in range(n_companies)
        ],
        batch_size=batch,
    )
    # Leases start from two years before the month to a month after it (those are not
    # billed); a fifth end, some before the month, some inside it.
    earliest = period.first - timedelta(days=730)
    span = (period.last - earliest).days + 31
    leases, lease_units = [], []
    unit_sequence = dict.fromkeys([p.pk for p in parks], 0)
    for i in range(args.leases):
        park = parks[rng.randrange(len(parks))]
        start = earliest + timedelta(days=rng.randrange(span))
        end = start + timedelta(days=rng.randrange(30, 420)) if rng.random() < 0.2 else None
        leases.append(
            Lease(
                company=companies[i % n_companies],
                park=park,
                start_date=start,
                end_date=end,
                created_by=staff,
            )
        )
        unit_count = rng.choices((1, 2, 3), weights=(70, 20, 10))[0]
        lease_units.append((park, start, end, unit_count))
    Lease.objects.bulk_create(leases, batch_size=batch)
    units: list[Unit] = []
    lets: list[LeaseUnit] = []
    for lease, (park, start, end, count) in zip(leases, lease_units, strict=True):
        for _ in range(count):
            unit_sequence[park.pk] += 1
            rent = Decimal(rng.choice((30000, 45000, 60000, 90000)))
            internet = Decimal(rng.choice((3000, 5000, 8000)))
            unit = Unit(
                park=park,
                code=f"U-{unit_sequence[park.pk]:05d}",
                floor="1",
                kind=UnitKind.OFFICE,
                area_sqft=rent / 60,
                seats=10,
                monthly_rent=rent,
                internet_fee=internet,
            )
            units.append(unit)
            lets.append(
                LeaseUnit(
                    lease=lease,
                    unit=unit,
                    start_date=start,
                    end_date=end,
                    monthly_rent=rent,
                    internet_fee=internet,
                )
            )
    Unit.objects.bulk_create(units, batch_size=batch)
    for let in lets:
        let.unit_id = let.unit.pk
    LeaseUnit.objects.bulk_create(lets, batch_size=batch)
    charged = [
        lease
        for lease in leases
        if lease.start_date <= period.last
        and (lease.end_date is None or lease.end_date >= period.first)
        and rng.random() < 0.05
    ]
    Charge.objects.bulk_create(
        [
            Charge(
                lease=lease,
                period=period.first,
                description="Power backup",
                amount=Decimal("4500.00"),
                created_by=staff,
            )
            for lease in charged
        ],
        batch_size=batch,
    )
    return {
        "parks": len(parks),
        "units": len(units),
        "companies": len(companies),
        "leases": len(leases),
        "lets": len(lets),
        "charges": len(charged),
    }


def bench_preview(period, issue_date, connection):
    """The run's preview (issue 12 §7): every park at once, without writing anything."""
    from accounts.models import User
    from subsidies import services

    staff = User.objects.get(username="bench.staff")
    with counting_queries(connection) as q, Clock() as clock:
        preview = services.billing_preview(user=staff, period=period, today=issue_date)
    print(
        f"preview: {preview.statements} statements over {len(preview.parks)} parks in "
        f"{clock.wall:.2f} s (Python CPU {clock.cpu:.2f} s), {q['queries']} queries; "
        f"gross {preview.gross}, subsidy {preview.subsidy}, net {preview.net}"
    )
    return preview


def check_preview(preview, ids: list[int]) -> None:
    """The run issued what the preview said, to the paisa."""
    from django.db.models import Sum

    from subsidies.models import Statement

    issued = Statement.objects.filter(pk__in=ids).aggregate(
        gross=Sum("gross"), subsidy=Sum("subsidy_total"), net=Sum("net_payable")
    )
    same = (len(ids), issued["gross"], issued["subsidy"], issued["net"]) == (
        preview.statements,
        preview.gross,
        preview.subsidy,
        preview.net,
    )
    print(f"preview equals the run: {'yes' if same else f'NO: issued {len(ids)}, {issued}'}")


def bench_issue(period, issue_date, connection) -> list[int]:
    from django.db import DatabaseError

    from subsidies import services
    from subsidies.models import BillingChunk

    run = services.billing_run_start(user=None, period=period, today=issue_date, queue=False)
    started = time.perf_counter()
    with counting_queries(connection) as planning:
        chunk_ids = services.billing_run_plan(run.pk)
    plan_seconds = time.perf_counter() - started
    parks = len(set(BillingChunk.objects.filter(run=run).values_list("park_id", flat=True)))
    print(
        f"plan: {len(chunk_ids)} chunks over {parks} parks, {planning['queries']} queries, "
        f"{plan_seconds:.2f} s"
    )
    ids: list[int] = []
    failed: list[str] = []
    # No PDFs here: the rendering the service queues after each chunk is left out.
    with (
        mock.patch("subsidies.tasks.render_statements"),
        counting_queries(connection) as q,
        Clock() as clock,
    ):
        for chunk_id in chunk_ids:
            try:
                ids.extend(services.billing_chunk_bill(chunk_id, today=issue_date))
            except DatabaseError as exc:  # the worker would retry it; here, count and go on
                failed.append(f"{type(exc).__name__}: {exc}")
    run.refresh_from_db()
    print(
        f"issue: {len(ids)} statements in {clock.wall:.2f} s, "
        f"{len(ids) / clock.wall:.1f} statements/s "
        f"(Python CPU {clock.cpu:.2f} s; run {run.status}, {run.done}/{run.total} "
        f"company-park pairs, {len(run.errors)} errors)"
    )
    print(
        f"issue queries: {q['queries']} for {len(chunk_ids)} chunks, "
        f"{q['queries'] / max(1, len(chunk_ids)):.1f} per chunk, "
        f"{q['queries'] / max(1, len(ids)):.3f} per statement"
    )
    if failed:
        print(f"FAILED chunks: {len(failed)} of {len(chunk_ids)}, first: {failed[0]}")
    return ids


def bench_pdfs(ids: list[int], count: int) -> None:
    import weasyprint

    from subsidies.models import Statement
    from subsidies.pdf import renderer, statement_html

    if count <= 0 or not ids:
        return
    step = max(1, len(ids) // count)
    chosen = ids[::step][:count]
    statements = list(
        Statement.objects.filter(pk__in=chosen)
        .select_related("company", "park", "scheme")
        .prefetch_related("lines")
        .order_by("pk")
    )
    lines = sum(len(s.lines.all()) for s in statements)
    print(f"pdf sample: {len(statements)} statements, {lines / len(statements):.1f} lines each")

    started = time.perf_counter()
    ours = renderer()
    print(f"renderer built (fonts, stylesheet) once in {time.perf_counter() - started:.3f} s")
    base_url = ours.base_url
    htmls = [statement_html(s) for s in statements]
    # One of each first, so neither side pays Python's imports and WeasyPrint's own caches.
    ours.render(statements[0])
    weasyprint.HTML(string=htmls[0], base_url=base_url).write_pdf()

    with Clock() as ours_clock:
        size = sum(len(ours.render(s)) for s in statements)
    with Clock() as bare_clock:
        for html in htmls:
            weasyprint.HTML(string=html, base_url=base_url).write_pdf()

    n = len(statements)
    for label, clock in (
        ("ours (template + QR + WeasyPrint, shared fonts and CSS)", ours_clock),
        ("bare WeasyPrint (same HTML, fonts and CSS loaded per PDF)", bare_clock),
    ):
        print(
            f"pdf {label}: {n} in {clock.wall:.2f} s, {n / clock.wall:.1f} PDFs/s, "
            f"{1000 * clock.wall / n:.1f} ms each (CPU {1000 * clock.cpu / n:.1f} ms each)"
        )
    print(f"pdf size: {size / n / 1024:.1f} KiB each")
    print(
        f"ratio ours/bare, time per PDF: {ours_clock.wall / bare_clock.wall:.2f} wall, "
        f"{ours_clock.cpu / bare_clock.cpu:.2f} CPU"
    )


def main() -> None:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="stp-bench-"))
    try:
        configure(tmp)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from core.calendar import Period
        from parks.models import Park

        period = Period.parse(args.period)
        issue_date = period.next().first
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        if Park.objects.exists():
            sys.exit("The database is not empty: give the bench a fresh one.")
        migrate_seconds = time.perf_counter() - started
        settings_db = connection.settings_dict
        print(
            f"database: {connection.vendor} {settings_db['NAME']} "
            f"(migrated in {migrate_seconds:.1f} s); python {sys.version.split()[0]}, "
            f"{os.cpu_count()} CPUs"
        )
        started = time.perf_counter()
        sizes = build_dataset(args, period)
        print(
            "dataset: "
            + ", ".join(f"{n} {name}" for name, n in sizes.items())
            + f" (built in {time.perf_counter() - started:.1f} s)"
        )
        print(f"period: {period}, issued on {issue_date}")
        preview = bench_preview(period, issue_date, connection)
        ids = bench_issue(period, issue_date, connection)
        check_preview(preview, ids)
        bench_pdfs(ids, args.pdfs)
        connection.close()
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
