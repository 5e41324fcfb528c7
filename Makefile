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

# Loads the Afghanistan 2021 case (P-codes, province boundaries, population, the 2024 HNO needs,
# UCDP events, the OCHA 3W of July to September 2021) and the seed lessons register into $(DB), prints the
# coverage matrix, writes report.html, searches the lessons and reviews a sample plan (exit
# status 4 there means the review found errors, as the sample plan is meant to show). The 3W file
# has 79 duplicate rows, which are reported and rejected: exit status 3 is expected there.
demo: build
	@rm -f $(DB) $(DB)-wal $(DB)-shm
	$(CONCORD) -d $(DB) init --mission AFG-2021Q3 --name "Afghanistan, humanitarian operational presence, Q3 2021" --country AFG
	$(CONCORD) -d $(DB) lesson import data/lessons/*.md
	$(CONCORD) -d $(DB) import areas $(CASE)/afg_global_pcodes_subset.csv
	$(CONCORD) -d $(DB) import areas $(CASE)/afg_adm1_geoboundaries.geojson --level 1 --name-field shapeName --code-map $(CASE)/adm1_code_map.csv
	$(CONCORD) -d $(DB) import population $(CASE)/afg_population_adm1.csv
	$(CONCORD) -d $(DB) import needs $(CASE)/afg_hno_2024_needs_by_area.csv
	$(CONCORD) -d $(DB) import events $(CASE)/ucdp_ged_v23_1_afg.csv
	$(CONCORD) -d $(DB) import 3w $(CASE)/afg_3w_operational_presence_2021q3.csv --period 2021-07-01/2021-09-30 --rejects afg_3w_rejects.csv 2>afg_3w_rejects.log || [ $$? -eq 3 ]
	@echo "(rejected rows are listed in afg_3w_rejects.log and afg_3w_rejects.csv)"
	$(CONCORD) -d $(DB) coverage --level 1
	$(CONCORD) -d $(DB) report --plan $(CASE)/sample_plan.yaml -o report.html
	$(CONCORD) -d $(DB) lesson search police training --limit 3
	$(CONCORD) -d $(DB) review $(CASE)/sample_plan.yaml || [ $$? -eq 4 ]

# Builds with AddressSanitizer and UndefinedBehaviorSanitizer and runs every suite. The last
# line is "N passed, N failed, N skipped".
test: deps
	@[ -f $(TEST_BUILD)/build.ninja ] || meson setup $(TEST_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
	@ninja -C $(TEST_BUILD)
	@python3 scripts/run-tests.py $(TEST_BUILD)

# Benchmarks against named peers (bench/README.md); not part of `make test`. N=… REPS=… choose
# the size and the repetitions.
bench: deps
	sh bench/import_3w/run.sh
	sh bench/allocate/run.sh
	sh bench/exposure/run.sh
	sh bench/overlap/run.sh
	sh bench/api/run.sh

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
	CC_SOURCE_ROOT=$(CURDIR) CONCORD=$(TEST_BUILD)/concord CRASH_RUNS=$(or $(CRASH_RUNS),100) sh tests/cli/cli-crash.sh
	@./scripts/install-tool.sh wrk wrk
	python3 tests/soak/api_soak.py --concord $(CONCORD) --case $(CASE) --wrk --readers 64 --writers 4 --windows $(or $(SOAK_MINUTES),10) --window 60

clean:
	rm -rf $(BUILD) $(TEST_BUILD) build-bench
