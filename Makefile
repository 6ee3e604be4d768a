# Novel Engine — the Makefile is the interface. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
NOVEL := $(VENV)/bin/novel
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install test test-fast lint format protos up down key seed bench bench-seed bench-stories bench-scale bench-soak bench-cost bench-quality bench-wakeups bench-llm chaos images base-image-local test-containers kube-play compose-up compose-down clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# The virtual environment is rebuilt only when the dependency pins change.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "Python 3.11 is required (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

install: $(STAMP) ## Create .venv and install the project with its pinned dependencies

test: $(STAMP) ## Run every test: unit, integration (real PostgreSQL + NATS), end to end
	$(PY) -m pytest

test-fast: $(STAMP) ## Unit tests only
	$(PY) -m pytest tests/unit tests/deploy

lint: $(STAMP) ## ruff, ruff format --check, mypy, import contracts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

protos: $(STAMP) ## Regenerate the Python code from protos/
	$(PY) tools/gen_protos.py

up: $(STAMP) ## Start the whole stack locally (NATS, PostgreSQL, 4 services); Ctrl-C stops it
	$(NOVEL) up

down: ## Stop a stack started by `make up`
	@if [ -x $(NOVEL) ]; then $(NOVEL) down; else echo "nothing to stop"; fi

key: $(STAMP) ## Issue an API key: make key TENANT=<name>
	@test -n "$(TENANT)" || { echo "usage: make key TENANT=<name>"; exit 2; }
	@$(NOVEL) key create --tenant "$(TENANT)"

seed: $(STAMP) ## Add the starter roster to a tenant: make seed TENANT=<name>
	@test -n "$(TENANT)" || { echo "usage: make seed TENANT=<name>"; exit 2; }
	$(NOVEL) seed --tenant "$(TENANT)"

bench: $(STAMP) ## Load benchmark (starts its own stack); report in bench-results/. ARGS=... for options
	$(PY) -m bench $(ARGS)

bench-seed: $(STAMP) ## Load benchmark with the old assessment's workload (--mix seed)
	$(PY) -m bench --mix seed $(ARGS)

bench-stories: $(STAMP) ## Stories per minute with 1 and 2 simulation workers
	$(PY) -m bench --stories $(ARGS)

bench-scale: $(STAMP) ## Stories/min with 1, 2, 3 simulation workers held to 0.25 core each (root)
	$(PY) -m bench --stories --cpu-limit 0.25 --workers 1,2,3 $(ARGS)

bench-soak: $(STAMP) ## 10-minute soak at 200 users: memory drift and failed-request verdict
	$(PY) -m bench --soak $(ARGS)

bench-cost: $(STAMP) ## CPU per call per process, and SQL/NATS/gRPC counts per simulation (~2-3 min)
	$(PY) -m bench --cost $(ARGS)

bench-llm: $(STAMP) ## Model calls/s through one simulation process: 240 simulations, scripted model +0.5 s/call
	$(PY) -m bench --llm $(ARGS)

bench-wakeups: $(STAMP) ## One gRPC call's CPU per side, back to back vs after 10 ms idle (~10 s)
	$(PY) -m bench.wakeups $(ARGS)

bench-quality: $(STAMP) ## Story quality: N seeded stories (default 300), metrics table, 3 samples in bench-results/
	$(PY) -m bench.quality $(ARGS)

chaos: $(STAMP) ## Fault campaign under load (starts its own stack); report in chaos-results/. ARGS=--small for the short one
	$(PY) -m chaos $(ARGS)

# Container images. ENGINE: podman when installed, else docker when its daemon answers.
# PYTHON_IMAGE: the base (default: the Dockerfile's upstream python:3.11 slim);
# CA_BUNDLE: a PEM file passed as a build secret for a TLS-intercepting proxy.
ENGINE ?= $(shell tools/container_engine.sh)
IMAGE_REPO ?= novel-engine
IMAGE_TAG ?= 0.1.0
PYTHON_IMAGE ?=
CA_BUNDLE ?=
comma := ,
IMAGE_TARGETS := migrate gateway character simulation story loadgen
# Podman here: runc (crun fails on this host's cgroups) and capped ulimits.
ifeq ($(ENGINE),podman)
export CONTAINERS_CONF ?= $(CURDIR)/deploy/images/containers.conf
endif
BUILD_FLAGS = $(if $(filter podman,$(ENGINE)),--format docker) \
	$(if $(PYTHON_IMAGE),--build-arg PYTHON_IMAGE=$(PYTHON_IMAGE)) \
	$(if $(CA_BUNDLE),--secret id=ca_bundle$(comma)src=$(CA_BUNDLE)) \
	--build-arg VERSION=$(IMAGE_TAG) \
	--build-arg REVISION=$(shell git rev-parse --short HEAD 2>/dev/null)

images: ## Build every image (Podman or Docker): make images [PYTHON_IMAGE=...] [CA_BUNDLE=...]
	@test -n "$(ENGINE)" || { echo "no container engine: install podman, or start docker"; exit 1; }
	@for target in $(IMAGE_TARGETS); do \
		start=$$(date +%s); \
		$(ENGINE) build $(BUILD_FLAGS) --target $$target -t $(IMAGE_REPO)/$$target:$(IMAGE_TAG) . || exit 1; \
		echo "built $(IMAGE_REPO)/$$target:$(IMAGE_TAG) in $$(( $$(date +%s) - start )) s"; \
	done
	@$(ENGINE) images --filter reference='$(IMAGE_REPO)/*:$(IMAGE_TAG)'

base-image-local: ## Stand-in Python base from Debian packages (no registry needed; root, debootstrap)
	ENGINE=$(ENGINE) tools/base_image_local.sh

test-containers: $(STAMP) ## Build the images, then run the containerised stack and a simulation through it
	$(MAKE) images
	NE_CONTAINER_TESTS=require $(PY) -m pytest tests/containers -p no:cacheprovider

kube-play: $(STAMP) ## podman kube play the dev overlay's Deployments (local images, host network)
	$(PY) -m pytest tests/containers/test_kube_play.py -p no:cacheprovider

compose-up: ## Run the container stack (needs Docker)
	docker compose --env-file .env up -d --build --wait

compose-down: ## Stop the container stack and delete its volumes
	docker compose --env-file .env down -v

clean: ## Remove the virtual environment, local data and caches
	rm -rf $(VENV) .run .pytest_cache .mypy_cache .ruff_cache chaos-results
