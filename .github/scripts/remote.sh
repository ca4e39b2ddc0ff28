#!/usr/bin/env bash
# Runs a script of .github/scripts/host/ on the deploy host: `remote.sh SCRIPT [ARG...]`.
# The script travels on stdin; each argument is quoted for the remote shell (printf %q), so
# schedules with `*` and spaces arrive as one word and nothing in them is expanded.
set -euo pipefail
: "${DEPLOY_HOST:?DEPLOY_HOST (user@host of the deploy host) is not set}"
script=$1
shift
args=""
if (($#)); then args=$(printf '%q ' "$@"); fi
exec ssh -o BatchMode=yes "$DEPLOY_HOST" "bash -s -- $args" <"$script"
