#!/usr/bin/env bash
# Build the images the tests run, locally: no registry can be reached here.
#
#   ecsd-test/busybox:latest  Debian's static busybox with every applet linked, a /www
#                             with an index.html, /tmp, and passwd/group files. About
#                             2 MB; it serves HTTP (`httpd -f -p 8080 -h /www`), answers
#                             health checks (`wget -q -O- http://localhost:8080/`),
#                             sleeps, logs, and exits with any code (`sh -c 'exit 3'`).
#   ecsd-test/python:latest   Debian bookworm minbase with python3-boto3 (and busybox's
#                             wget), from Debian's packages by debootstrap (~1 min): an
#                             AWS SDK inside a task, for the task-role and endpoint tests.
#   ecsd-test/python:sdk      that, with the venv's boto3/botocore/s3transfer and the aws
#                             CLI (v1) copied in: a current SDK (AWS_ENDPOINT_URL), no registry.
#   ecsd-test/web:latest      busybox serving /www on port 80 with no command given, as
#                             the nginx image the tutorials use does.
#
# Idempotent: an image that exists with this script's IMAGE_VERSION is kept; `--force`
# rebuilds anyway. Bump IMAGE_VERSION when the image's contents change. `--busybox`
# builds ecsd-test/busybox (and web) only: what README's walk-through runs, in seconds,
# without debootstrap or root once busybox-static is installed.
set -euo pipefail

IMAGE=ecsd-test/busybox:latest
IMAGE_VERSION=1
VERSION_LABEL=ecsd-test.image-version

force=0
only_busybox=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --busybox) only_busybox=1 ;;
    *) echo "usage: $0 [--force] [--busybox]" >&2; exit 2 ;;
  esac
done

need_root_for() {  # installing Debian packages needs root: say so instead of failing in apt
  if [ "$(id -u)" != 0 ]; then
    echo "build-test-images: $1 is needed; install it first (sudo apt-get install $1)" >&2
    exit 1
  fi
}

current() {  # is image $1 built with version $2 already?
  [ "$force" = 0 ] || return 1
  [ "$(docker image inspect --format "{{ index .Config.Labels \"$VERSION_LABEL\" }}" \
         "$1" 2>/dev/null || true)" = "$2" ]
}

build_python() {
  local image=ecsd-test/python:latest version=1 root
  current "$image" "$version" && return 0
  if ! command -v debootstrap >/dev/null; then
    need_root_for debootstrap
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  root=$(mktemp -d)
  debootstrap --variant=minbase --include=python3-boto3,busybox bookworm "$root" \
    http://deb.debian.org/debian >/dev/null
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar --numeric-owner -C "$root" -c . |
    docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change "LABEL $VERSION_LABEL=$version" \
      --change 'CMD ["python3"]' \
      --message "ecsd test image (python3-boto3)" \
      - "$image" >/dev/null
  rm -rf "$root"
  echo "build-test-images: built $image" >&2
}
[ "$only_busybox" = 1 ] || build_python

# The same with the SDK of ecsd's own venv copied over Debian's (pure Python; Debian's
# botocore 1.29 predates AWS_ENDPOINT_URL): an SDK that finds ecsd with no configuration.
build_python_sdk() {
  local image=ecsd-test/python:sdk version=2 python ctx pkg
  # The repository's venv (scripts/test makes it), or ECSD_PYTHON, or python3.
  python=${ECSD_PYTHON:-$(dirname "$0")/../.venv/bin/python}
  [ -x "$python" ] || python=python3
  current "$image" "$version" && return 0
  ctx=$(mktemp -d)
  for pkg in boto3 botocore s3transfer awscli docutils rsa pyasn1 colorama yaml; do
    cp -r "$("$python" -c "import $pkg, os; print(os.path.dirname($pkg.__file__))")" "$ctx/$pkg"
  done
  find "$ctx" -name __pycache__ -prune -exec rm -rf {} +
  printf '#!/bin/sh\nexec python3 -m awscli "$@"\n' >"$ctx/aws"
  chmod +x "$ctx/aws"
  printf '%s\n' 'FROM ecsd-test/python:latest' \
    'COPY . /usr/local/lib/python3.11/dist-packages/' \
    'RUN mv /usr/local/lib/python3.11/dist-packages/aws /usr/local/bin/aws' \
    "LABEL $VERSION_LABEL=$version" >"$ctx/Dockerfile"
  local out
  out=$(docker build -q -t "$image" "$ctx" 2>&1) || { echo "$out" >&2; return 1; }
  rm -rf "$ctx"
  echo "build-test-images: built $image" >&2
}
[ "$only_busybox" = 1 ] || build_python_sdk

build_web() {  # on top of the busybox image: built after it
  local image=ecsd-test/web:latest version=1 out
  current "$image" "$version" && return 0
  out=$(printf '%s\n' 'FROM ecsd-test/busybox:latest' "LABEL $VERSION_LABEL=$version" \
    'EXPOSE 80' 'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]' |
    docker build -q -t "$image" - 2>&1) || { echo "$out" >&2; return 1; }
  echo "build-test-images: built $image" >&2
}

if current "$IMAGE" "$IMAGE_VERSION"; then
  build_web
  exit 0
fi

# Only the static build runs in an image with no libc.
if ! dpkg -s busybox-static >/dev/null 2>&1; then
  need_root_for busybox-static
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends busybox-static >/dev/null
fi
BUSYBOX=/bin/busybox

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,etc,www,root,proc,sys,dev,var/log,usr}
install -d -m 1777 "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
# Scripts name /usr/bin/env, /sbin/..., and so on: one bin for all.
ln -s bin "$root/sbin"
ln -s ../bin "$root/usr/bin"
ln -s ../bin "$root/usr/sbin"

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
cat >"$root/www/index.html" <<'EOF'
<!doctype html>
<html><head><title>ecsd test</title></head><body><h1>hello from ecsd-test/busybox</h1></body></html>
EOF

tar --numeric-owner --owner=0 --group=0 -C "$root" -c . |
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'WORKDIR /' \
    --change "LABEL $VERSION_LABEL=$IMAGE_VERSION" \
    --change 'CMD ["sh"]' \
    --message "ecsd test image (busybox-static)" \
    - "$IMAGE" >/dev/null

echo "build-test-images: built $IMAGE" >&2
build_web
