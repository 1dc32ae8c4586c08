# syntax=docker/dockerfile:1
# Build stage: install the pinned dependencies and the app into a virtualenv.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY requirements-runtime.lock ./
RUN /opt/venv/bin/pip install --require-hashes -r requirements-runtime.lock

# Runtime stage: no compilers, no pip cache, a non-root user.
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/srv/referral-api \
    REFERRALS_ENVIRONMENT=production \
    REFERRALS_DATA_DIR=/var/lib/referral-api
RUN useradd --system --uid 10001 --home-dir /var/lib/referral-api --create-home referral
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv/referral-api
# The app runs from source next to its migrations (app.core.migrations finds alembic.ini
# beside the app package).
COPY alembic.ini ./
COPY alembic ./alembic
COPY app ./app
USER referral
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
# Migrate, then serve. Several replicas may start at once: Alembic's version table
# serialises concurrent upgrades on PostgreSQL.
CMD ["sh", "-c", "python -m app.cli db upgrade && exec python -m app.cli serve --host 0.0.0.0 --port 8000 --workers ${WORKERS:-2}"]
