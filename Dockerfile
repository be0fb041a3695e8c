# One image for every Continuum process: api (`continuum serve`), worker, beat and the one-shot migrate.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CONTINUUM_DATA_DIR=/data

WORKDIR /app

# Dependencies in their own layer, at the exact versions and hashes of the runtime lock (`make lock`
# regenerates it): rebuilt only when the lock changes, and two builds a month apart are the same system.
COPY requirements/runtime.txt ./requirements/runtime.txt
RUN pip install --require-hashes -r requirements/runtime.txt

# The application itself (no dependencies left to resolve), installed as a regular package.
COPY pyproject.toml README.md ./
COPY workflow ./workflow
COPY api ./api
COPY web ./web
COPY tasks ./tasks
COPY cli ./cli
COPY migrations ./migrations
RUN pip install --no-deps . && rm -rf build *.egg-info

# Run as an unprivileged user; /data (beat's schedule file) belongs to it and is a volume in Compose.
RUN groupadd --system --gid 10001 continuum \
    && useradd --system --uid 10001 --gid continuum --home-dir /app --shell /usr/sbin/nologin continuum \
    && mkdir -p /data && chown continuum:continuum /data
USER continuum:continuum

EXPOSE 8000
CMD ["continuum", "serve", "--host", "0.0.0.0", "--port", "8000"]
