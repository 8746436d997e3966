# syntax=docker/dockerfile:1
# SportsCenter image: `docker build -t sportscenter .`
# Commands: run (default), worker, migrate, check, emulator — e.g.
# `docker run --env-file .env sportscenter migrate`.
# Dependencies come from the lock (every package pinned with its hashes): requirements/runtime.lock,
# or with the optional pose extra (mediapipe, numpy<2) `--build-arg LOCK=requirements/pose.lock`.

FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# The locked dependencies first, in a layer of their own that a code change does not rebuild.
ARG LOCK=requirements/runtime.lock
COPY requirements ./requirements
RUN pip install --require-hashes -r "$LOCK"
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY domain ./domain
COPY handlers ./handlers
COPY migrations ./migrations
COPY telegram_emulator ./telegram_emulator
# Our package alone (its dependencies are the lock's; setuptools too); pip check fails the build
# when pyproject.toml needs a package the lock lacks. Migrations ship inside the package.
RUN pip install --no-deps --no-build-isolation . && pip check

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MEDIA_DIR=/app/var/media
RUN groupadd --system --gid 10001 sportscenter \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
            --shell /usr/sbin/nologin sportscenter \
 && mkdir -p /app/var/media \
 && chown -R sportscenter:sportscenter /app
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
USER 10001:10001
# 8080: /healthz, /readyz and /metrics (HEALTH_PORT); 8081: the emulator's web chat and locally
# served media links (PUBLIC_BASE_URL); 8443: the webhook server (WEBHOOK_PORT).
EXPOSE 8080 8081 8443
ENTRYPOINT ["sportscenter"]
CMD ["run"]
