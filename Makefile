# Go may live in /usr/local/go without being on PATH (fresh Debian image).
export PATH := $(PATH):/usr/local/go/bin

# Extra go test flags: make test ARGS='-run Foo -v'
ARGS ?=

.PHONY: test run build vet bench

test:
	bash scripts/test.sh $(ARGS)

run:
	go run ./cmd/shipshape serve

build:
	go build -o bin/shipshape ./cmd/shipshape

vet:
	@files="$$(gofmt -l .)"; \
	if [ -n "$$files" ]; then \
		echo "gofmt: these files are not formatted (run gofmt -w):"; \
		echo "$$files"; \
		exit 1; \
	fi
	go vet ./...

bench:
	go run ./bench/loadtest
