# Production image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings
RUN apt-get update \
 && apt-get install -y --no-install-recommends gdal-bin libgdal32 libgeos-c1v5 libproj25 gettext postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The runtime dependencies only: test and benchmark tools are in requirements-dev.lock.
COPY requirements.lock .
RUN pip install --no-cache-dir --no-deps -r requirements.lock
COPY . .
# The build runs without the production secrets, which the running containers must have (config/production.py).
RUN CIVIC311_DEVELOPMENT=true python manage.py compilemessages -v0 --ignore=.venv \
 && CIVIC311_DEVELOPMENT=true python manage.py collectstatic --no-input -v0 \
 && useradd --system --home /app civic311 \
 && mkdir -p /data/media /data/private /data/ledger /data/permit-documents \
 && chown civic311 /data/media /data/private /data/ledger /data/permit-documents \
 && chmod 700 /data/private /data/permit-documents
USER civic311
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--config", "python:config.gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4"]
