-- salesorder.sales_rollup_delta as of 2.0, and the compaction cycle's
-- state in rollup_config.
--
-- Append-only: signed contributions of order changes since the last
-- compaction.  One row per change of one (month, region, segment), its
-- categories and their figures in arrays of one length (element i is
-- category[i]'s), so that an order creation or a cancel writes one row
-- whatever number of categories its lines have (1.x wrote a row per
-- category).
--
-- Two partitions take turns: order entry appends to the one that
-- rollup_config.writer_slot names, and the worker folds the other into the
-- rollup, marks it folded (folded_slot: report_sales skips it) and empties
-- it with TRUNCATE once no snapshot can still see it unfolded, so that
-- compaction deletes no row (src/rollup_compact.c).
CREATE TABLE salesorder.sales_rollup_delta (
	slot		smallint NOT NULL,
	month		date NOT NULL,
	region		text NOT NULL,
	segment		text NOT NULL,
	category	text[] NOT NULL,
	orders		bigint[] NOT NULL,
	lines		bigint[] NOT NULL,
	quantity	numeric[] NOT NULL,
	amount		numeric[] NOT NULL,
	CHECK (pg_catalog.cardinality(orders) = pg_catalog.cardinality(category)
		   AND pg_catalog.cardinality(lines) = pg_catalog.cardinality(category)
		   AND pg_catalog.cardinality(quantity) = pg_catalog.cardinality(category)
		   AND pg_catalog.cardinality(amount) = pg_catalog.cardinality(category))
) PARTITION BY LIST (slot);
CREATE TABLE salesorder.sales_rollup_delta_0
	PARTITION OF salesorder.sales_rollup_delta FOR VALUES IN (0);
CREATE TABLE salesorder.sales_rollup_delta_1
	PARTITION OF salesorder.sales_rollup_delta FOR VALUES IN (1);

ALTER TABLE salesorder.rollup_config
	ADD COLUMN writer_slot smallint NOT NULL DEFAULT 0
		CHECK (writer_slot IN (0, 1)),
	ADD COLUMN folded_slot smallint
		CHECK (folded_slot IN (0, 1) AND folded_slot <> writer_slot);

COMMENT ON TABLE salesorder.sales_rollup_delta IS
	'Append-only signed changes to the sales rollup since the last compaction, in two partitions that take turns';
COMMENT ON TABLE salesorder.sales_rollup_delta_0 IS 'The deltas of slot 0 (see sales_rollup_delta)';
COMMENT ON TABLE salesorder.sales_rollup_delta_1 IS 'The deltas of slot 1 (see sales_rollup_delta)';
COMMENT ON COLUMN salesorder.rollup_config.writer_slot IS
	'The partition of sales_rollup_delta that order entry appends to';
COMMENT ON COLUMN salesorder.rollup_config.folded_slot IS
	'The partition already folded into sales_rollup and not yet emptied (report_sales skips it), or NULL';

-- Nobody reads or writes the deltas but the extension's functions.
REVOKE ALL ON salesorder.sales_rollup_delta, salesorder.sales_rollup_delta_0,
	salesorder.sales_rollup_delta_1 FROM PUBLIC;
