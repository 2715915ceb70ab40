# femsi in a container: the same install as the README (PyPI wheel dolfinx-solver-real).
# Build:  docker build -t femsi .
# Run:    docker run --rm -v "$PWD:/work" -w /work femsi run configs/particle.yaml -o results/p
FROM python:3.12-slim-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc g++ libgl1 libglu1-mesa \
        libxrender1 libxcursor1 libxft2 libxinerama1 libegl1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/femsi
COPY pyproject.toml README.md ./
COPY femsi ./femsi
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir .

FROM python:3.12-slim-bookworm
# gcc: DOLFINx compiles forms at run time; the GL/X libraries serve gmsh and VTK off screen.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libgl1 libglu1-mesa \
        libxrender1 libxcursor1 libxft2 libxinerama1 libegl1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home femsi
COPY --from=build /opt/venv /opt/venv
COPY configs /opt/femsi/configs
COPY meshes /opt/femsi/meshes
ENV PATH=/opt/venv/bin:$PATH
USER femsi
WORKDIR /home/femsi
ENTRYPOINT ["femsi"]
CMD ["--help"]
