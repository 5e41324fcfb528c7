# The two commands of the README, and the ones around them. Every target installs what it
# needs first (scripts/install-deps.sh is idempotent and quick when nothing is missing).

BUILD      ?= build
TEST_BUILD ?= build-asan
CONCORD    := $(BUILD)/concord
CASE       := data/cases/afghanistan
DB         ?= concord.db

.PHONY: all deps build demo test bench clean fuzz soak

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) --buildtype=debugoptimized
	@ninja -C $(BUILD)

# Loads the Afghanistan case into $(DB) with `concord demo load afghanistan` (the steps of
# $(CASE)/case.txt: P-codes, province boundaries, population, the 2024 HNO needs, UCDP events,
# the OCHA 3W of July to September 2021, World Bank indicators with benchmarks, IATI results,
# the computed security indicators and a perception survey; the seed lessons register), then
# prints the coverage matrix, the gap ranking, progress with its trend, the stabilisation index
# with its sensitivity and a survey result with its clustered interval, writes report.html,
# searches the lessons and reviews a sample plan (exit status 4 there means the review found
# errors, as the sample plan is meant to show). Rows the importers reject (79 duplicates in the
# 3W, one needs row without figures) are listed with file, line, field and reason in
# demo-load.log. On a terminal it
# ends by serving the dashboard on 127.0.0.1:$(DEMO_PORT) until Ctrl-C (DEMO_SERVE=0: do not);
# without one it prints the command that does, and returns.
DEMO_PORT  ?= 8080
DEMO_SERVE ?= 1
demo: build
	@rm -f $(DB) $(DB)-wal $(DB)-shm
	@echo "loading the Afghanistan case (progress and rejected rows: demo-load.log)"
	@$(CONCORD) -d $(DB) demo load afghanistan 2>demo-load.log || { cat demo-load.log; exit 1; }
	@grep -E '^(demo|warning)' demo-load.log || true
	$(CONCORD) -d $(DB) coverage --level 1
	$(CONCORD) -d $(DB) gaps --level 1 --by pillar
	$(CONCORD) -d $(DB) progress --indicator NY.GDP.MKTP.CD --at 2017-06-30
	$(CONCORD) -d $(DB) index --config $(CASE)/afg_index.yaml --at 2021-12-31
	$(CONCORD) -d $(DB) survey results --question violent.exp.ISAF --cluster village.id
	$(CONCORD) -d $(DB) report --plan $(CASE)/sample_plan.yaml --survey violent.exp.ISAF --survey violent.exp.taliban -o report.html
	$(CONCORD) -d $(DB) lesson search police training --limit 3
	$(CONCORD) -d $(DB) review $(CASE)/sample_plan.yaml || [ $$? -eq 4 ]
	@if [ -t 1 ] && [ "$(DEMO_SERVE)" != 0 ]; then ./scripts/demo-serve.sh $(CONCORD) $(DB) $(DEMO_PORT); \
	else echo "the dashboard: ./scripts/demo-serve.sh $(CONCORD) $(DB) $(DEMO_PORT)  (a coordinator's token, then $(CONCORD) -d $(DB) serve --listen 127.0.0.1:$(DEMO_PORT))"; fi

# Builds with AddressSanitizer and UndefinedBehaviorSanitizer and runs every suite. The last
# line is "N passed, N failed, N skipped".
test: deps
	@[ -f $(TEST_BUILD)/build.ninja ] || meson setup $(TEST_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
	@ninja -C $(TEST_BUILD)
	@python3 scripts/run-tests.py $(TEST_BUILD) --backends sqlite,postgres

# Benchmarks against named peers (bench/README.md); not part of `make test`. N=… REPS=… choose
# the size and the repetitions.
bench: deps
	sh bench/import_3w/run.sh
	sh bench/import_events/run.sh
	sh bench/import_iati/run.sh
	sh bench/allocate/run.sh
	sh bench/exposure/run.sh
	sh bench/overlap/run.sh
	sh bench/api/run.sh
	sh bench/progress/run.sh
	sh bench/scale/run.sh

# libFuzzer targets of fuzz/ (clang, -fsanitize=fuzzer,address,undefined) in build-fuzz, each run
# for FUZZ_SECONDS (default 60); crashing inputs go to fuzz/crashes/. Not part of `make test`.
fuzz: deps
	@./scripts/install-fuzz-deps.sh
	@FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) ./scripts/run-fuzz.sh

# The long reliability runs of docs/RELIABILITY.md (not part of `make test`): the crash-consistency
# driver with CRASH_RUNS (default 100) kills per scenario under the sanitizers' build, then the
# load soak: `concord serve` (optimised build) for SOAK_MINUTES (default 10) one-minute windows
# with 64 wrk readers and 4 writers, p99 a minute and the memory slope.
soak: build
	@[ -f $(TEST_BUILD)/build.ninja ] || meson setup $(TEST_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
	@ninja -C $(TEST_BUILD)
	CC_SOURCE_ROOT=$(CURDIR) CONCORD=$(TEST_BUILD)/concord CRASH_RUNS=$(or $(CRASH_RUNS),100) \
		CRASH_API_RUNS=$(or $(CRASH_RUNS),100) sh tests/cli/cli-crash.sh
	@./scripts/install-tool.sh wrk wrk
	python3 tests/soak/api_soak.py --concord $(CONCORD) --case $(CASE) --wrk --readers 64 --writers 4 --windows $(or $(SOAK_MINUTES),10) --window 60

clean:
	rm -rf $(BUILD) $(TEST_BUILD) build-bench
