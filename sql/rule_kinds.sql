--
-- rule_kinds: the kinds of approval rule are data (approval_rule_kind);
-- the C code has its own list per subject and a test for each kind.  The
-- lists agree with the rows, a rule is checked against its kind when it is
-- written, and one rule of every kind fires.
--
\set test_db regress_rule_kinds
\i sql/include/fresh_database.sql
SELECT count(*) >= 0 AS roles_ready FROM salesorder.create_roles();
CREATE ROLE regress_kind_reviewer NOLOGIN;

SELECT kind, subject, needs_threshold, needs_segment FROM salesorder.approval_rule_kind
ORDER BY subject DESC, kind;

-- The C lists, one row a subject, against the rows: nothing differs.
SELECT c.subject, c.kinds AS c_side,
	   (SELECT string_agg(k.kind, ',' ORDER BY k.kind) FROM salesorder.approval_rule_kind k
		WHERE k.subject = c.subject) AS sql_side
FROM salesorder.rule_kinds() c ORDER BY c.subject DESC;
SELECT count(*) AS subjects_that_differ
FROM salesorder.rule_kinds() c
WHERE (SELECT array_agg(x ORDER BY x) FROM unnest(string_to_array(c.kinds, ',')) x)
	  IS DISTINCT FROM (SELECT array_agg(k.kind ORDER BY k.kind) FROM salesorder.approval_rule_kind k
						WHERE k.subject = c.subject);

-- A rule is checked against its kind when written; nothing is written.
SELECT count(*) AS rules_before FROM salesorder.approval_rule \gset
SELECT * FROM regress.try($$INSERT INTO salesorder.approval_rule (name, kind, threshold, department, approver_role)
	VALUES ('x', 'price_over', 1, 'finance', 'regress_kind_reviewer')$$);
SELECT * FROM regress.try($$INSERT INTO salesorder.approval_rule (name, kind, department, approver_role)
	VALUES ('x', 'change_amount_over', 'finance', 'regress_kind_reviewer')$$);
SELECT * FROM regress.try($$INSERT INTO salesorder.approval_rule (name, kind, department, approver_role)
	VALUES ('x', 'segment', 'sales', 'regress_kind_reviewer')$$);
SELECT * FROM regress.try($$INSERT INTO salesorder.approval_rule (name, kind, segment, department, approver_role)
	VALUES ('x', 'backorder', 'retail', 'sales', 'regress_kind_reviewer')$$);
-- Also an inactive rule, and on UPDATE.
SELECT * FROM regress.try($$INSERT INTO salesorder.approval_rule (name, kind, department, approver_role, active)
	VALUES ('x', 'discount_over', 'sales', 'regress_kind_reviewer', false)$$);
SELECT count(*) = :rules_before AS nothing_written FROM salesorder.approval_rule;

-- Orders in every status, as a suite leaves them (and a rule of kind
-- amount_over, inactive).
SELECT regress.some_history() AS history;

-- One rule of every kind, each weighing a case that makes it fire.
CREATE TEMP TABLE saved_rules AS SELECT id, active FROM salesorder.approval_rule;
UPDATE salesorder.approval_rule SET active = false;
SELECT * FROM regress.try($$UPDATE salesorder.approval_rule SET threshold = NULL
	WHERE kind = 'amount_over'$$);
INSERT INTO salesorder.approval_rule (name, kind, threshold, segment, department, approver_role)
SELECT 'every kind: ' || k.kind, k.kind,
	   CASE WHEN k.needs_threshold THEN 0 END,
	   CASE WHEN k.needs_segment THEN 'kinds' END,
	   'review', 'regress_kind_reviewer'
FROM salesorder.approval_rule_kind k;

INSERT INTO salesorder.warehouse (code, name, region) VALUES ('WH-KIND', 'Kinds DC', 'North');
SELECT id AS wh FROM salesorder.warehouse WHERE code = 'WH-KIND' \gset
INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
	default_ship_to, default_warehouse_id)
VALUES ('KINDS', 'Every Kind Ltd', 'North', 'kinds', 0, '1 Rule Rd', :wh);
SELECT id AS cust FROM salesorder.customer WHERE code = 'KINDS' \gset
INSERT INTO salesorder.product (sku, name, category, list_price) VALUES ('KIND-A', 'Kind A', 'widgets', 10);
SELECT count(*) AS received FROM salesorder.receive_stock(:wh, (SELECT id FROM salesorder.product WHERE sku = 'KIND-A'), 5);

-- An order: total above 0, a discount above 0, over a credit limit of 0,
-- special terms, a backorder (10 wanted, 5 in stock), in segment kinds.
SELECT salesorder.create_order(:cust, '[{"sku": "KIND-A", "qty": 10, "discount_pct": 5}]',
	'{"backorder": true, "special_requirements": "ring twice", "promised_date": "2030-01-10"}') AS o \gset
SELECT status FROM salesorder.sales_order WHERE id = :o;
SELECT r.kind, s.reason FROM salesorder.approval_step s
JOIN salesorder.approval_rule r ON r.id = s.rule_id
WHERE s.order_id = :o ORDER BY r.kind;
-- Every order kind fired.
SELECT count(*) AS order_kinds_not_fired FROM salesorder.approval_rule_kind k
WHERE k.subject = 'order'
  AND NOT EXISTS (SELECT 1 FROM salesorder.approval_step s JOIN salesorder.approval_rule r ON r.id = s.rule_id
				  WHERE s.order_id = :o AND r.kind = k.kind);

-- A change request on it once approved and in production: an amount, a
-- quantity and a date change.
GRANT salesorder_approver TO regress_kind_reviewer;
CREATE ROLE regress_kind_ann LOGIN IN ROLE regress_kind_reviewer;
SET ROLE regress_kind_ann;
SELECT salesorder.approve(:o, 'every kind') AS approved;
RESET ROLE;
SELECT salesorder.set_stage(:o, 'assembling');
SELECT salesorder.request_change(:o, '{"lines": [{"line_no": 1, "qty": 9}], "promised_date": "2030-01-20"}',
	'every kind') AS cr \gset
SELECT status FROM salesorder.change_request WHERE id = :cr;
SELECT r.kind, s.reason FROM salesorder.approval_step s
JOIN salesorder.approval_rule r ON r.id = s.rule_id
WHERE s.change_request_id = :cr ORDER BY r.kind;
SELECT count(*) AS change_kinds_not_fired FROM salesorder.approval_rule_kind k
WHERE k.subject = 'change'
  AND NOT EXISTS (SELECT 1 FROM salesorder.approval_step s JOIN salesorder.approval_rule r ON r.id = s.rule_id
				  WHERE s.change_request_id = :cr AND r.kind = k.kind);

-- Anybody who reads the rules reads the kinds; the C listing is internal.
SET ROLE salesorder_sales;
SELECT count(*) AS kinds_read FROM salesorder.approval_rule_kind;
SELECT * FROM regress.try('SELECT * FROM salesorder.rule_kinds()');
RESET ROLE;

-- Leave the rules as they were.
UPDATE salesorder.approval_rule SET active = false WHERE name LIKE 'every kind: %';
UPDATE salesorder.approval_rule r SET active = s.active FROM saved_rules s WHERE s.id = r.id;
DROP OWNED BY regress_kind_ann;
DROP ROLE regress_kind_ann, regress_kind_reviewer;

\i sql/include/leave_database.sql
