# portguard: build, test, benchmark.
GO      ?= go
BIN     ?= bin/portguard
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
LDFLAGS := -s -w -X github.com/portguard/portguard/internal/cli.Version=$(VERSION) -X github.com/portguard/portguard/internal/cli.Commit=$(COMMIT)

.PHONY: build test vet bench bench-compare fuzz plan image clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/portguard

## test: vet, then every Go test (Rego unit tests and end-to-end tests included)
test: vet
	$(GO) test -timeout 30m ./...

## bench: Go benchmarks of the stages (load, compile, evaluate, report; the
## rules must stay linear: ns/service flat), then whole-process timings of
## portguard check at 10 to 20,000 services (median of 5 runs, peak RSS)
bench: build
	$(GO) test ./input -run '^$$' -bench Load -benchtime 3x
	$(GO) test ./internal/engine -run '^$$' -bench . -benchtime 3x
	$(GO) test ./internal/report -run '^$$' -bench Write -benchtime 3x
	$(GO) run ./cmd/portguard-bench -bin $(BIN) -runs 5

## bench-compare: the same generated repositories timed with portguard check
## and with conftest test --combine (a conftest binary on PATH: go install
## github.com/open-policy-agent/conftest@v0.71.1) and the five-rule policy of
## cmd/portguard-bench/conftest/, paired run by run; prints the ratios
bench-compare: build
	$(GO) run ./cmd/portguard-bench -bin $(BIN) -runs 5 -compare

## fuzz: every fuzz target of input/ (the loader) and internal/engine (the
## plan against topdown on generated repositories) for FUZZTIME each (a
## duration, or Nx executions, which CI uses: it cannot race the fuzzing
## coordinator's deadline); a crasher lands in
## <package>/testdata/fuzz/<FuzzName>/ and stays there as a regression seed
FUZZTIME ?= 30s
FUZZPACKAGES ?= ./input ./internal/engine
fuzz:
	@set -e; for p in $(FUZZPACKAGES); do \
		for t in $$($(GO) test $$p -list '^Fuzz' | grep '^Fuzz'); do \
			echo "$$p $$t ($(FUZZTIME))"; \
			$(GO) test $$p -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME); \
		done; \
	done

## plan: regenerate internal/engine/plan_gen.go, the plan of the built-in
## policies that check runs; a test fails while it is older than policies/
plan:
	$(GO) test ./internal/engine -run TestBuiltinPlanInSync -count=1 -update

## image: the container image (Dockerfile): a static binary for the local
## engine's platform, built into bin/image/, which is the build context
IMAGE ?= portguard:dev
image:
	CGO_ENABLED=0 GOOS=linux GOARCH=$$($(GO) env GOARCH) $(GO) build -ldflags "$(LDFLAGS)" -o bin/image/portguard ./cmd/portguard
	docker build -t $(IMAGE) -f Dockerfile bin/image

vet:
	$(GO) vet ./...

clean:
	rm -rf bin
