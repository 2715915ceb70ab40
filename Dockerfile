# femsi in a container, with the exact versions of requirements.lock.
# Build:  docker build -t femsi .
# Run:    docker run --rm -v "$PWD:/work" -w /work femsi run configs/particle.yaml -o results/p
# Record the image in each run's manifest:  -e FEMSI_IMAGE_DIGEST=$(docker image inspect -f '{{.Id}}' femsi)
# Apptainer on a cluster: see apptainer.def (or `apptainer build femsi.sif docker-daemon://femsi:latest`).
#
# The base image is pinned to an exact Python release; to pin it byte for byte, append its
# digest: --build-arg PYTHON_IMAGE=python:3.12.12-slim-bookworm@sha256:<digest>.
ARG PYTHON_IMAGE=python:3.12.12-slim-bookworm

# ---- build: the venv from the lock file (hash-checked), then femsi itself without deps
FROM ${PYTHON_IMAGE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/femsi
COPY requirements.lock ./
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY femsi ./femsi
RUN /opt/venv/bin/pip install --no-cache-dir --no-deps --no-build-isolation . \
    && /opt/venv/bin/pip check

# ---- runtime: the venv, compilers for the JIT, GL/X libraries for gmsh and VTK off screen
FROM ${PYTHON_IMAGE} AS runtime
# gcc: DOLFINx compiles forms at run time; the GL/X libraries serve gmsh and VTK off screen.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libgl1 libglu1-mesa \
        libxrender1 libxcursor1 libxft2 libxinerama1 libegl1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 femsi
COPY --from=build /opt/venv /opt/venv
COPY configs /opt/femsi/configs
COPY meshes /opt/femsi/meshes
ENV PATH=/opt/venv/bin:$PATH \
    OMP_NUM_THREADS=1 \
    FEMSI_IMAGE=femsi
USER femsi
WORKDIR /home/femsi
ENTRYPOINT ["femsi"]
CMD ["--help"]
