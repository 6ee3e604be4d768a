#!/usr/bin/env bash
# Prints the container engine to use: Podman when installed, else Docker when its
# engine answers (a docker CLI without a daemon does not count). Prints nothing
# when neither can run a container.
if command -v podman >/dev/null 2>&1; then
	echo podman
elif command -v docker >/dev/null 2>&1 && timeout 5 docker info >/dev/null 2>&1; then
	echo docker
fi
