"""Audit pages benchmark: the trail at national scale, read by PSEB.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stp_bench_audit \\
        .venv/bin/python bench/audit.py --changes 2000000 --events 500000

Needs an empty PostgreSQL database of its own (``DATABASE_URL``): it migrates it, loads the
demo country, then fills the trail with SQL (``generate_series``) — ``--changes`` change rows
spread over 20,000 objects of each of five models, and ``--events`` security events — and
prints, for each audit page and each object's history, the SQL queries and the time of one
request as PSEB staff (median of ``--repeat`` runs, after one warm-up).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    return parser.parse_args()


def configure() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to an empty PostgreSQL database of its own.")
    os.environ["DJANGO_SETTINGS_MODULE"] = "stp_portal.settings.local"
    os.environ["ENV_FILE"] = os.devnull
    os.environ["DEBUG"] = "0"
    os.environ["STAFF_TWO_FACTOR"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(BASE_DIR))


def fill(changes: int, events: int) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from accounts.models import User
    from parks.models import Park, Unit
    from subsidies.models import Statement
    from tenants.models import Application, Company

    types = [
        ContentType.objects.get_for_model(m).pk
        for m in (Park, Unit, Company, Application, Statement)
    ]
    actor = User.objects.get(username="pseb").pk
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO auditlog_logentry (object_pk, object_id, object_repr, action, changes,
                changes_text, timestamp, actor_id, content_type_id, remote_addr, additional_data)
            SELECT (n %% 20000)::text, n %% 20000, 'Object ' || (n %% 20000), 1,
                   jsonb_build_object('name', jsonb_build_array('old ' || n, 'new ' || n)), '',
                   now() - (n || ' seconds')::interval,
                   CASE WHEN n %% 3 = 0 THEN NULL ELSE %s END,
                   (%s::int[])[1 + n %% 5], '203.0.113.7', '{"via": "page"}'
            FROM generate_series(1, %s) AS n
            """,
            [actor, types, changes],
        )
        cursor.execute(
            """
            INSERT INTO audit_securityevent (kind, at, username, client_ip, path, method, status,
                detail, user_id)
            SELECT (ARRAY['sign_in', 'sign_in_failed', 'refused_404'])[1 + n %% 3],
                   now() - (n || ' seconds')::interval, 'user' || (n %% 5000), '198.51.100.9',
                   '/accounts/sign-in/', 'POST', 200, '{}', NULL
            FROM generate_series(1, %s) AS n
            """,
            [events],
        )
        cursor.execute("ANALYZE auditlog_logentry; ANALYZE audit_securityevent")


def measure(repeat: int) -> None:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from parks.models import Park

    client = Client()
    client.force_login(User.objects.get(username="pseb"))
    park = Park.objects.earliest("pk")
    pages = {
        "/audit/ (newest changes)": "/audit/",
        "/audit/?actor=pseb": "/audit/?actor=pseb",
        "/audit/?object_type=parks.unit&object_id=123": (
            "/audit/?object_type=parks.unit&object_id=123"
        ),
        "/audit/?since=… (last 2 days)": "/audit/?since=" + _days_ago(2),
        "/audit/?page=400": "/audit/?page=400",
        "/audit/security/": "/audit/security/",
        "/audit/security/?kind=sign_in_failed": "/audit/security/?kind=sign_in_failed",
        f"/parks/{park.code}/ (page with its history)": f"/parks/{park.code}/",
    }
    print(f"{'page':50} {'status':>6} {'queries':>7} {'median ms':>10}")
    for label, url in pages.items():
        client.get(url)  # warm-up
        times = []
        for _ in range(repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
        print(
            f"{label:50} {response.status_code:>6} {len(queries):>7} "
            f"{statistics.median(times):>10.1f}"
        )


def _days_ago(days: int) -> str:
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.localdate() - timedelta(days=days)).isoformat()


def main() -> None:
    args = parse_args()
    configure()
    import django

    django.setup()
    from django.core.management import call_command

    from stp_portal.demo import seed_demo

    call_command("migrate", verbosity=0)
    seed_demo()
    start = time.perf_counter()
    fill(args.changes, args.events)
    print(
        f"trail: {args.changes:,} changes and {args.events:,} security events loaded in "
        f"{time.perf_counter() - start:.1f} s"
    )
    measure(args.repeat)


if __name__ == "__main__":
    main()
