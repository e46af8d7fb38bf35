"""Racing calls on PostgreSQL: each call on its own connection, all released at once."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection


def race(calls) -> list[str]:
    """Run every call at the same instant, each on its own connection; the outcomes: "ok",
    the name of a refusal (``Conflict``, ``TransitionNotAllowed``, ``UnitAlreadyLeased``),
    or "error: ..." for anything else (a bug the test must show)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=30)
            call()
            result = "ok"
        except ValidationError as exc:
            result = type(exc).__name__
        except Exception as exc:
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
