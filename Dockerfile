# syntax=docker/dockerfile:1
# SportsCenter image: `docker build -t sportscenter .`
# Commands: run (default), worker, migrate, check — e.g. `docker run --env-file .env sportscenter migrate`.
# The optional pose extra (mediapipe, numpy<2): build with `--build-arg EXTRAS=[pose]`.

FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY domain ./domain
COPY handlers ./handlers
COPY migrations ./migrations
# Runtime dependencies only (no [dev] extras); migrations ship inside the package.
ARG EXTRAS=""
RUN pip install ".${EXTRAS}"

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
# Emulator web chat and locally served media links (PUBLIC_BASE_URL).
EXPOSE 8081
ENTRYPOINT ["sportscenter"]
CMD ["run"]
