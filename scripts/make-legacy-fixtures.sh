#!/usr/bin/env bash
# Makes the committed Docker 20.10 `docker save` fixtures (the legacy layout: <v1id>/layer.tar, <id>.json,
# manifest.json, repositories) in __tests__/fixtures/docker-20.10/. They were made once, with a real
# Docker 20.10 engine, because the test world now runs Docker 26, whose `docker save` writes the OCI layout.
#
#   DOCKER_HOST=unix:///…/docker.sock scripts/make-legacy-fixtures.sh     (the engine must be 20.10)
#
# The images are small on purpose (no busybox): one built by the classic builder FROM scratch, and one
# whose layers are written by hand (whiteouts, an opaque directory, a hard link to a lower layer), loaded
# into the engine and saved back, so that the archive is the engine's own.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$REPO/__tests__/fixtures/docker-20.10"
version="$(docker version --format '{{.Server.Version}}')"
[[ "$version" == 20.10.* ]] || {
  echo "make-legacy-fixtures: the engine is $version, not 20.10" >&2
  exit 1
}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$OUT"
# Fixed times, owners and order, so that a rerun gives the same layers.
TAR=(tar --sort=name --mtime=@1700000000 --numeric-owner --format=gnu)

# 1. classic builder, FROM scratch
ctx="$work/ctx"
mkdir -p "$ctx/data/nested"
printf 'listen=:8080\n' >"$ctx/app.conf"
printf 'listen=:9090 # a longer second version\n' >"$ctx/app2.conf"
printf 'static data\n' >"$ctx/data/readme.txt"
head -c 3000 /dev/zero | tr '\0' '\7' >"$ctx/data/nested/secret.bin"
chmod 600 "$ctx/data/nested/secret.bin"
chmod 750 "$ctx/data/nested"
printf '#!/bin/sh\necho hi\n' >"$ctx/tool"
chmod 4755 "$ctx/tool"
cat >"$ctx/Dockerfile" <<'DF'
FROM scratch
COPY app.conf /etc/app.conf
COPY --chown=65532:65532 data/ /data/
COPY tool /usr/bin/tool
COPY app2.conf /etc/app.conf
USER 65532
ENTRYPOINT ["/usr/bin/tool"]
DF
DOCKER_BUILDKIT=0 docker build -q --network none -t legacy-fixture/scratch:1 "$ctx" >/dev/null

# 2. hand-written layers, loaded and saved
l1="$work/l1" l2="$work/l2" l3="$work/l3"
mkdir -p "$l1/opq/sub" "$l1/keep" "$l1/bin" "$l2/opq" "$l2/keep" "$l3"
printf 'old one\n' >"$l1/opq/old1"
printf 'old two\n' >"$l1/opq/sub/old2"
printf 'kept\n' >"$l1/keep/x.txt"
head -c 500 /dev/zero >"$l1/target.bin"
printf 'gone\n' >"$l1/keep/gone.txt"
: >"$l2/opq/.wh..wh..opq"
printf 'new\n' >"$l2/opq/new"
: >"$l2/keep/.wh.gone.txt"
printf 'y\n' >"$l2/keep/y.txt"
: >"$l3/.wh.target.bin"
printf 'three\n' >"$l3/three.txt"
ln -s three.txt "$l3/three-link"
diffs=() layers=()
for l in l1 l2 l3; do
  (cd "$work/$l" && "${TAR[@]}" -cf "$work/$l.tar" .)
  diffs+=("\"sha256:$(sha256sum "$work/$l.tar" | cut -d' ' -f1)\"")
  layers+=("\"$l.tar\"")
done
arch=$(
  IFS=,
  printf '{"architecture":"amd64","os":"linux","created":"2024-01-02T03:04:05Z","config":{"User":"1000","Cmd":["/three.txt"]},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[{"created_by":"l1"},{"created_by":"l2"},{"created_by":"l3"}]}' "${diffs[*]}"
)
printf '%s' "$arch" >"$work/config.json"
printf '[{"Config":"config.json","RepoTags":["legacy-fixture/whiteouts:1"],"Layers":[%s]}]' "$(
  IFS=,
  echo "${layers[*]}"
)" >"$work/manifest.json"
(cd "$work" && tar -cf load.tar manifest.json config.json l1.tar l2.tar l3.tar)
docker load -q -i "$work/load.tar" >/dev/null

docker save legacy-fixture/scratch:1 | gzip -9n >"$OUT/scratch.tar.gz"
docker save legacy-fixture/whiteouts:1 | gzip -9n >"$OUT/whiteouts.tar.gz"
docker save legacy-fixture/scratch:1 legacy-fixture/whiteouts:1 | gzip -9n >"$OUT/two-images.tar.gz"
# What the engine itself says about the images, for the tests to compare against.
{
  printf '{"engine":"%s"' "$version"
  for t in scratch whiteouts; do
    printf ',"%s":{"id":"%s","diffIds":%s}' "$t" \
      "$(docker inspect -f '{{.Id}}' "legacy-fixture/$t:1")" \
      "$(docker inspect -f '{{json .RootFS.Layers}}' "legacy-fixture/$t:1")"
  done
  printf '}\n'
} >"$OUT/engine.json"
npx prettier --write "$OUT/engine.json" >/dev/null 2>&1 || true
docker rmi -f legacy-fixture/scratch:1 legacy-fixture/whiteouts:1 >/dev/null
ls -l "$OUT" >&2
