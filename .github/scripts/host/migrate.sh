#!/usr/bin/env bash
# On the deploy host: runs the migrate image once, bounded. `migrate.sh IMAGE`
# timeout sends SIGTERM (the docker client forwards it to the runner, which stops between
# statements and exits); the deploy fails when the run fails or the bound is hit.
# env: ENV_FILE (default ~/.env), MIGRATE_TIMEOUT (default 8m).
set -euo pipefail
# The run history records which image and host ran (IMAGE_VERSION, JOB_HOST); as in
# install-cron.sh (host scripts travel alone on stdin, so each carries its own copy).
image_version() {
  local last=${1##*/}
  if [[ $last == *@* ]]; then echo "${last#*@}"; elif [[ $last == *:* ]]; then echo "${last##*:}"; else echo latest; fi
}
image=$1
[[ $image =~ ^[A-Za-z0-9._/:@-]+$ ]] || { echo "::error::image $(printf '%q' "$image") is not an image reference" >&2; exit 1; }
env_file=${ENV_FILE:-$HOME/.env}
bound=${MIGRATE_TIMEOUT:-8m}

docker pull --quiet "$image" >/dev/null
status=0
timeout --signal=TERM "$bound" docker run --rm --name wxyc-migrate --env-file "$env_file" \
  -e IMAGE_VERSION="$(image_version "$image")" -e JOB_HOST="$(hostname)" "$image" || status=$?
if ((status == 124)); then
  echo "::error::migrate did not finish within $bound and was sent SIGTERM; no job was deployed. See docs/deploy.md (\"The migrate timeout\")." >&2
  exit 1
elif ((status != 0)); then
  echo "::error::migrate failed with exit code $status; no job was deployed. Its output is above." >&2
  exit "$status"
fi
echo "migrations applied"
