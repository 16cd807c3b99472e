# syntax=docker/dockerfile:1
# The Zastava image: zastava-webhook, zastava-operator and stella (and kubectl,
# for the chart's certificate Job), on Debian 12. One image serves every pod
# the chart runs (ghcr.io/stellaops/zastava, values image.*).
#
#   docker build -t ghcr.io/stellaops/zastava:0.1.0 .
#
# Not built in CI yet (no registry access where this was written): see
# docs/deploy.md, "The image".

# ---- build: the Debian 12 -dev packages of scripts/bootstrap.sh, then
# scripts/build.sh limited to the three binaries (no tests, no benchmarks).
FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake ninja-build g++ pkg-config ca-certificates \
      libssl-dev libboost1.81-dev nlohmann-json3-dev libsimdjson-dev libyaml-cpp-dev \
      libspdlog-dev libfmt-dev libpqxx-dev libhiredis-dev libarchive-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY src/ src/
COPY cli/ cli/
COPY webhook/ webhook/
COPY operator/ operator/
COPY scripts/build.sh scripts/build.sh
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DZASTAVA_BUILD_TESTS=OFF -DZASTAVA_BUILD_BENCH=OFF \
 && ZASTAVA_BUILD_DIR=/src/build ZASTAVA_NINJA_FLAGS="stella zastava-webhook zastava-operator" \
      scripts/build.sh \
 && strip build/cli/stella build/webhook/zastava-webhook build/operator/zastava-operator

# ---- kubectl, checked against the release's published SHA-256.
FROM debian:12-slim AS kubectl
ARG KUBECTL_VERSION=v1.32.3
ARG TARGETARCH=amd64
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl \
 && base="https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${TARGETARCH}" \
 && curl -fsSLo /kubectl "$base/kubectl" \
 && echo "$(curl -fsSL "$base/kubectl.sha256")  /kubectl" | sha256sum -c - \
 && chmod 0755 /kubectl

# ---- runtime: the shared libraries the binaries link (ldd), nothing else.
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libssl3 libarchive13 libfmt9 libhiredis0.14 libpqxx-6.4 \
      libsimdjson14 libspdlog1.10 libyaml-cpp0.7 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/cli/stella /src/build/webhook/zastava-webhook \
     /src/build/operator/zastava-operator /usr/local/bin/
COPY --from=kubectl /kubectl /usr/local/bin/kubectl
# The non-root user the chart's securityContext and the operator's Jobs use.
USER 65532:65532
WORKDIR /tmp
LABEL org.opencontainers.image.source="https://github.com/stellaops/zastava" \
      org.opencontainers.image.description="Zastava: zastava-webhook, zastava-operator, stella"
CMD ["/usr/local/bin/zastava-webhook", "--help"]
