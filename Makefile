# salesorder -- PGXS build.
#
# The extension's install script is generated: the SQL lives by domain in
# extension/*.sql and is concatenated, in the order of EXTENSION_SQL, into
# salesorder--$(EXTVERSION).sql.  Earlier versions' scripts and the upgrade
# scripts are in extension/releases/.  `make test` and `make demo` are thin wrappers
# around test/run.sh, which also works on a machine that has no PostgreSQL yet.

EXTENSION = salesorder
EXTVERSION = 2.0
MODULE_big = salesorder

OBJS = \
	src/salesorder.o \
	src/settings.o \
	src/privilege.o \
	src/visibility.o \
	src/spi_util.o \
	src/json_input.o \
	src/status.o \
	src/history.o \
	src/transition.o \
	src/guard.o \
	src/reference_guard.o \
	src/order_row.o \
	src/exposure.o \
	src/order.o \
	src/stock.o \
	src/stock_reserve.o \
	src/ship.o \
	src/approval_steps.o \
	src/approval.o \
	src/change_plan.o \
	src/change.o \
	src/events.o \
	src/tracking.o \
	src/analytics.o \
	src/rollup.o \
	src/rollup_compact.o \
	src/retention.o \
	src/archive.o \
	src/cut.o \
	src/ledger_checkpoint.o \
	src/pipeline.o \
	src/worker.o

EXTENSION_SQL = \
	extension/header.sql \
	extension/schema.sql \
	extension/stock.sql \
	extension/status.sql \
	extension/order.sql \
	extension/fulfilment.sql \
	extension/archive.sql \
	extension/approval.sql \
	extension/change.sql \
	extension/events.sql \
	extension/analytics.sql \
	extension/reports.sql \
	extension/security.sql \
	extension/identity.sql \
	extension/roles.sql \
	extension/comments.sql \
	extension/bi.sql

# Released versions are frozen; each release ships an upgrade script from
# the one before, so ALTER EXTENSION salesorder UPDATE reaches the current
# (CREATE EXTENSION salesorder VERSION '1.2' runs 1.1's script and the
# update).  The install script and the upgrade scripts from 1.1 on are
# built by extension/include.awk: an object changed in a release is defined
# once, in extension/udfs/<name>/<version>.sql (views/ for views), and both
# scripts #include it, so that no upgrade script copies a body.
OBJECT_SQL = $(wildcard extension/udfs/*/*.sql extension/views/*/*.sql extension/tables/*/*.sql)
UPGRADES = 1.1--1.2 1.2--$(EXTVERSION)
DATA_built = $(EXTENSION)--$(EXTVERSION).sql $(UPGRADES:%=$(EXTENSION)--%.sql)
DATA = extension/releases/salesorder--1.0.sql \
	extension/releases/salesorder--1.0--1.1.sql \
	extension/releases/salesorder--1.1.sql
EXTRA_CLEAN = $(DATA_built) $(OBJS:.o=.d) results output_iso regression.diffs regression.out tmp_check

PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers -Wno-cast-function-type
# Every object is rebuilt when a header it includes changes: the compiler
# writes what each includes (src/*.d, read below).
PG_CFLAGS += -MMD -MP

REGRESS = setup order_create order_validation order_lifecycle order_guard stock stock_reserve approval change events analytics security hostile roles sod history clients exposure status_sets rule_kinds bi privileges archive
REGRESS_OPTS = --load-extension=plpgsql

ISOLATION = order_transition_race idempotency_race stock_last_units stock_opposite_order stock_cancel_ship approval_race change_race events_outbox events_horizon rollup_hot_group product_delete_race warehouse_delete_race ledger_checkpoint_race pipeline_checkpoint_race exposure_race exposure_rule_race ship_rr_race
ISOLATION_OPTS = --inputdir=test/isolation

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

.DEFAULT_GOAL := all

ifneq ($(PGXS),)
include $(PGXS)
else
all install installcheck:
	@echo "pg_config not found: install postgresql-server-dev-15, or run 'make test' / 'make demo', which install it" >&2
	@exit 1
endif

$(EXTENSION)--$(EXTVERSION).sql: $(EXTENSION_SQL) $(OBJECT_SQL) extension/include.awk
	awk -v dir=extension -f extension/include.awk $(EXTENSION_SQL) > $@.tmp && mv $@.tmp $@

$(EXTENSION)--%.sql: extension/releases/salesorder--%.sql $(OBJECT_SQL) extension/include.awk
	awk -v dir=extension -f extension/include.awk $< > $@.tmp && mv $@.tmp $@

# What each object includes, as the compiler found it (-MMD above).
-include $(OBJS:.o=.d)

# The TAP tests the PGXS way, against the installed binaries, each test
# with clusters of its own (initdb refuses root: run it as another user):
#   make prove_installcheck [PROVE_TESTS=test/t/030_upgrade.pl]
PROVE_TESTS ?= $(sort $(wildcard test/t/*.pl))
.PHONY: prove_installcheck
prove_installcheck:
	$(prove_installcheck)

.PHONY: test demo bench soak
test:
	@bash test/run.sh test

demo:
	@bash test/run.sh demo

bench:
	@bash test/run.sh bench

soak:
	@bash test/run.sh soak
