FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

COPY . .
RUN pip install -e . \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 fii && chown -R fii /app
USER fii

EXPOSE 8000
CMD ["gunicorn", "fii.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
