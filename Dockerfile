# syntax=docker/dockerfile:1.12
#
# One build, one target per service. All targets share every layer except the
# last few lines, so building all of them costs about as much as building one:
#   docker build --target gateway -t novel-engine/gateway:0.1.0 .
# Targets: migrate, gateway, character, simulation, story, loadgen.
# `make images` builds them all with Podman or Docker (see deploy/README.md).
#
# Behind a TLS-intercepting proxy, pip needs the proxy's CA: pass a PEM bundle as a
# build secret, never as a file in the context, so it lands in no layer:
#   docker build --secret id=ca_bundle,src=/etc/ssl/certs/ca-certificates.crt ...
# Where no registry answers, PYTHON_IMAGE names a stand-in (make base-image-local).

ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

# ---------------------------------------------------------------- builder ---
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
# Same interpreter path as the runtime stage, so the venv's shebangs stay valid.
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src

# Dependencies first, from the lock: this layer is reused until
# pyproject.toml or constraints.txt change.
COPY pyproject.toml constraints.txt ./
# The optional CA bundle is read from the secret mount (absent: pip's own roots).
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=ca_bundle,required=false \
    if [ -s /run/secrets/ca_bundle ]; then export PIP_CERT=/run/secrets/ca_bundle; fi \
 && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install --constraint constraints.txt --requirement /tmp/requirements.txt

# Then the project itself, without touching the resolved dependencies. Dev
# tooling (bench/, novel_dev/: the load generator and the local stack's servers)
# stays out; only the loadgen target adds it.
COPY README.md ./
COPY protos/ protos/
COPY novel_platform/ novel_platform/
COPY novel_cli/ novel_cli/
COPY services/ services/
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=ca_bundle,required=false \
    if [ -s /run/secrets/ca_bundle ]; then export PIP_CERT=/run/secrets/ca_bundle; fi \
 && pip install --no-deps --constraint constraints.txt . \
 && pip check \
 && pip uninstall --yes pip setuptools

# ---------------------------------------------------------------- runtime ---
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    NE_METRICS_PORT=9464
# No installer or build tooling in the final image; fixed numeric IDs so
# Kubernetes can verify runAsNonRoot without a passwd lookup.
# (A base without pip, like the local stand-in, has nothing to remove.) /app is
# made here: Buildah does not create a WORKDIR nothing is written to, and a
# read-only root file system cannot create it at start.
RUN if python -m pip --version > /dev/null 2>&1; then \
        python -m pip uninstall --yes --quiet pip setuptools wheel; fi \
 && groupadd --system --gid 10001 novel \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin novel \
 && mkdir -p /app
# The venv holds the installed project (byte-compiled by pip); no sources needed.
COPY --from=builder /opt/venv /opt/venv
# Labels last: a new revision changes only this metadata, not the layers above.
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="novel-engine" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
WORKDIR /app
USER 10001:10001
EXPOSE 9464

# ----------------------------------------------------------------- targets ---
FROM runtime AS migrate
CMD ["novel", "migrate"]

FROM runtime AS gateway
ENV NE_HTTP_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-m", "novel_platform.healthcheck", "http", "http://127.0.0.1:8000/readyz"]
CMD ["python", "-m", "services.gateway"]

FROM runtime AS character
ENV NE_GRPC_PORT=50051
EXPOSE 50051
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-m", "novel_platform.healthcheck", "grpc", "127.0.0.1:50051"]
CMD ["python", "-m", "services.character"]

FROM runtime AS simulation
ENV NE_GRPC_PORT=50052
EXPOSE 50052
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-m", "novel_platform.healthcheck", "grpc", "127.0.0.1:50052"]
CMD ["python", "-m", "services.simulation"]

FROM runtime AS story
ENV NE_GRPC_PORT=50053
EXPOSE 50053
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-m", "novel_platform.healthcheck", "grpc", "127.0.0.1:50053"]
CMD ["python", "-m", "services.story"]

# The load generator (bench/, novel_dev/) and its own dependencies (aiohttp,
# psutil) stay out of the service images.
FROM builder AS loadgen-builder
COPY bench/ bench/
COPY novel_dev/ novel_dev/
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=ca_bundle,required=false \
    if [ -s /run/secrets/ca_bundle ]; then export PIP_CERT=/run/secrets/ca_bundle; fi \
 && python -m ensurepip > /dev/null \
 && python -m pip install --constraint constraints.txt aiohttp psutil \
 && python -m pip install --no-deps --constraint constraints.txt . \
 && python -m pip uninstall --yes pip setuptools

FROM runtime AS loadgen
COPY --from=loadgen-builder /opt/venv /opt/venv
CMD ["python", "-m", "bench"]
