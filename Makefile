# vobiz-vault — build, test and try it on a Debian machine.
#   make run    build, create a demo vault under ./.demo and walk through it
#   make test   the whole test suite (what CI runs)

SWIFT      ?= swift
DEMO_DIR   ?= $(CURDIR)/.demo
BENCH_SECONDS ?= 10
DEBIAN_PKGS = libsodium-dev libsqlite3-dev pkg-config curl python3 binutils

.PHONY: all deps build release test run bench clean

all: build

## deps: install the system packages the build and the tests need, when missing
deps:
	@missing=""; \
	for p in $(DEBIAN_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## test: build everything (the executable too: end-to-end tests run it) and run every suite
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## run: build, then create or reuse a demo vault under ./.demo and tour it
run: build
	@DEMO_DIR="$(DEMO_DIR)" BIN="$$($(SWIFT) build --show-bin-path)/vobiz-vault" ./scripts/demo.sh

## bench: release build, then vault-bench against a temporary vault (figures in Docs/benchmarks.md)
bench: deps
	$(SWIFT) build -c release --product vobiz-vault
	$(SWIFT) build -c release --product vault-bench
	./scripts/bench.sh $(BENCH_SECONDS)

clean:
	rm -rf .build "$(DEMO_DIR)"
