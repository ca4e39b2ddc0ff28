#!/usr/bin/env bash
# Builds and pushes one image, unless its tag is already in the registry.
# env: IMAGE (registry/repository, no tag), DOCKERFILE, VERSION (a tag or "latest"), SHA.
# Tags: VERSION (unless "latest"), sha-<SHA>, latest. The tag checked is VERSION, or
# sha-<SHA> for "latest": a rebuild of the same commit or a re-used version is skipped.
# Writes image=<the tag to deploy> to $GITHUB_OUTPUT (stdout when unset).
set -euo pipefail

fail() { printf '::error::%s\n' "$*" >&2; exit 1; }
: "${IMAGE:?}" "${DOCKERFILE:?}" "${SHA:?}"
version=${VERSION:-latest}
[[ $version =~ ^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$ ]] || fail "version $(printf '%q' "$version") is not a valid image tag"
[[ $SHA =~ ^[0-9a-f]{7,40}$ ]] || fail "SHA $(printf '%q' "$SHA") is not a commit hash"
[[ -f $DOCKERFILE ]] || fail "$DOCKERFILE not found"

tags=("sha-$SHA" latest)
check=sha-$SHA
if [[ $version != latest ]]; then
  tags=("$version" "${tags[@]}")
  check=$version
fi

if docker manifest inspect "$IMAGE:$check" >/dev/null 2>&1; then
  echo "$IMAGE:$check already exists: not rebuilding"
else
  build_args=()
  for tag in "${tags[@]}"; do build_args+=(-t "$IMAGE:$tag"); done
  docker build -f "$DOCKERFILE" "${build_args[@]}" .
  for tag in "${tags[@]}"; do docker push "$IMAGE:$tag"; done
fi
if [[ -n ${GITHUB_OUTPUT-} ]]; then echo "image=$IMAGE:$check" >>"$GITHUB_OUTPUT"; else echo "image=$IMAGE:$check"; fi
