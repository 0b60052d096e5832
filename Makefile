# Creek: the two commands of the README, and a few more.
#   make run    install what is missing, build, start one node on :8080
#   make test   install what is missing, build, run every test
.PHONY: all deps test-deps build ui run test bench package clean

DATA_DIR ?= $(CURDIR)/.data/node1
HTTP ?= 127.0.0.1:8080
CLUSTER_ADDRESS ?= 127.0.0.1:9443
HTTPS ?= 127.0.0.1:8443

all: build

deps:
	packaging/install-build-deps.sh run

test-deps:
	packaging/install-build-deps.sh test

# The storage engine (dqlite from Debian's source package, cached) first.
# The C tests need cmocka, which only `make test` installs: `make build` and
# `make run` configure without them (CREEK_TESTS=OFF); `make test` and
# `make bench` configure with them.
CREEK_TESTS ?= OFF
build:
	engine=$$(packaging/engine/build.sh) && \
		cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCREEK_ENGINE_PREFIX=$$engine \
			-DCREEK_TESTS=$(CREEK_TESTS)
	cmake --build build -j $$(nproc)

ui:
	cd web/ui && npm run build

run: deps build ui
	mkdir -p $(DATA_DIR)
	build/creekd --foreground --data-dir $(DATA_DIR) --http $(HTTP) --https $(HTTPS) \
		--cluster-address $(CLUSTER_ADDRESS) --ui-dir $(CURDIR)/web/ui/dist

test: test-deps
	tests/run-all.sh

package: test-deps
	packaging/package.sh

bench: test-deps
	$(MAKE) build CREEK_TESTS=ON
	tests/bench/run.sh

clean:
	rm -rf build build-asan build-tsan build-dqlite111 web/ui/dist
