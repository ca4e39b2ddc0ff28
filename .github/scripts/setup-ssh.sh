#!/usr/bin/env bash
# Prepares ssh to the deploy host (key and pinned host key from secrets, via env) and logs
# the host's docker in to ECR, so host/*.sh can pull the images just pushed.
# env: SSH_KEY, SSH_KNOWN_HOSTS, DEPLOY_HOST, REGISTRY, AWS_REGION.
set -euo pipefail
: "${SSH_KEY:?}" "${SSH_KNOWN_HOSTS:?}" "${DEPLOY_HOST:?}" "${REGISTRY:?}" "${AWS_REGION:?}"
[[ $REGISTRY =~ ^[A-Za-z0-9.-]+$ ]] || { echo "::error::registry $(printf '%q' "$REGISTRY") is not a host name" >&2; exit 1; }
install -d -m 700 ~/.ssh
umask 077
printf '%s\n' "$SSH_KEY" >~/.ssh/deploy_key
printf '%s\n' "$SSH_KNOWN_HOSTS" >~/.ssh/known_hosts
printf 'Host *\n  IdentityFile ~/.ssh/deploy_key\n  IdentitiesOnly yes\n  StrictHostKeyChecking yes\n' >~/.ssh/config
# The password goes through a pipe, never an argument (visible in ps) or a file.
aws ecr get-login-password --region "$AWS_REGION" |
  ssh -o BatchMode=yes "$DEPLOY_HOST" "docker login --username AWS --password-stdin $REGISTRY"
