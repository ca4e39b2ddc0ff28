#!/usr/bin/env bash
# On the deploy host: installs the one crontab line of a cron job. `install-cron.sh NAME SCHEDULE IMAGE`
# The line is marked `# wxyc_NAME`; the previous line with that marker is replaced, every
# other line is kept. A flock serialises concurrent deploys, and the result is read back.
# The command never starts a tick over a running one and never kills one: it skips while a
# container named exactly wxyc-NAME runs (docker's name filter also matches wxyc-NAME-foo,
# hence the exact `grep -x` on the names).
# Each tick gets IMAGE_VERSION (the image's tag or digest) and JOB_HOST (this host's name).
# env: ENV_FILE (default ~/.env), LOG_DIR (default ~/logs), CRON_LOCK (default /tmp/wxyc-crontab.lock).
set -euo pipefail
fail() { printf '::error::%s\n' "$*" >&2; exit 1; }
# The tag or digest of an image reference (registry:5000/name:tag, name@sha256:...); "latest" without one.
image_version() {
  local last=${1##*/}
  if [[ $last == *@* ]]; then echo "${last#*@}"; elif [[ $last == *:* ]]; then echo "${last##*:}"; else echo latest; fi
}

name=$1 schedule=$2 image=$3
[[ $name =~ ^[a-z0-9-]+$ ]] || fail "job name $(printf '%q' "$name") is not [a-z0-9-]+"
field='[0-9A-Za-z*/,-]+'
[[ $schedule =~ ^$field( $field){4}$ ]] || fail "schedule $(printf '%q' "$schedule") is not five cron fields"
[[ $image =~ ^[A-Za-z0-9._/:@-]+$ ]] || fail "image $(printf '%q' "$image") is not an image reference"
env_file=${ENV_FILE:-$HOME/.env}
log_dir=${LOG_DIR:-$HOME/logs}
[[ $env_file =~ ^[A-Za-z0-9._/-]+$ && $log_dir =~ ^[A-Za-z0-9._/-]+$ ]] || fail "ENV_FILE and LOG_DIR must be plain paths"

# The run history records which image and host ran each tick (IMAGE_VERSION, JOB_HOST):
# in a container the host name would be the container's id.
version=$(image_version "$image")
host=$(hostname)
[[ $host =~ ^[A-Za-z0-9.-]+$ ]] || fail "host name $(printf '%q' "$host") is not a plain host name"

container=wxyc-$name
marker="# wxyc_$name"
command="docker ps --format '{{.Names}}' -f 'name=^$container\$' | grep -qx '$container' || docker run --rm --name $container --env-file $env_file -e IMAGE_VERSION=$version -e JOB_HOST=$host $image >>$log_dir/$name.log 2>&1"
line="$schedule $command $marker"

docker pull --quiet "$image" >/dev/null
mkdir -p "$log_dir"

exec 9>"${CRON_LOCK:-/tmp/wxyc-crontab.lock}"
flock -w 120 9 || fail "another deploy holds the crontab lock ${CRON_LOCK:-/tmp/wxyc-crontab.lock}"

# No crontab yet: start empty. Any other failure to read it must not wipe it.
if ! current=$(crontab -l 2>&1); then
  [[ $current == *"no crontab for"* ]] || fail "cannot read the crontab: $current"
  current=""
fi
# Keep every line but ours (exact marker at the end of the line: wxyc_NAME-foo is another job).
kept=$(printf '%s\n' "$current" | awk -v m="$marker" 'length($0) < length(m) || substr($0, length($0) - length(m) + 1) != m')
{
  if [[ -n $kept ]]; then printf '%s\n' "$kept"; fi
  printf '%s\n' "$line"
} | crontab -

installed=$(crontab -l | grep -cxF -- "$line" || true)
ours=$(crontab -l | awk -v m="$marker" 'length($0) >= length(m) && substr($0, length($0) - length(m) + 1) == m' | wc -l)
[[ $installed == 1 && $ours == 1 ]] || fail "crontab check failed: expected exactly one '$marker' line, found $ours"
echo "installed: $line"
