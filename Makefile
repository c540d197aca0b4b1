# vobiz-vault — build, test and try it on a Debian machine.
#   make run    build, create a demo vault under ./.demo and walk through it
#   make test   the whole test suite (what CI runs)

SWIFT      ?= swift
DEMO_DIR   ?= $(CURDIR)/.demo
BENCH_SECONDS ?= 10
BENCH_SCALE ?= 10000 100000
BENCH_ROTATIONS ?= 200
BENCH_FLEET_SCALE ?= 100000
DEBIAN_PKGS = libsodium-dev libsqlite3-dev pkg-config curl python3 python3-venv python3-yaml binutils openssl systemd systemd-container util-linux e2fsprogs postgresql dpkg-dev golang-go nodejs

# make install PREFIX=/usr/local DESTDIR=...   (make uninstall removes exactly what it put there)
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR      = $(PREFIX)/bin
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
MANDIR      = $(PREFIX)/share/man/man1
DOCDIR      = $(PREFIX)/share/doc/vobiz-vault
BASHDIR     = $(PREFIX)/share/bash-completion/completions
ZSHDIR      = $(PREFIX)/share/zsh/site-functions
FISHDIR     = $(PREFIX)/share/fish/vendor_completions.d
UNITS       = vobiz-vault.service vobiz-vault.socket vobiz-vault-admin.socket vobiz-vault-remind.service vobiz-vault-remind.timer
MANIFEST    = $(DESTDIR)$(DOCDIR)/installed-files

.PHONY: all deps build release deb test fuzz soak run bench clean install uninstall

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

## test: build a Debian package from a debug build into .build/deb-test (PackageTests installs
## it in a container; `make deb` packages the release build the same way, into .build/deb, and
## its release compile is left out of this run for time), build everything (the
## executable too: end-to-end tests run it), fuzz each parser for
## 10 s, run every suite with the files the tests leave kept in a temporary directory, then
## sweep all of them for every secret the tests handed out (scripts/leak-sweep.py, which removes
## the directory; LEAK_SWEEP_FLAGS=--keep leaves it). The suite's summary line is followed, when
## the suite failed, by the failed tests and their first issues (scripts/test-failures.sh), then by
## the sweep's line: the last lines of a long log say what went wrong.
##
## First, the end-to-end suites whose behaviour is the same on both backends run again with
## their vaults in PostgreSQL (VOBIZ_VAULT_TEST_STORE=postgres, Docs/testing.md), less the tests
## of what only SQLite has (its file, backup, offline --state-dir reads) and those whose daemon
## runs as another user (the tests' server trusts its superuser on a private socket only). The
## whole suite runs last, so its summary is the log's closing test line.
POSTGRES_SUITES = ProxyTests|CallbackTests|JWTTests|RefusalTests|PolicyCheckTests|HeadersOutputTests|LimitsTests|AdminAPITests|\
	ListingThroughTheDaemonTests|CaptureWithholdingTests|GraceByCommandTests|ProxyUpstreamTests|ProxyOverrideTests|OperatorFlowTests|\
	RemindTests|CallerRecheckTests|IdentityAttackTests|AdminSocketTests|AdminPathTests|DaemonTests|ShutdownTests|UIDBudgetTests|\
	UnauthenticatedBudgetTests|OutOfBandTests|AdminKeysAndCopyTests|SignalTests|StrictInputTests|SocketDirectoryTests
POSTGRES_SKIP = rekeyTakesTheNewKeyOnlyInTheBodyAndBadInputChangesNothing|backupAnswersWithTheCopyAndItsManifest|\
	withoutAReadableVaultItSaysTheCredentialIsNotChecked|rekeyThroughTheDaemonReadsTheNewKeyAndPassphraseAsItsCaller|\
	aCallerWhoseExecutableTheDaemonCannotReadIsJudgedByUid|auditExportPagesThroughTheDaemonAndMatchesTheVaultOffline
