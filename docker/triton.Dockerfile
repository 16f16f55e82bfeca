# syntax=docker/dockerfile:1.7
# Triton Inference Server serving Aisle's model_repository/ (python backend models: query_encoder,
# clip, ranker). The model.py files import the `engine` package and torch / sentence-transformers /
# transformers, so this image is NVIDIA's official one (python backend included) plus this project.
#
#   docker build -f docker/triton.Dockerfile -t aisle/triton .
#
# TRITON_IMAGE pins the release: 24.10-py3 is Triton 2.51 on Ubuntu 22.04 with Python 3.10 and CUDA
# 12.6 (the same Triton as the pip-installed server used in development). A newer release (25.x,
# Python 3.12) works the same way; keep TORCH_INDEX_URL on a CUDA version the release's driver supports.
#
# At start docker/triton_start.py copies the repository to the data volume, sets the instance groups
# to KIND_GPU when AISLE_TRITON_GPU=1 (KIND_CPU otherwise) and execs tritonserver in explicit
# model-control mode. GPU access itself is granted by the runtime (compose `gpu` profile, or
# `docker run --gpus all`).

ARG TRITON_IMAGE=nvcr.io/nvidia/tritonserver:24.10-py3
FROM ${TRITON_IMAGE}

ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cu126
ARG TORCH_VERSION=
ARG AISLE_UID=10001
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

# Same uid and directories as the application image: whichever container first mounts an empty named
# volume initialises its ownership from the image.
RUN groupadd --system --gid "$AISLE_UID" aisle \
    && useradd --system --uid "$AISLE_UID" --gid aisle --home-dir /var/lib/aisle --no-create-home \
       --shell /usr/sbin/nologin aisle \
    && mkdir -p /var/lib/aisle/events /var/cache/aisle/huggingface /opt/aisle \
    && chown -R aisle:aisle /var/lib/aisle /var/cache/aisle

# The python backend runs the image's own python3, so the project goes into its site-packages.
RUN python3 -m pip --version \
    || (apt-get update && apt-get install -y --no-install-recommends python3-pip && rm -rf /var/lib/apt/lists/*)
RUN python3 -m pip install --index-url "$TORCH_INDEX_URL" "torch${TORCH_VERSION:+==$TORCH_VERSION}"
WORKDIR /tmp/aisle-src
COPY pyproject.toml README.md ./
RUN mkdir -p engine indexer api \
    && touch engine/__init__.py indexer/__init__.py api/__init__.py \
    && python3 -m pip install . \
    && python3 -m pip uninstall -y aisle-search \
    && rm -rf engine indexer api build ./*.egg-info
COPY engine ./engine
COPY indexer ./indexer
COPY api ./api
RUN python3 -m pip install --no-deps . \
    && cd / && rm -rf /tmp/aisle-src \
    && python3 -c "import engine.config"
WORKDIR /var/lib/aisle

COPY --chown=aisle:aisle model_repository /opt/aisle/model_repository
COPY --chown=aisle:aisle docker/triton_start.py docker/healthcheck.py /opt/aisle/

ENV AISLE_DATA_DIR=/var/lib/aisle \
    AISLE_MODEL_REPOSITORY=/opt/aisle/model_repository \
    AISLE_TRITON_HTTP_PORT=8000 \
    AISLE_TRITON_GRPC_PORT=8001 \
    AISLE_TRITON_METRICS_PORT=8002 \
    AISLE_TRITON_GPU=0 \
    HF_HOME=/var/cache/aisle/huggingface

USER aisle
EXPOSE 8000 8001 8002
# Loading three python-backend models (and downloading CLIP weights on a first start) takes minutes.
HEALTHCHECK --interval=15s --timeout=5s --start-period=300s --retries=3 \
    CMD python3 /opt/aisle/healthcheck.py http "http://127.0.0.1:${AISLE_TRITON_HTTP_PORT}/v2/health/ready"
CMD ["python3", "/opt/aisle/triton_start.py"]
