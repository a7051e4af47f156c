# octopus: a Go drop-in replacement for ansible-playbook.
GO      ?= go
BIN     := bin
OCTOPUS := $(BIN)/octopus
# CGO off: one static binary that runs on any Linux controller.
export CGO_ENABLED ?= 0

.PHONY: build links test race vet demo bench clean

build: links

$(OCTOPUS): $(shell find cmd engine modules -name '*.go' 2>/dev/null) go.mod go.sum
	@mkdir -p $(BIN)
	$(GO) build -trimpath -ldflags='-s -w' -o $(OCTOPUS) ./cmd/octopus

# The binary behaves as the Ansible command whose name it is invoked by.
links: $(OCTOPUS)
	@ln -sf octopus $(BIN)/ansible-playbook
	@ln -sf octopus $(BIN)/ansible-inventory
	@ln -sf octopus $(BIN)/ansible-vault

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l cmd engine modules test)" || { gofmt -l cmd engine modules test; echo "gofmt needed"; exit 1; }

# The whole suite. Differential tests skip (with a message) where ansible is
# absent; fleet tests skip where they cannot make network namespaces.
test: vet
	$(GO) test -count=1 -timeout 40m ./...
	$(MAKE) race

# The executor's goroutines (forks, free strategy, handlers, async) under
# the race detector, which needs cgo.
race:
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 20m ./engine/executor/

demo: build
	./demo/run.sh

bench: build
	./bench/run.sh

clean:
	rm -rf $(BIN)
