# syntax=docker/dockerfile:1
# One image for the API, worker, scheduler and migration Job (charts/timeward).
# Both stages use the same base, so the venv's interpreter path is valid in the runtime.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
WORKDIR /app
COPY . .
# Editable on purpose: migrations/ and alembic.ini live at the repository root and the
# code finds them relative to the source tree. The install records /app and /opt/venv,
# so the runtime stage copies both to the same paths.
RUN /opt/venv/bin/pip install -e . \
 && /opt/venv/bin/python -m compileall -q platform tenants migrations

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    TIMEWARD_ENV=production \
    TIMEWARD_DATA_DIR=/tmp/timeward
RUN groupadd --system --gid 10001 timeward \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp \
      --shell /usr/sbin/nologin timeward
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app
WORKDIR /app
# Numeric, so Kubernetes can verify runAsNonRoot; the code stays root-owned (read-only).
USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["timeward"]
CMD ["serve", "--no-demo", "--host", "0.0.0.0"]
