#!/usr/bin/env bash
# Builds a stand-in for python:3.11-slim-bookworm from Debian packages, for machines
# where no container registry answers:
#   1. debootstrap a minbase bookworm root file system (~40 s; kept in $CACHE_DIR),
#   2. import it as an image,
#   3. add Python 3.11 (deploy/images/base-local.Containerfile).
# Needs root (debootstrap), an engine (podman or docker) and Debian's mirror.
# Then: make images PYTHON_IMAGE=<the printed name>
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE=${ENGINE:-$(tools/container_engine.sh)}
[ -n "$ENGINE" ] || { echo "no container engine (podman, or docker with a running daemon)"; exit 1; }
command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install -y debootstrap"; exit 1; }
SUITE=${SUITE:-bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE_DIR=${CACHE_DIR:-/var/tmp/novel-engine-rootfs}
ROOTFS_IMAGE=localhost/novel-engine/${SUITE}-minbase:latest
BASE_IMAGE=${BASE_IMAGE:-localhost/novel-engine/python:3.11-${SUITE}-local}
FORMAT=()
[ "$ENGINE" = podman ] && FORMAT=(--format docker)

if ! "$ENGINE" image exists "$ROOTFS_IMAGE" 2>/dev/null && ! "$ENGINE" image inspect "$ROOTFS_IMAGE" >/dev/null 2>&1; then
	if [ ! -x "$CACHE_DIR/rootfs/bin/sh" ]; then
		rm -rf "$CACHE_DIR/rootfs"
		mkdir -p "$CACHE_DIR"
		debootstrap --variant=minbase "$SUITE" "$CACHE_DIR/rootfs" "$MIRROR"
	fi
	# Leave out what a container never reads (package caches and lists, docs,
	# manuals, locales): about half of a minbase root file system.
	tar -C "$CACHE_DIR/rootfs" -c \
		--exclude=./var/cache/apt/archives/'*.deb' --exclude=./var/lib/apt/lists/'*_*' \
		--exclude=./usr/share/doc/'*' --exclude=./usr/share/man/'*' \
		--exclude=./usr/share/info/'*' --exclude=./usr/share/locale/'*' . |
		"$ENGINE" import - "$ROOTFS_IMAGE"
fi
"$ENGINE" build "${FORMAT[@]}" --build-arg "ROOTFS_IMAGE=$ROOTFS_IMAGE" \
	-f deploy/images/base-local.Containerfile -t "$BASE_IMAGE" deploy/images
echo "stand-in base: $BASE_IMAGE"
echo "build the images on it: make images PYTHON_IMAGE=$BASE_IMAGE"
