# syntax=docker/dockerfile:1.7
# The Aisle application image: one build, one target per deployable.
#
#   gateway       `gateway serve` (FastAPI on :8080), HEALTHCHECK GET /healthz
#   indexer       one-shot `indexer <verb>` job (ENTRYPOINT indexer)
#   ranker-update the continuous ranking-update job (`engine ranker update --continuous`)
#   indexer-gpu   the indexer with faiss-gpu instead of faiss-cpu (needs an NVIDIA GPU at run time)
#
# Build from the repository root (the compose file does this):
#   docker build -f docker/app.Dockerfile --target gateway -t aisle/gateway .
# PyTorch comes from the CPU wheel index by default (no CUDA libraries in a CPU image); pin it with
#   --build-arg TORCH_VERSION=2.5.1   and point TORCH_INDEX_URL elsewhere for a CUDA build.

ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

# ---- build: a virtualenv in /opt/venv with the project and its dependencies ---------------------------
FROM ${PYTHON_IMAGE} AS build
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG TORCH_VERSION=
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
# torch first, from the chosen index: the resolver below then keeps it instead of the CUDA build.
RUN pip install --index-url "$TORCH_INDEX_URL" "torch${TORCH_VERSION:+==$TORCH_VERSION}"
WORKDIR /src
# Dependencies in their own layer (rebuilt only when pyproject.toml changes): install the project
# from empty package stubs, then drop it and keep its dependencies.
COPY pyproject.toml README.md ./
RUN mkdir -p engine indexer api \
    && touch engine/__init__.py indexer/__init__.py api/__init__.py \
    && pip install ".[kafka]" \
    && pip uninstall -y aisle-search \
    && rm -rf engine indexer api build ./*.egg-info
COPY engine ./engine
COPY indexer ./indexer
COPY api ./api
RUN pip install --no-deps . && python -c "import engine, indexer, api"

# ---- build-gpu: the same virtualenv with faiss-gpu (CUDA runtime wheels) in place of faiss-cpu ---------
FROM build AS build-gpu
# Both wheels install the `faiss` module; remove the CPU one first so no file of it survives.
RUN pip uninstall -y faiss-cpu \
    && pip install "faiss-gpu-cu12>=1.8" \
    && python -c "import faiss; print('faiss', faiss.__version__)"

# ---- base: user, directories, environment shared by every target -------------------------------------
FROM ${PYTHON_IMAGE} AS base
ARG AISLE_UID=10001
# The same uid runs the Triton image: they share the data volume.
RUN groupadd --system --gid "$AISLE_UID" aisle \
    && useradd --system --uid "$AISLE_UID" --gid aisle --home-dir /var/lib/aisle --no-create-home \
       --shell /usr/sbin/nologin aisle \
    && mkdir -p /var/lib/aisle/events /var/cache/aisle/huggingface /opt/aisle \
    && chown -R aisle:aisle /var/lib/aisle /var/cache/aisle
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    AISLE_DATA_DIR=/var/lib/aisle \
    HF_HOME=/var/cache/aisle/huggingface
COPY docker/healthcheck.py /opt/aisle/healthcheck.py
WORKDIR /var/lib/aisle

FROM base AS runtime
COPY --from=build /opt/venv /opt/venv

FROM base AS runtime-gpu
COPY --from=build-gpu /opt/venv /opt/venv

# ---- gateway ------------------------------------------------------------------------------------------
FROM runtime AS gateway
ENV AISLE_API_HOST=0.0.0.0 \
    AISLE_API_PORT=8080
USER aisle
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD python /opt/aisle/healthcheck.py http "http://127.0.0.1:${AISLE_API_PORT}/healthz"
CMD ["gateway", "serve"]

# ---- indexer (one-shot) -------------------------------------------------------------------------------
FROM runtime AS indexer
USER aisle
# While a long build runs: settings valid, data directory writable, OpenSearch/Triton reachable.
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "/opt/aisle/healthcheck.py", "job"]
ENTRYPOINT ["indexer"]
CMD ["--help"]

FROM runtime-gpu AS indexer-gpu
ENV AISLE_VECTOR_DEVICE=gpu
USER aisle
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "/opt/aisle/healthcheck.py", "job"]
ENTRYPOINT ["indexer"]
CMD ["--help"]

# ---- ranking-update job (continuous) ------------------------------------------------------------------
FROM runtime AS ranker-update
USER aisle
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "/opt/aisle/healthcheck.py", "job"]
CMD ["engine", "ranker", "update", "--continuous"]
