# Production image: gunicorn web, Celery worker and beat all run from it (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=stp_portal.settings.production

# WeasyPrint renders statements with Pango; fonts are local files, never fetched.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes -r requirements/base.txt

COPY . .
# collectstatic needs settings, not secrets or services: throwaway values for this step only
# (production settings refuse to load without a strong key, a database and Redis).
RUN SECRET_KEY=collectstatic-only-throwaway-key-0123456789-abcdefghijklmnopqrstuvwxyz \
    DATABASE_URL=postgres://build@127.0.0.1:1/none REDIS_URL=redis://127.0.0.1:1/0 \
    python manage.py collectstatic --noinput \
    && useradd --create-home --uid 10001 stp \
    && mkdir -p /app/media && chown stp:stp /app/media
USER stp

EXPOSE 8000
CMD ["gunicorn", "stp_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
