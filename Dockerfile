# boletos: build with Debian's libraries, run on bookworm-slim with the
# headless shell. `docker build -t boletos .` then, with a volume at
# /var/data:  docker run -v boletos-data:/var/data -e PORTAL_USER=... \
#   -e PORTAL_PASSWORD=... boletos
# The image's entrypoint is the worker; to run once: `... boletos run`.

# --- build ---------------------------------------------------------------
FROM debian:bookworm AS build
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      build-essential cmake pkg-config ca-certificates \
      libcpp-httplib-dev libwebsocketpp-dev libasio-dev \
      libsqlitecpp-dev libsqlite3-dev \
      libspdlog-dev libfmt-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev \
      libpoppler-cpp-dev libcsv-dev nettle-dev libssl-dev zlib1g-dev libbrotli-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Only the binary: the tests need a browser and run in CI, not in the image.
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBOLETOS_TESTS=OFF \
    && cmake --build /build -j"$(nproc)" --target boletos \
    && strip --strip-debug /build/src/app/boletos

# --- runtime -------------------------------------------------------------
FROM debian:bookworm-slim
# The shared libraries the binary links (readelf -d: NEEDED), the headless shell, fonts for
# HTML slips printed to PDF, and procps for looking around in a shell.
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libsqlite3-0 libspdlog1.10 libfmt9 libyaml-cpp0.7 \
      libpoppler-cpp0v5 libcsv3 libnettle8 \
      chromium-headless-shell fonts-liberation2 ca-certificates procps tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/data \
    && useradd --system --no-create-home --shell /usr/sbin/nologin boletos
COPY --from=build /build/src/app/boletos /usr/local/bin/boletos
COPY demo/flow.yaml /usr/share/boletos/demo-flow.yaml

# Everything that must survive a restart lives on the disk at /var/data.
ENV BOLETOS_DB=/var/data/boletos.db \
    BOLETOS_OUT=/var/data/boletos \
    BOLETOS_FLOW=/var/data/flow.yaml \
    BOLETOS_CHROMIUM=/usr/lib/chromium/chromium-headless-shell
# The worker is root, because Render mounts a fresh disk owned by root and a
# non-root worker could not write its database there. The browser is not:
# boletos starts it as the `boletos` user made above (--browser-user), with
# Chromium's sandbox when the kernel allows user namespaces (docs/DEPLOY.md).
WORKDIR /var/data

# The worker is PID 1: it forwards nothing and needs no init, because it
# handles SIGTERM itself (grace 25 s) and reaps every zombie child (the
# browser's group on each recycle, strays with its StrayReaper).
ENTRYPOINT ["/usr/local/bin/boletos"]
CMD ["worker", "--every", "6h"]
