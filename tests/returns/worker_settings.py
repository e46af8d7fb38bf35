"""Settings of the real worker and beat started by test_reminders_worker.py: the test
settings, with e-mails written to files the test reads (``STP_TEST_EMAIL_DIR``), slowly
(``SlowFileBackend``: two sends of one reminder overlap), and beat sending the reminders
every second, for the days in ``STP_TEST_REMINDER_DAYS`` (comma separated, YYYY-MM-DD), as
the daily schedule would on those days."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend

from stp_portal.settings.test import *  # noqa: F403

SEND_SECONDS = 0.5


class SlowFileBackend(EmailBackend):
    """Files, written as a slow mail server answers: a send takes ``SEND_SECONDS``."""

    def send_messages(self, email_messages):
        time.sleep(SEND_SECONDS)
        return super().send_messages(email_messages)


EMAIL_BACKEND = "tests.returns.worker_settings.SlowFileBackend"
EMAIL_FILE_PATH = os.environ["STP_TEST_EMAIL_DIR"]
CELERY_BEAT_SCHEDULE = {
    f"send-return-reminders-{day}": {
        "task": "returns.tasks.send_return_reminders",
        "schedule": 1.0,
        "args": [day],
    }
    for day in os.environ["STP_TEST_REMINDER_DAYS"].split(",")
}
