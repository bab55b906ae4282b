#!/usr/bin/env bash
# Builds the prismhook container image without pulling anything: the static
# binary is compiled on this machine and copied onto `scratch`.
#
#   internal/container/build.sh [VERSION]
#
# IMAGE names the result (default localhost/prismhook:VERSION, also tagged
# localhost/prismhook:latest). Uses podman when it is installed, else a docker with a reachable
# engine. Prints the image name on the last line.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
version=${1:-$(git -C "$root" describe --tags --always --dirty 2>/dev/null || echo dev)}
tags=(--tag "${IMAGE:-localhost/prismhook:$version}")
[ -n "${IMAGE:-}" ] || tags+=(--tag localhost/prismhook:latest)
revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)

if command -v podman >/dev/null 2>&1; then
  # --format docker keeps HEALTHCHECK, which the OCI image format drops;
  # without layers no intermediate image is left behind.
  engine=(podman build --format docker --layers=false)
elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  engine=(docker build)
else
  echo "build.sh: neither podman nor a running docker engine found (apt-get install -y podman runc)" >&2
  exit 2
fi

certs=/etc/ssl/certs/ca-certificates.crt
if [ ! -r "$certs" ]; then
  echo "build.sh: $certs not found (apt-get install -y ca-certificates)" >&2
  exit 2
fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT

(cd "$root" && CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X main.version=$version" \
  -o "$ctx/prismhook" ./cmd/prismhook)
cp "$certs" "$ctx/ca-certificates.crt"
printf 'nonroot:x:65532:65532:nonroot:/data:/sbin/nologin\n' >"$ctx/passwd"
printf 'nonroot:x:65532:\n' >"$ctx/group"
mkdir "$ctx/data"

"${engine[@]}" --file "$root/Containerfile" \
  --build-arg "VERSION=$version" \
  --build-arg "REVISION=$revision" \
  --build-arg "CREATED=$created" \
  "${tags[@]}" "$ctx" >&2
echo "${tags[1]}"
