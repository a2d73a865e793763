# The two commands of README's quick start. Each installs only what is missing (.ci/setup).
SHELL := /bin/bash
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: run test build bench bench-dns lint unit api e2e

## Install what is missing, build the release, and run ITM on its defaults.
run:
	.ci/setup run
	.ci/build
	./target/release/itm serve

## Install what is missing and run every test (the command CI runs).
test:
	.ci/setup test
	.ci/test

## One stage of `make test`, for iterating on it (each installs what is missing first).
lint unit api e2e:
	.ci/setup test
	.ci/test $@

## Build the release (server binary and browser bundle) without running it.
build:
	.ci/setup run
	.ci/build

## Criterion benchmarks of the evaluator.
bench:
	cargo bench -p app

## The DNS benchmark (dnsperf; itm beside hickory's floor and gdnsd when installed).
bench-dns:
	.ci/setup test
	cargo build --release -p itm-server --features fixtures
	python3 server/benches/dns/bench.py
