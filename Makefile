# prismhook — build, test and release tasks. `make help` lists them.

GO          ?= go
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -s -w -X main.version=$(VERSION)
BIN         := bin/prismhook
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
REDOCLY     := @redocly/cli@2.77.0
ACTIONLINT  := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

.PHONY: help build test test-short lint lint-go lint-spec lint-actions bench bench-compare demo image image-test soak fuzz clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## build bin/prismhook
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/prismhook

test: ## run every test with the race detector (the command CI runs)
	PRISMHOOK_CONTAINER_TEST=1 $(GO) test -race -count=1 -timeout 12m ./...

test-short: ## the quick subset, no race detector
	$(GO) test -short -count=1 ./...

lint: lint-go lint-spec lint-actions ## gofmt, go vet, staticcheck, the OpenAPI documents, the workflows and action.yml

lint-go:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

lint-spec:
	npx --yes $(REDOCLY) lint --config spec/redocly.yaml spec/openapi.yaml spec/mock.yaml

# actionlint checks .github/workflows/ (and action.yml through the workflow
# that uses it, uses: ./), then the complete workflows shown in docs/ci.md.
lint-actions:
	$(GO) run $(ACTIONLINT)
	@tmp=$$(mktemp -d); \
	awk -v dir="$$tmp" '/^```yaml$$/ { on = 1; n++; buf = ""; next } \
		/^```$$/ && on { on = 0; if (buf ~ /^# \.github\/workflows\//) printf "%s", buf > (dir "/ci-md-" n ".yml"); next } \
		on { buf = buf $$0 "\n" }' docs/ci.md; \
	$(GO) run $(ACTIONLINT) $$tmp/*.yml; rc=$$?; rm -rf "$$tmp"; exit $$rc

bench: ## micro-benchmarks (benchstat-friendly)
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./... | tee bench.txt

bench-compare: ## side-by-side load comparisons (docs/benchmarks.md)
	bash internal/bench/compare.sh

demo: ## the mock's sender against the bundled receiver, full check
	$(GO) run ./cmd/prismhook demo

image: ## container image (podman, or docker with a running engine)
	bash internal/container/build.sh $(VERSION)

image-test: ## build the image and smoke-test it (needs podman and runc)
	PRISMHOOK_CONTAINER_TEST=1 $(GO) test -count=1 -v -timeout 10m ./internal/container/

soak: ## the long no-loss soak test
	PRISMHOOK_SOAK=long $(GO) test -race -count=1 -timeout 30m -run Soak -v ./internal/soak/

fuzz: ## run each fuzz target for FUZZTIME (default 60s)
	bash internal/fuzz.sh $${FUZZTIME:-60s}

clean:
	rm -rf bin bench.txt
