# leadgate — two commands do everything on a fresh machine:
#   make run    the whole system on 127.0.0.1:3000 (DynamoDB Local + moto)
#   make test   vet, unit and integration tests, template lint
SHELL := /bin/bash
GO ?= go
export LEADGATE_CACHE ?= $(CURDIR)/.cache
# The browser tests' screenshots: test artifacts, never committed.
export LEADGATE_SCREENSHOTS ?= $(CURDIR)/artifacts/screenshots

# Every Lambda is a functions/<name> folder; its logical ID in template.yaml
# is <Name>Function.
FUNCTIONS := console campaigns intake leads badgescan router reps assign nurture rejudge followup reporter reports webhooks subscriptions deliver
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags='-s -w'
LAMBDA_ENV := CGO_ENABLED=0 GOOS=linux GOARCH=arm64

.PHONY: run test vet lint browser build bench fuzz clean

run:
	$(GO) build -o bin/leadgate ./cmd/leadgate
	bin/leadgate local $(ARGS)

# internal/devstack runs the whole system many times over (about 6 minutes
# on 2 quiet cores); Go's default 10-minute limit per package would fail
# it on a busy machine, so the limit is stated.
test: vet lint browser
	$(GO) test -count=1 -timeout 25m -skip '^TestNoLeadLostUnderFaults$$' ./...
	@# The fault test prints its accounting, so it runs on its own, verbose.
	set -o pipefail; $(GO) test -count=1 -run '^TestNoLeadLostUnderFaults$$' -v ./internal/devstack/ | grep -E '^(faults:|--- |ok|FAIL|PASS)|_test.go'
	$(MAKE) --no-print-directory fuzz FUZZTIME=20000x

vet:
	$(GO) vet ./...

# cfn-lint is a Python tool (pip install cfn-lint); where it is missing the
# lint step says so instead of failing the build.
lint:
	@if command -v cfn-lint >/dev/null 2>&1; then \
		echo "cfn-lint template.yaml"; cfn-lint template.yaml; \
	else \
		echo "cfn-lint not found: skipping template lint (pip install cfn-lint)"; \
	fi

# The browser test drives Debian's Chromium. Install it when it is missing
# and this user may (root with apt-get); anywhere else the test skips and
# says so.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium for the browser test (apt-get)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
			|| echo "could not install chromium: the browser test will skip"; \
	else \
		echo "chromium not installed and cannot be here: the browser test will skip"; \
	fi

build: $(FUNCTIONS:%=bin/%/bootstrap)

bin/%/bootstrap: FORCE
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $@ ./functions/$*

.PHONY: FORCE
FORCE:

# Bootstrap sizes against issue 16's limits (every function 10 MiB, intake
# 8 MiB), as deployed: fails naming each function over its limit.
.PHONY: sizes
sizes: build
	@fail=0; for f in $(FUNCTIONS); do \
		n=$$(stat -c %s bin/$$f/bootstrap); limit=10485760; \
		if [ $$f = intake ]; then limit=8388608; fi; \
		awk -v f=$$f -v n=$$n -v l=$$limit 'BEGIN { printf "%-14s %6.2f MiB (limit %g)%s\n", f, n/1048576, l/1048576, (n > l ? "  OVER" : "") }'; \
		if [ $$n -gt $$limit ]; then fail=1; fi; \
	done; exit $$fail

# sam build runs these (Metadata: BuildMethod: makefile) with ARTIFACTS_DIR set.
build-ConsoleFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/console
build-CampaignsFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/campaigns
build-IntakeFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/intake
build-LeadsFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/leads
build-BadgeScanFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/badgescan
build-RouterFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/router
build-SubscriptionsFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/subscriptions
build-DeliverFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/deliver
build-RepsFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/reps
build-AssignFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/assign
build-NurtureFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/nurture
build-RejudgeFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/rejudge
build-FollowUpFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/followup
build-ReporterFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/reporter
build-ReportsFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/reports
build-WebhooksFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/webhooks

# Speed targets live here, never in timed tests; figures go to BENCHMARKS.md.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./internal/qualify/ | tee bench.out
	$(GO) test -run '^$$' -bench Intake -benchtime 1500x -count 3 ./internal/devstack/ | tee -a bench.out
	$(GO) test -run '^$$' -bench SpeedToLead -benchtime 1x -count 3 ./internal/devstack/ | tee -a bench.out
	$(GO) test -run '^$$' -bench RecordJSON -benchmem -count 6 ./internal/lead/ | tee -a bench.out
	$(GO) test -run '^$$' -bench Submission -benchmem -count 6 ./internal/httpapi/submissions/ | tee -a bench.out
	# One import per process: DynamoDB Local slows to a crawl once its heap
	# holds a few hundred thousand items, which a second round in the same
	# server would measure instead of leadgate.
	for i in 1 2; do $(GO) test -run '^$$' -bench BadgeScanImport -benchtime 1x ./internal/devstack/ | tee -a bench.out; done
	$(GO) test -run '^$$' -bench TouchPointBatches -benchtime 1x ./internal/devstack/ | tee -a bench.out
	$(GO) test -run '^$$' -bench Reader -benchmem ./internal/badgescan/ | tee -a bench.out
	$(GO) test -run '^$$' -bench ColdStart -benchtime 1x ./internal/runtimeapi/ 2>&1 | tee -a bench.out
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./internal/backtest/ | tee -a bench.out
	$(GO) test -run '^$$' -bench DecodeLead -benchmem -count 6 ./internal/dynamo/leadtable/ | tee -a bench.out
	for i in 1 2; do $(GO) test -run '^$$' -bench Preview -benchtime 1x ./internal/devstack/ | tee -a bench.out; done
	# The calls and capacity units per lead behind SCALING.md and the cost model.
	$(GO) test -count=1 -run TestCapacityPerLead -v ./internal/devstack/ | tee -a bench.out

# Every decoder that meets outside input has a fuzz target. make test runs
# each for a fixed number of inputs (a time limit can end while a worker is
# still minimizing an input, and Go then fails the run); `make fuzz` runs
# them for a minute each. Minimization is bounded for the same reason.
FUZZTIME ?= 60s
FUZZ_TARGETS := FuzzEvaluate:./internal/qualify/ FuzzReader:./internal/badgescan/ FuzzApplyHoldsTrustAndBudget:./internal/lead/ \
	FuzzSubmissionBody:./internal/httpapi/submissions/ FuzzDefinitionDocument:./internal/httpapi/ FuzzFeedback:./internal/httpapi/ FuzzAccountDocument:./internal/httpapi/ FuzzVerify:./internal/oidc/

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t%%:*} for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t%%:*}$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 100x $${t#*:} >/tmp/leadgate-fuzz.log 2>&1 \
			|| { cat /tmp/leadgate-fuzz.log; exit 1; }; \
	done

clean:
	rm -rf bin .aws-sam bench.out
