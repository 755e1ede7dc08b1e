#!/usr/bin/env bash
# Make sure a Docker engine answers on this machine, for the tests that run real
# containers (and for trying ecsd by hand).
#
# Idempotent: when `docker info` already works (Docker Desktop, a system service, a
# DOCKER_HOST the user set, or an earlier run of this script) it does nothing at all.
# Otherwise, as root on a Debian machine: install Debian's docker.io (plus
# busybox-static, which scripts/build-test-images.sh packs into the test image), write
# the default ulimits these sandboxes need into /etc/docker/daemon.json, start dockerd
# detached and wait for it.
#
# Why the ulimits: dockerd asks runc to give every container the OCI default rlimits
# (nofile hard 524288, ...). A sandbox whose own hard limits are lower cannot raise them,
# and every container then fails with "error setting rlimits". Defaults at or below the
# host's hard limits avoid that.
set -euo pipefail

LOG=/var/log/dockerd.log
WAIT_SECONDS=60

if docker info >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "prepare-docker: no Docker engine answers, and starting one needs root" >&2
  exit 1
fi

missing=()
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  missing+=(docker.io)
fi
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  echo "prepare-docker: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The package's own service start is refused where there is no init system
  # (policy-rc.d); we start dockerd ourselves below.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A hard limit of "unlimited" is reported as a word; cap what we ask for either way.
host_hard() {
  local v
  v=$(ulimit "$1")
  if [ "$v" = unlimited ] || [ "$v" -gt "$2" ]; then echo "$2"; else echo "$v"; fi
}
nofile=$(host_hard -Hn 65535)   # 65535 is Fargate's default nofile
nproc=$(host_hard -Hu 65535)

mkdir -p /etc/docker
if [ ! -s /etc/docker/daemon.json ] || ! grep -q default-ulimits /etc/docker/daemon.json; then
  # Merge into an existing file rather than overwrite what someone configured.
  python3 - "$nofile" "$nproc" <<'EOF'
import json, os, sys
path = "/etc/docker/daemon.json"
conf = {}
if os.path.exists(path) and os.path.getsize(path):
    with open(path) as f:
        conf = json.load(f)
nofile, nproc = int(sys.argv[1]), int(sys.argv[2])
conf["default-ulimits"] = {
    "nofile": {"Name": "nofile", "Soft": nofile, "Hard": nofile},
    "nproc": {"Name": "nproc", "Soft": nproc, "Hard": nproc},
}
with open(path, "w") as f:
    json.dump(conf, f, indent=2)
    f.write("\n")
EOF
fi

# A socket left behind by a dockerd that died makes the new one refuse to start.
if ! pgrep -x dockerd >/dev/null 2>&1; then
  rm -f /var/run/docker.sock /var/run/docker.pid
  echo "prepare-docker: starting dockerd (log: $LOG)" >&2
  # setsid + nohup: the daemon must outlive this script and the shell that ran it.
  setsid nohup dockerd >"$LOG" 2>&1 </dev/null &
fi

for _ in $(seq $((WAIT_SECONDS * 5))); do
  if docker info >/dev/null 2>&1; then
    echo "prepare-docker: engine up ($(docker version --format '{{.Server.Version}}'))" >&2
    exit 0
  fi
  sleep 0.2
done

echo "prepare-docker: dockerd did not answer within ${WAIT_SECONDS}s; last lines of $LOG:" >&2
tail -n 40 "$LOG" >&2 || true
exit 1
