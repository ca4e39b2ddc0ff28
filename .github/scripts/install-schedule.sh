#!/usr/bin/env bash
# What a deploy installs on the host after the image is pushed, by job type:
# cron -> its one crontab line (host/install-cron.sh over ssh); one-shot -> nothing (it is run
# by hand, see docs/deploy.md); migrate -> nothing more. Anything else fails.
# env: JOB_TYPE, NAME, SCHEDULE, IMAGE (from resolve-target.sh and push-image.sh), DEPLOY_HOST.
set -euo pipefail
here=$(dirname "$0")
case ${JOB_TYPE-} in
  cron) "$here/remote.sh" "$here/host/install-cron.sh" "${NAME:?}" "${SCHEDULE:?}" "${IMAGE:?}" ;;
  one-shot) echo "one-shot job ${NAME:?}: image ${IMAGE:?} pushed, no crontab line (run it by hand: docs/deploy.md)" ;;
  migrate) echo "migrate: nothing to install" ;;
  *) printf '::error::unknown job type %q: expected cron or one-shot\n' "${JOB_TYPE-}" >&2; exit 1 ;;
esac