# Written over several lines: the spaces make puts at the joins are taken out again.
nothing :=
space := $(nothing) $(nothing)
LEAK_SWEEP_FLAGS ?=
test: deps
	rm -rf .build/deb-test
	SWIFT=$(SWIFT) DEB_CONFIGURATION=debug ./scripts/make-deb.sh .build/deb-test
	$(SWIFT) build --build-tests
	./scripts/fuzz.sh 10
	@keep="$$(mktemp -d -t vv-keep.XXXXXX)" && chmod 755 "$$keep" && \
	echo "$(SWIFT) test --skip-build on PostgreSQL  (VOBIZ_VAULT_TEST_STORE=postgres VOBIZ_VAULT_TEST_KEEP=$$keep)" && \
	{ VOBIZ_VAULT_TEST_STORE=postgres VOBIZ_VAULT_TEST_KEEP="$$keep" $(SWIFT) test --skip-build \
		--filter 'EndToEndTests\.($(subst $(space),,$(POSTGRES_SUITES)))' --skip '$(subst $(space),,$(POSTGRES_SKIP))' 2>&1; \
		echo $$? > "$$keep/swift-test-postgres.status"; } | tee "$$keep/swift-test-postgres.out"; \
	echo "$(SWIFT) test --skip-build  (VOBIZ_VAULT_TEST_KEEP=$$keep)" && \
	{ VOBIZ_VAULT_TEST_KEEP="$$keep" VOBIZ_VAULT_TEST_DEB="$$(ls .build/deb-test/*_amd64.deb)" $(SWIFT) test --skip-build 2>&1; \
		echo $$? > "$$keep/swift-test.status"; } | tee "$$keep/swift-test.out"; \
	status=0; \
	for run in swift-test-postgres swift-test; do \
		if [ "$$(cat "$$keep/$$run.status")" != 0 ]; then status=1; echo "$$run:"; ./scripts/test-failures.sh "$$keep/$$run.out"; fi; \
	done; \
	python3 scripts/leak-sweep.py "$$keep" $(LEAK_SWEEP_FLAGS) || status=1; \
	exit $$status

## fuzz: each libFuzzer target for 60 s (FUZZ_SECONDS)
FUZZ_SECONDS ?= 60
fuzz: deps
	./scripts/fuzz.sh $(FUZZ_SECONDS)

## soak: the soak and overload test for 60 s (SOAK_SECONDS)
SOAK_SECONDS ?= 60
soak: deps
	$(SWIFT) build --build-tests
	VOBIZ_VAULT_SOAK_SECONDS=$(SOAK_SECONDS) $(SWIFT) test --skip-build --filter SoakTests

## run: build, then create or reuse a demo vault under ./.demo and tour it
run: build
	@DEMO_DIR="$(DEMO_DIR)" BIN="$$($(SWIFT) build --show-bin-path)/vobiz-vault" ./scripts/demo.sh

## bench: release build, then vault-bench against a temporary vault, then the scale benchmark at
## BENCH_SCALE customers, the fleet benchmark (BENCH_ROTATIONS rotations) and the scale benchmark
## in PostgreSQL at BENCH_FLEET_SCALE customers (figures in Docs/benchmarks.md)
bench: deps
	$(SWIFT) build -c release --product vobiz-vault
	$(SWIFT) build -c release --product vault-bench
	./scripts/bench.sh $(BENCH_SECONDS)
	./scripts/bench-cpu.sh revealed
	./scripts/bench-cpu.sh sealed
	./scripts/bench-scale.sh $(BENCH_SCALE)
	./scripts/bench-fleet.sh $(BENCH_ROTATIONS)
	STORE=postgres ./scripts/bench-scale.sh $(BENCH_FLEET_SCALE)

## deb: .build/deb/vobiz-vault_VERSION_amd64.deb, a release build with the Swift runtime linked in
## (scripts/make-deb.sh; installing it: Docs/operations.md)
deb: deps
	SWIFT=$(SWIFT) DEB_CONFIGURATION=release ./scripts/make-deb.sh

## install: release binary, systemd units, sysusers/tmpfiles, example config, completions and man pages
install: release
	$(SWIFT) build -c release --product vobiz-vault
	rm -rf .build/man && mkdir -p .build/man
	$(SWIFT) package plugin --allow-writing-to-directory .build/man generate-manual --output-directory .build/man --multi-page >/dev/null
	./scripts/install.sh "$$($(SWIFT) build -c release --show-bin-path)/vobiz-vault" "$(DESTDIR)" "$(PREFIX)" \
		"$(BINDIR)" "$(UNITDIR)" "$(SYSUSERSDIR)" "$(TMPFILESDIR)" "$(MANDIR)" "$(DOCDIR)" "$(BASHDIR)" "$(ZSHDIR)" "$(FISHDIR)"

## uninstall: remove exactly the files install recorded
uninstall:
	@test -f "$(MANIFEST)" || { echo "nothing recorded at $(MANIFEST)"; exit 1; }
	@while read -r f; do rm -f "$(DESTDIR)$$f"; done < "$(MANIFEST)"
	@rm -f "$(MANIFEST)"
	@rmdir "$(DESTDIR)$(DOCDIR)" 2>/dev/null || true
	@echo "removed the files listed in $(MANIFEST)"

clean:
	rm -rf .build .build-deb .build-deb-debug .build-fuzz "$(DEMO_DIR)"
