#!/usr/bin/env bash
# Runs a script of .github/scripts/host/ on the deploy host: `remote.sh SCRIPT [ARG...]`.
# The script travels on stdin; ssh hands the command line to the remote user's login shell,
# which may be any POSIX sh (dash on Debian/Ubuntu), so each argument is quoted the POSIX way:
# in single quotes, a ' written as '\''. (bash's printf %q emits $'...' for control and
# non-ASCII characters, which dash does not understand.) Schedules with `*` and spaces, and
# anything else, arrive as one word each with nothing expanded.
set -euo pipefail
: "${DEPLOY_HOST:?DEPLOY_HOST (user@host of the deploy host) is not set}"
script=$1
shift
args=""
for arg in "$@"; do
  args+="'${arg//\'/\'\\\'\'}' "
done
exec ssh -o BatchMode=yes "$DEPLOY_HOST" "bash -s -- $args" <"$script"
