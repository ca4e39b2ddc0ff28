#!/usr/bin/env bash
# Resolves a deploy target (a job folder name, or "migrate") to what the deploy needs, and
# refuses anything else before any image is built. The target arrives only through env
# (TARGET), so a crafted input is data, never shell. Writes key=value lines to
# $GITHUB_OUTPUT (stdout when unset): name, path, dockerfile, job_type, schedule.
set -euo pipefail
cd "${REPO_ROOT:-.}"

fail() { printf '::error::%s\n' "$*" >&2; exit 1; }

target=${TARGET-}
if [[ ! $target =~ ^[a-z0-9-]+$ ]]; then
  fail "target $(printf '%q' "$target") is not a job name: use a folder name under jobs/ or jobs/backfills/ (a-z, 0-9, -)"
fi

path=""
if [[ $target == migrate ]]; then
  job_type=migrate
else
  for dir in "jobs/$target" "jobs/backfills/$target"; do
    if [[ -f $dir/package.json ]]; then
      [[ -z $path ]] || fail "target $target is ambiguous: both $path and $dir exist"
      path=$dir
    fi
  done
  [[ -n $path ]] || fail "no job $target: neither jobs/$target/package.json nor jobs/backfills/$target/package.json exists"
  pkg=$path/package.json
  # `// "cron"` works in both yq flavours (mikefarah's on GitHub runners, Debian's jq wrapper).
  job_type=$(yq -r '.["job-type"] // "cron"' "$pkg")
fi

schedule=""
case $job_type in
  migrate | one-shot) ;;
  cron)
    schedule=$(yq -r '.["cron-schedule"] // ""' "$pkg")
    [[ -n $schedule ]] || fail "$pkg: job-type cron needs a \"cron-schedule\" (e.g. \"*/30 * * * *\"); set \"job-type\": \"one-shot\" if it must not run on a schedule"
    # Five cron fields of digits, names and * / , - only: the line is run by a shell.
    field='[0-9A-Za-z*/,-]+'
    [[ $schedule =~ ^$field( $field){4}$ ]] || fail "$pkg: cron-schedule $(printf '%q' "$schedule") is not five cron fields (e.g. \"*/30 * * * *\")"
    ;;
  *) fail "$pkg: unknown job-type $(printf '%q' "$job_type"): use \"cron\" or \"one-shot\"" ;;
esac

dockerfile=Dockerfile.$target
[[ -f $dockerfile ]] || fail "$dockerfile is missing: every deploy target needs a Dockerfile at the repo root"

{
  echo "name=$target"
  echo "path=$path"
  echo "dockerfile=$dockerfile"
  echo "job_type=$job_type"
  echo "schedule=$schedule"
} | if [[ -n ${GITHUB_OUTPUT-} ]]; then cat >>"$GITHUB_OUTPUT"; else cat; fi
