-- demo/story.sql -- the life of a sales order, told in SQL.
--
-- Included by demo/demo.sql after data.sql.  Each numbered section says in
-- plain words what happens, shows the SQL that does it (ECHO queries) and
-- what the database answers.  Ids travel between steps in psql variables
-- (\gset), so the script works on any data set.
--
-- Sections (add new ones at the end, numbered on):
--   1  the customer and what the order will inherit from it
--   2  a new order
--   3  a reorder: copy of the order
--   4  hold and release
--   5  cancel
--   6  the history of both orders
--   7  what an illegal status move does
--   8  the business at a glance
--   9  review and approval: rules, two levels, the reviewer's queue, a
--      rejection, revise and resubmit
--  10  fulfilment: a partial shipment, the rest, delivery, completion
--  11  a backorder filled by a goods receipt
--  12  change requests: applied at once, or approved first
--  13  reports for planning: the monthly report from the rollup (equal to
--      the raw GROUP BY, faster), compaction, trends, the forecast, the
--      pipeline and delays, and a chart (demo/out/forecast.png, gnuplot)
--  14  health check and summary

-- The people in the story: the sales reps own the customer accounts
-- (customer.sales_rep).  They are NOLOGIN roles in the salesorder_sales group;
-- an application pool would SET ROLE to them per request.
SELECT pg_catalog.format('CREATE ROLE %I NOLOGIN IN ROLE salesorder_sales', r)
FROM pg_catalog.unnest(ARRAY['rep_alice', 'rep_bob', 'rep_chen', 'rep_dana']) r
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r)
\gexec

-- This session plays every person through its one login, as such a pool
-- does.  Segregation of duties holds for the person: the login of a
-- session, unless a superuser declared it a pool login, as here; then the
-- role it set is the person (README, "Segregation of duties").
SELECT pg_catalog.set_config('salesorder.pool_logins', session_user, false) AS pool_login \gset

-- pg_temp.expect_error(stmt): runs stmt, which must fail, and returns the
-- error as a row (SQLSTATE code, message, detail) instead of stopping the
-- script; if stmt succeeds the demo stops, since the story would be wrong.
-- It lives in this session's temp schema, which the roles the session SETs
-- may use too (anyone with TEMP on the database, i.e. PUBLIC by default).
CREATE FUNCTION pg_temp.expect_error(stmt text)
RETURNS TABLE (code text, message text, detail text)
LANGUAGE plpgsql AS $fn$
BEGIN
	BEGIN
		EXECUTE stmt;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE,
								message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
		detail := nullif(detail, '');
		RETURN NEXT;
		RETURN;
	END;
	RAISE EXCEPTION 'demo: expected an error, but this succeeded: %', stmt;
END
$fn$;

\echo
\echo '================================================================='
\echo ' 1. A customer calls'
\echo '================================================================='
\echo 'A large account in the North region phones in an order.  Everything the'
\echo 'order needs to know about the customer is already in the database:'

SELECT c.id AS cust_id, c.code AS cust_code, c.sales_rep AS rep,
	   w.code AS wh_code, c.default_warehouse_id AS wh_id
FROM salesorder.customer c
JOIN salesorder.warehouse w ON w.id = c.default_warehouse_id
WHERE c.segment = 'enterprise' AND c.region = 'North'
  AND NOT c.on_credit_hold AND c.active
ORDER BY c.id
LIMIT 1 \gset

\x on
SELECT c.code, c.name, c.segment, c.region, c.credit_limit,
	   c.default_ship_to, w.code || ' (' || w.name || ')' AS default_warehouse,
	   c.sales_rep,
	   (SELECT count(*) FROM salesorder.sales_order o WHERE o.customer_id = c.id) AS orders_so_far
FROM salesorder.customer c
JOIN salesorder.warehouse w ON w.id = c.default_warehouse_id
WHERE c.id = :cust_id;
\x off

-- The two SKUs this customer has bought most, among those with plenty of
-- stock in its warehouse.
SELECT pg_catalog.min(f.sku) FILTER (WHERE f.rank = 1) AS sku1,
	   pg_catalog.min(f.sku) FILTER (WHERE f.rank = 2) AS sku2
FROM (SELECT p.sku,
			 pg_catalog.row_number() OVER (ORDER BY coalesce(b.bought, 0) DESC, p.sku) AS rank
	  FROM salesorder.stock s
	  JOIN salesorder.product p ON p.id = s.product_id
	  LEFT JOIN (SELECT l.product_id, pg_catalog.sum(l.qty) AS bought
				 FROM salesorder.order_line l
				 JOIN salesorder.sales_order o ON o.id = l.order_id
				 WHERE o.customer_id = :cust_id
				 GROUP BY l.product_id) b ON b.product_id = p.id
	  WHERE s.warehouse_id = :wh_id AND s.on_hand - s.reserved >= 50) f \gset

\echo 'The rep, ':rep', takes the call.  The customer wants its two usual items.'
\echo 'Stock for them in ':wh_code' before the order:'
SELECT p.sku, p.name, p.list_price, s.on_hand, s.reserved,
	   s.on_hand - s.reserved AS available
FROM salesorder.stock s
JOIN salesorder.product p ON p.id = s.product_id
WHERE s.warehouse_id = :wh_id AND p.sku IN (:'sku1', :'sku2')
ORDER BY p.sku;

\echo
\echo '================================================================='
\echo ' 2. The rep enters the order'
\echo '================================================================='
\echo 'Only the customer, the products and the quantities are typed.  Ship-to,'
\echo 'warehouse and sales rep come from the customer; prices default to the'
\echo 'list price; the second line gets 5 % off and a note.  The order is'
\echo 'submitted at once: the approval rules decide whether it needs a reviewer,'
\echo 'and the stock is reserved before the call returns.'
\echo

SELECT pg_catalog.format('[{"sku": "%s", "qty": 5}, '
						 '{"sku": "%s", "qty": 2, "discount_pct": 5, "note": "gift wrap"}]',
						 :'sku1', :'sku2') AS lines,
	   pg_catalog.format('{"requested_date": "%s", "notes": "demo order"}',
						 CURRENT_DATE + 14) AS options \gset

SET ROLE :"rep";
-- This session listens for order events, as an integration would.
SELECT salesorder.event_horizon() AS events_before \gset
LISTEN salesorder_events;
\set ECHO queries
SELECT salesorder.create_order(:cust_id, :'lines', :'options') AS order_id \gset
\set ECHO none
\echo 'The new order:'
\x on
SELECT o.order_no, o.status, o.ship_to, w.code AS warehouse, o.sales_rep,
	   o.requested_date, o.promised_date, o.notes, o.line_count,
	   o.gross_amount, o.discount_amount, o.total_amount, o.created_by
FROM salesorder.sales_order o
JOIN salesorder.warehouse w ON w.id = o.warehouse_id
WHERE o.id = :order_id;
\x off
\echo 'Its lines (unit price = list price, amount = qty x price less discount):'
SELECT l.line_no, p.sku, l.qty, l.unit_price, l.discount_pct, l.amount,
	   l.reserved_qty, l.note
FROM salesorder.order_line l
JOIN salesorder.product p ON p.id = l.product_id
WHERE l.order_id = :order_id
ORDER BY l.line_no;
\echo 'The stock is reserved: available went down, on hand did not:'
SELECT p.sku, s.on_hand, s.reserved, s.on_hand - s.reserved AS available
FROM salesorder.stock s
JOIN salesorder.product p ON p.id = s.product_id
WHERE s.warehouse_id = :wh_id AND p.sku IN (:'sku1', :'sku2')
ORDER BY p.sku;
\echo 'The order''s events are in the outbox (salesorder.order_event), written in'
\echo 'the same transaction.  No order transaction sends a NOTIFY (that would make'
\echo 'every commit in the cluster wait for the one before); the background worker'
\echo 'wakes the listeners -- this session listens -- with the new outbox horizon'
\echo '(psql prints the notification after the next command), and they read'
\echo 'events_since(the last id they saw):'
SELECT pg_catalog.pg_sleep(0.3) AS waited \gset
UNLISTEN salesorder_events;
SELECT id, kind, payload ->> 'to' AS to_status
FROM salesorder.events_since(:events_before) WHERE order_id = :order_id ORDER BY id;

\echo
\echo '================================================================='
\echo ' 3. "Same again, please": a reorder'
\echo '================================================================='
\echo 'A new order copied from the previous one: same customer, warehouse,'
\echo 'ship-to and notes, same products, quantities, discounts and line notes.'
\echo 'A reorder is a new sale, so the prices are TODAY''s list prices (not the'
\echo 'prices of the old order), and the dates are not copied: the customer'
\echo 'states new ones.  It gets a new number and is submitted and reserved'
\echo 'like any other order.  Since the first order, a new price list has'
\echo 'raised the price of ':sku1' by 2.00 (the admin''s job):'
\echo
RESET ROLE;
\set ECHO queries
UPDATE salesorder.product SET list_price = list_price + 2 WHERE sku = :'sku1';
\set ECHO none
SET ROLE :"rep";
\set ECHO queries
SELECT salesorder.copy_order(:order_id) AS copy_id \gset
\set ECHO none
SELECT o.order_no, o.status, s.order_no AS copied_from, o.requested_date,
	   o.notes, o.line_count, o.total_amount
FROM salesorder.sales_order o
LEFT JOIN salesorder.sales_order s ON s.id = o.source_order_id
WHERE o.id = :copy_id;
SELECT l.line_no, p.sku, l.qty, s.unit_price AS old_price, l.unit_price,
	   l.discount_pct, l.amount, l.reserved_qty, l.note
FROM salesorder.order_line l
JOIN salesorder.product p ON p.id = l.product_id
LEFT JOIN salesorder.order_line s ON s.order_id = :order_id AND s.line_no = l.line_no
WHERE l.order_id = :copy_id
ORDER BY l.line_no;

\echo
\echo '================================================================='
\echo ' 4. Hold and release'
\echo '================================================================='
\echo 'The customer asks to wait with the reorder.  A hold needs a reason and'
\echo 'remembers where the order came from; releasing it goes back there.'
\echo
\set ECHO queries
SELECT salesorder.hold(:copy_id, 'customer asked to wait') AS status;
\set ECHO none
SELECT order_no, status, hold_from, status_reason
FROM salesorder.sales_order WHERE id = :copy_id;
\set ECHO queries
SELECT salesorder.release_hold(:copy_id) AS status;
\set ECHO none
SELECT order_no, status, hold_from, status_reason
FROM salesorder.sales_order WHERE id = :copy_id;

\echo
\echo '================================================================='
\echo ' 5. Cancel'
\echo '================================================================='
\echo 'The first order is no longer wanted.  Cancelling needs a reason and'
\echo 'releases every reservation in the same transaction.'
\echo
\set ECHO queries
SELECT salesorder.cancel(:order_id, 'customer changed plans') AS status;
\set ECHO none
SELECT order_no, status, status_reason FROM salesorder.sales_order WHERE id = :order_id;
SELECT l.line_no, p.sku, l.qty, l.reserved_qty
FROM salesorder.order_line l
JOIN salesorder.product p ON p.id = l.product_id
WHERE l.order_id = :order_id
ORDER BY l.line_no;
\echo 'Stock now: only the reorder still holds a reservation:'
SELECT p.sku, s.on_hand, s.reserved, s.on_hand - s.reserved AS available
FROM salesorder.stock s
JOIN salesorder.product p ON p.id = s.product_id
WHERE s.warehouse_id = :wh_id AND p.sku IN (:'sku1', :'sku2')
ORDER BY p.sku;
RESET ROLE;

\echo
\echo '================================================================='
\echo ' 6. The history'
\echo '================================================================='
\echo 'Every status change is recorded with who made it, when and why.  The'
\echo 'acting user is the role the session works as (here the rep), even'
\echo 'though the functions write with the rights of the extension.'
SELECT o.order_no, h.from_status, h.to_status, h.changed_by, h.reason
FROM salesorder.order_status_history h
JOIN salesorder.sales_order o ON o.id = h.order_id
WHERE h.order_id IN (:order_id, :copy_id)
ORDER BY h.order_id, h.id;

\echo
\echo '================================================================='
\echo ' 7. No back doors'
\echo '================================================================='
\echo 'cancelled is final.  Even the superuser, with a plain UPDATE that skips'
\echo 'the functions, cannot move the order back to draft: the same C trigger'
\echo 'checks every status change against the state machine.  (The error is'
\echo 'expected; the demo goes on.)'
\echo
\set ON_ERROR_STOP off
\set ECHO queries
UPDATE salesorder.sales_order SET status = 'draft' WHERE id = :order_id;
\set ECHO none
\set ON_ERROR_STOP on
\echo 'SQLSTATE ':LAST_ERROR_SQLSTATE': ':LAST_ERROR_MESSAGE
\echo 'The row is unchanged:'
SELECT order_no, status, status_reason FROM salesorder.sales_order WHERE id = :order_id;
\echo 'The legal moves out of each status are data (salesorder.status_transition):'
SELECT from_status, pg_catalog.string_agg(to_status::text, ', ' ORDER BY to_status) AS may_go_to
FROM salesorder.status_transition
GROUP BY from_status
ORDER BY from_status;

\echo
\echo '================================================================='
\echo ' 8. The business at a glance'
\echo '================================================================='
\echo 'Orders per status (two years of history plus the demo orders):'
SELECT status, count(*) AS orders, pg_catalog.sum(total_amount) AS total_amount
FROM salesorder.sales_order
GROUP BY status
ORDER BY status;

\echo 'Revenue per month and region, last 12 months (line amounts after discount,'
\echo 'orders not draft, cancelled or rejected):'
\pset numericlocale on
SELECT pg_catalog.to_char(m.month, 'YYYY-MM') AS month,
	   pg_catalog.sum(m.amount) FILTER (WHERE m.region = 'North') AS north,
	   pg_catalog.sum(m.amount) FILTER (WHERE m.region = 'South') AS south,
	   pg_catalog.sum(m.amount) FILTER (WHERE m.region = 'East') AS east,
	   pg_catalog.sum(m.amount) FILTER (WHERE m.region = 'West') AS west,
	   pg_catalog.sum(m.amount) AS total
FROM (SELECT pg_catalog.date_trunc('month', o.created_at)::date AS month,
			 c.region, l.amount
	  FROM salesorder.sales_order o
	  JOIN salesorder.customer c ON c.id = o.customer_id
	  JOIN salesorder.order_line l ON l.order_id = o.id
	  WHERE o.status NOT IN ('draft', 'cancelled', 'rejected')
		AND o.created_at >= pg_catalog.date_trunc('month', CURRENT_DATE) - interval '11 months') m
GROUP BY m.month
ORDER BY m.month;
\pset numericlocale off

\echo 'And the books balance: stock agrees with its ledger and with the open'
\echo 'order lines for every warehouse and SKU (verify_stock() lists each'
\echo 'disagreement; none means healthy):'
SELECT count(*) AS stock_rows_checked,
	   (SELECT count(*) FROM salesorder.verify_stock()) AS problems
FROM salesorder.stock;

\echo
\echo '================================================================='
\echo ' 9. Review and approval: a big order needs a second pair of eyes'
\echo '================================================================='
\echo 'So far no order needed a reviewer: there were no approval rules yet.'
\echo 'The admin (the superuser in this demo) sets them up.  First the people.'
\echo 'Finance (fin_mark), the sales director (dir_carl) and the sales manager'
\echo '(mgr_olga) decide: each is a member of salesorder_approver, which may'
\echo 'call approve and reject, and of a group role for their job, which is'
\echo 'what the rules route to.  The warehouse (wh_north), logistics and billing'
\echo 'staff ship, deliver and close orders (salesorder_warehouse).  A DO block'
\echo 'creates whatever role is missing:'

DO $do$
DECLARE
	r record;
	g text;
BEGIN
	FOR r IN
		SELECT v.name, v.groups
		FROM (VALUES ('finance', '{}'::text[]),
					 ('sales_director', '{}'),
					 ('sales_manager', '{}'),
					 ('fin_mark', '{salesorder_approver, finance}'),
					 ('dir_carl', '{salesorder_approver, sales_director}'),
					 ('mgr_olga', '{salesorder_approver, sales_manager}'),
					 ('wh_north', '{salesorder_warehouse}'),
					 ('logistics_tom', '{salesorder_warehouse}'),
					 ('billing_kim', '{salesorder_warehouse}')) v(name, groups)
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r.name);
		END IF;
		FOREACH g IN ARRAY r.groups LOOP
			IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m
						   WHERE m.roleid = g::regrole AND m.member = r.name::regrole) THEN
				EXECUTE pg_catalog.format('GRANT %I TO %I', g, r.name);
			END IF;
		END LOOP;
	END LOOP;
END
$do$;

SELECT r.rolname AS person,
	   pg_catalog.string_agg(g.rolname, ', ' ORDER BY g.rolname) AS member_of
FROM pg_catalog.pg_roles r
JOIN pg_catalog.pg_auth_members m ON m.member = r.oid
JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
WHERE r.rolname IN (:'rep', 'fin_mark', 'dir_carl', 'mgr_olga',
					'wh_north', 'logistics_tom', 'billing_kim')
GROUP BY r.rolname
ORDER BY r.rolname;

\echo 'The rules are rows of salesorder.approval_rule.  Orders above 5,000 go'
\echo 'to finance; above 20,000 also to the sales director, once finance has'
\echo 'approved (level 2); orders of government customers (public tenders have'
\echo 'their own terms) also to the sales manager:'
\echo
\set ECHO queries
INSERT INTO salesorder.approval_rule
	(name, kind, threshold, segment, department, approver_role, level)
VALUES ('large order',      'amount_over', 5000,  NULL,         'finance',          'finance',        1),
	   ('very large order', 'amount_over', 20000, NULL,         'sales management', 'sales_director', 2),
	   ('public sector',    'segment',     NULL,  'government', 'sales',            'sales_manager',  1);
\set ECHO none
SELECT id, name, kind, threshold, segment, department, approver_role, level, active
FROM salesorder.approval_rule
ORDER BY id;

-- Four SKUs of 100 or more with plenty available in the customer's
-- warehouse, not those of the first order: the first two for the big
-- order, the other two for the public-sector quote below.  Each big line
-- is worth at least 12,000, so the order is above 20,000.
SELECT pg_catalog.format('[%s]', pg_catalog.string_agg(
		   pg_catalog.format('{"sku": "%s", "qty": %s}', f.sku,
							 pg_catalog.ceil(12000 / f.list_price / 10) * 10),
		   ', ' ORDER BY f.rank) FILTER (WHERE f.rank <= 2)) AS big_lines,
	   pg_catalog.min(f.sku) FILTER (WHERE f.rank = 3) AS gov_sku1,
	   pg_catalog.min(f.sku) FILTER (WHERE f.rank = 4) AS gov_sku2,
	   pg_catalog.min(pg_catalog.ceil(6000 / f.list_price / 10) * 10)
		   FILTER (WHERE f.rank = 3) AS gov_qty1
FROM (SELECT p.sku, p.list_price,
			 pg_catalog.row_number() OVER (ORDER BY s.on_hand - s.reserved DESC, p.sku) AS rank
	  FROM salesorder.stock s
	  JOIN salesorder.product p ON p.id = s.product_id
	  WHERE s.warehouse_id = :wh_id AND p.active AND p.list_price >= 100
		AND s.on_hand - s.reserved >= 200
		AND p.sku NOT IN (:'sku1', :'sku2')) f \gset

\echo
\echo :rep' enters a big order for ':cust_code': winter uniforms, above 20,000.'
\echo 'It is submitted like any other order: the stock is reserved, the rules'
\echo 'are evaluated, and two of them fire.'
\echo
SET ROLE :"rep";
\set ECHO queries
SELECT salesorder.create_order(:cust_id, :'big_lines',
							   '{"notes": "winter uniforms, season 2"}') AS big_id \gset
\set ECHO none
SELECT order_no, status, total_amount, status_reason
FROM salesorder.sales_order WHERE id = :big_id;
\echo 'One approval step per rule that fired, each with its reason.  Level 2'
\echo 'opens only when every step of level 1 is approved:'
SELECT round, level, department, approver_role, status, reason
FROM salesorder.approval_step
WHERE order_id = :big_id
ORDER BY round, level, id;
RESET ROLE;

\echo 'Finance opens its queue.  salesorder.approval_queue shows each person'
\echo 'only the steps they may decide now.  Besides the new order, it holds the'
\echo 'backlog of the last days: orders waiting for a manual review, routed to'
\echo 'every approver (role salesorder_approver):'
SET ROLE fin_mark;
\set ECHO queries
SELECT department, approver_role, count(*) AS steps,
	   pg_catalog.min(waiting_since)::date AS oldest, pg_catalog.max(waiting_since)::date AS newest
FROM salesorder.approval_queue
GROUP BY department, approver_role
ORDER BY department, approver_role;
\set ECHO none
\echo 'The new order, with the customer''s credit limit and its exposure (open'
\echo 'orders, this one included):'
\set ECHO queries
SELECT order_no, customer, total_amount, level, reason, credit_limit, credit_exposure
FROM salesorder.approval_queue
WHERE order_id = :big_id
ORDER BY waiting_since, step_id;
\set ECHO none
\echo 'and, in its lines column (jsonb), each line with what is reserved for it'
\echo 'and what is still available in the warehouse:'
\set ECHO queries
SELECT q.order_no, l.*
FROM salesorder.approval_queue q,
	 pg_catalog.jsonb_to_recordset(q.lines)
		 AS l(line_no int, sku text, qty numeric, discount_pct numeric,
			  reserved numeric, backorder numeric, available_now numeric)
WHERE q.order_id = :big_id
ORDER BY q.order_no, l.line_no;
\set ECHO none

\echo 'The sales director is early.  Level 2 is not open yet, so the order is'
\echo 'not in his queue (only the manual-review backlog is), and approving'
\echo 'anyway is refused with SO003.  (The demo runs the statement in a small'
\echo 'helper that catches the error and shows it.)'
SET ROLE dir_carl;
SELECT count(*) FILTER (WHERE order_id = :big_id) AS big_order_in_queue_of_dir_carl,
	   count(*) FILTER (WHERE order_id <> :big_id) AS backlog_steps
FROM salesorder.approval_queue;
\set stmt 'SELECT salesorder.approve(' :big_id ', ''go ahead'')'
\echo :stmt
\x on
SELECT * FROM pg_temp.expect_error(:'stmt');
\x off

\echo 'Finance approves, with a comment.  The order still waits for level 2:'
\echo
SET ROLE fin_mark;
\set ECHO queries
SELECT salesorder.approve(:big_id, 'credit fine, margin checked') AS status;
\set ECHO none
\echo 'Now the step is in the sales director''s queue, and he approves:'
SET ROLE dir_carl;
SELECT order_no, level, department, reason
FROM salesorder.approval_queue
WHERE order_id = :big_id
ORDER BY waiting_since, step_id;
\set ECHO queries
SELECT salesorder.approve(:big_id, 'go ahead') AS status;
\set ECHO none
RESET ROLE;
\echo 'Who decided what:'
SELECT level, department, status, decided_by, comment
FROM salesorder.approval_step
WHERE order_id = :big_id
ORDER BY round, level, id;
\echo 'The history has the status moves and, as kind decision, each approval:'
SELECT kind, from_status, to_status, changed_by, reason
FROM salesorder.order_status_history
WHERE order_id = :big_id
ORDER BY id;

-- A government customer of the same rep, for the rejection.
SELECT c.id AS gov_cust, c.code AS gov_code, c.name AS gov_name
FROM salesorder.customer c
WHERE c.segment = 'government' AND c.sales_rep = :'rep'
  AND c.active AND NOT c.on_credit_hold AND c.default_warehouse_id = :wh_id
ORDER BY c.id
LIMIT 1 \gset
SELECT pg_catalog.format('[{"sku": "%s", "qty": %s, "discount_pct": 15}, '
						 '{"sku": "%s", "qty": 10}]',
						 :'gov_sku1', :'gov_qty1', :'gov_sku2') AS gov_lines \gset

\echo
\echo 'A rejection.  ':gov_name' (':gov_code', segment government)'
\echo 'orders from ':rep' with 15 % off the first line.  Two rules fire, both'
\echo 'at level 1: finance (above 5,000) and the sales manager (government).'
\echo
SET ROLE :"rep";
\set ECHO queries
SELECT salesorder.create_order(:gov_cust, :'gov_lines') AS gov_id \gset
\set ECHO none
SELECT round, level, department, approver_role, status, reason
FROM salesorder.approval_step
WHERE order_id = :gov_id
ORDER BY round, level, id;
\echo 'Finance rejects it; the reason is mandatory.  The other open step is'
\echo 'closed and the reservations are released at once:'
\echo
SET ROLE fin_mark;
\set ECHO queries
SELECT salesorder.reject(:gov_id, 'public framework allows at most 5 % off; please requote') AS status;
\set ECHO none
SELECT round, level, department, status, decided_by, comment
FROM salesorder.approval_step
WHERE order_id = :gov_id
ORDER BY round, level, id;
SELECT l.line_no, p.sku, l.qty, l.discount_pct, l.amount, l.reserved_qty
FROM salesorder.order_line l
JOIN salesorder.product p ON p.id = l.product_id
WHERE l.order_id = :gov_id
ORDER BY l.line_no;

\echo 'The rep revises the order (back to draft), edits the line directly with'
\echo 'a plain UPDATE (allowed while it is a draft: the trigger recomputes the'
\echo 'line amount and the order totals) and submits it again:'
\echo
SET ROLE :"rep";
\set ECHO queries
SELECT salesorder.revise(:gov_id) AS status;
UPDATE salesorder.order_line SET discount_pct = 5 WHERE order_id = :gov_id AND line_no = 1;
SELECT salesorder.submit_order(:gov_id) AS status;
\set ECHO none
SELECT order_no, status, gross_amount, discount_amount, total_amount
FROM salesorder.sales_order WHERE id = :gov_id;
\echo 'The rules were evaluated afresh: a new round of steps; the first round'
\echo 'stays for the audit:'
SELECT round, level, department, status, decided_by, reason
FROM salesorder.approval_step
WHERE order_id = :gov_id
ORDER BY round, level, id;
\echo 'This time finance and the sales manager both approve:'
\echo
SET ROLE fin_mark;
\set ECHO queries
SELECT salesorder.approve(:gov_id, 'within the framework') AS status;
\set ECHO none
SET ROLE mgr_olga;
\set ECHO queries
SELECT salesorder.approve(:gov_id, 'tender terms checked') AS status;
\set ECHO none
RESET ROLE;
SELECT kind, from_status, to_status, changed_by, reason
FROM salesorder.order_status_history
WHERE order_id = :gov_id
ORDER BY id;

\echo 'The rules stay in the table for the record; the rest of the story runs'
\echo 'without them:'
\echo
\set ECHO queries
UPDATE salesorder.approval_rule SET active = false WHERE active;
\set ECHO none

\echo
\echo '================================================================='
\echo ' 10. Fulfilment: ship in parts, deliver, close'
\echo '================================================================='
\echo 'The big order is approved and goes to ':wh_code' for picking.  Only one'
\echo 'truck today: it takes 20 units of the first line.  Shipping takes'
\echo 'reserved stock out of the building, so on hand and reserved go down'
\echo 'together and what is available to other orders does not move.'
\echo 'Stock before:'
SELECT l.line_no, p.sku, s.on_hand, s.reserved, s.on_hand - s.reserved AS available
FROM salesorder.order_line l
JOIN salesorder.sales_order o ON o.id = l.order_id
JOIN salesorder.stock s ON s.warehouse_id = o.warehouse_id AND s.product_id = l.product_id
JOIN salesorder.product p ON p.id = l.product_id
WHERE l.order_id = :big_id
ORDER BY l.line_no;
SET ROLE wh_north;
\set ECHO queries
SELECT salesorder.ship(:big_id, '[{"line_no": 1, "qty": 20}]') AS status;
\set ECHO none
SELECT l.line_no, p.sku, l.qty, l.shipped_qty, l.reserved_qty
FROM salesorder.order_line l
JOIN salesorder.product p ON p.id = l.product_id
WHERE l.order_id = :big_id
ORDER BY l.line_no;
\echo 'Stock after the first shipment:'
SELECT l.line_no, p.sku, s.on_hand, s.reserved, s.on_hand - s.reserved AS available
FROM salesorder.order_line l
JOIN salesorder.sales_order o ON o.id = l.order_id
JOIN salesorder.stock s ON s.warehouse_id = o.warehouse_id AND s.product_id = l.product_id
JOIN salesorder.product p ON p.id = l.product_id
WHERE l.order_id = :big_id
ORDER BY l.line_no;
\echo 'Every movement of goods is a row of the ledger, salesorder.stock_movement,'
\echo 'which nobody can update or delete; a reservation moves no goods and is'
\echo 'the line''s reserved_qty.  The order''s ledger rows so far: the shipment:'
SELECT m.kind, p.sku, m.line_no, m.on_hand_delta, m.created_by
FROM salesorder.stock_movement m
JOIN salesorder.product p ON p.id = m.product_id
WHERE m.order_id = :big_id
ORDER BY m.id;

\echo 'The next day the rest goes out: ship without a list of lines ships'
\echo 'everything still reserved.  Logistics confirms the delivery and billing'
\echo 'closes the order:'
\echo
\set ECHO queries
SELECT salesorder.ship(:big_id) AS status;
\set ECHO none
SET ROLE logistics_tom;
\set ECHO queries
SELECT salesorder.deliver(:big_id) AS status;
\set ECHO none
SET ROLE billing_kim;
\set ECHO queries
SELECT salesorder.complete(:big_id) AS status;
\set ECHO none
RESET ROLE;
SELECT l.line_no, p.sku, l.qty, l.shipped_qty, l.reserved_qty
FROM salesorder.order_line l
JOIN salesorder.product p ON p.id = l.product_id
WHERE l.order_id = :big_id
ORDER BY l.line_no;
\echo 'The order''s life from approval on:'
SELECT from_status, to_status, changed_by, reason
FROM salesorder.order_status_history
WHERE order_id = :big_id AND kind = 'status'
  AND id >= (SELECT pg_catalog.max(h.id) FROM salesorder.order_status_history h
			 WHERE h.order_id = :big_id AND h.to_status = 'approved')
ORDER BY id;

-- The SKU of the customer's warehouse that is shortest: the least available
-- (but some), not waited for yet, not one of the SKUs used above.
SELECT ls.sku AS bo_sku, ls.product_id AS bo_product,
	   pg_catalog.trunc(ls.available)::int AS bo_available,
	   pg_catalog.trunc(ls.available)::int + 10 AS bo_qty
FROM salesorder.low_stock ls
WHERE ls.warehouse_id = :wh_id AND ls.available > 0 AND ls.backorder_qty = 0
  AND ls.sku NOT IN (:'sku1', :'sku2', :'gov_sku1', :'gov_sku2')
ORDER BY ls.available, ls.sku
LIMIT 1 \gset
SELECT pg_catalog.format('[{"sku": "%s", "qty": %s}, {"sku": "%s", "qty": 3}]',
						 :'bo_sku', :bo_qty, :'sku1') AS bo_lines \gset

\echo
\echo '================================================================='
\echo ' 11. Not enough stock: a backorder, filled by a goods receipt'
\echo '================================================================='
\echo :cust_code' wants ':bo_qty' of ':bo_sku'; ':wh_code' has only ':bo_available' available.'
\echo 'Normally that is an error (SO001) and nothing is written.  The customer'
\echo 'agrees to wait for the rest, so the rep orders with {"backorder": true}:'
\echo 'the order reserves what there is and records the rest as backordered.'
\echo
SET ROLE :"rep";
\set ECHO queries
SELECT salesorder.create_order(:cust_id, :'bo_lines', '{"backorder": true}') AS bo_id \gset
\set ECHO none
SELECT order_no, status, allow_backorder, needs_stock, total_amount
FROM salesorder.sales_order WHERE id = :bo_id;
SELECT l.line_no, p.sku, l.qty, l.reserved_qty, l.backorder_qty
FROM salesorder.order_line l
JOIN salesorder.product p ON p.id = l.product_id
WHERE l.order_id = :bo_id
ORDER BY l.line_no;
RESET ROLE;
\echo 'The buyers'' view, salesorder.low_stock, shows the SKU below its reorder'
\echo 'point with the order waiting for it, and what to buy (shortfall: enough'
\echo 'for the backorders and the reorder point):'
SELECT warehouse, sku, on_hand, reserved, available, reorder_point,
	   backorder_qty, waiting_orders, shortfall
FROM salesorder.low_stock
WHERE warehouse_id = :wh_id AND product_id = :bo_product;

SELECT pg_catalog.ceil(shortfall / 10) * 10 AS po_qty
FROM salesorder.low_stock
WHERE warehouse_id = :wh_id AND product_id = :bo_product \gset
SELECT pg_catalog.max(id) AS last_movement FROM salesorder.stock_movement \gset

\echo 'The supplier delivers ':po_qty' units.  The receipt goes to the waiting'
\echo 'backorders first, oldest order first, in the same transaction:'
\echo
SET ROLE wh_north;
\set ECHO queries
SELECT on_hand, reserved, on_hand - reserved AS available, reorder_point
FROM salesorder.receive_stock(:wh_id, :bo_product, :po_qty, 'PO 4711 from the supplier');
\set ECHO none
RESET ROLE;
SELECT l.line_no, p.sku, l.qty, l.reserved_qty, l.backorder_qty
FROM salesorder.order_line l
JOIN salesorder.product p ON p.id = l.product_id
WHERE l.order_id = :bo_id
ORDER BY l.line_no;
SELECT order_no, status, needs_stock FROM salesorder.sales_order WHERE id = :bo_id;
\echo 'The ledger row of the receipt: the goods in (the backorder''s reservation'
\echo 'is on its line, above):'
SELECT m.kind, p.sku, o.order_no, m.line_no, m.on_hand_delta,
	   m.created_by, m.note
FROM salesorder.stock_movement m
JOIN salesorder.product p ON p.id = m.product_id
LEFT JOIN salesorder.sales_order o ON o.id = m.order_id
WHERE m.id > :last_movement
ORDER BY m.id;
SELECT count(*) AS orders_still_waiting_for_it
FROM salesorder.order_line l
JOIN salesorder.sales_order o ON o.id = l.order_id
WHERE o.warehouse_id = :wh_id AND l.product_id = :bo_product AND l.backorder_qty > 0;

\echo
\echo '================================================================='
\echo ' 12. The customer changes its mind: change requests'
\echo '================================================================='
\echo 'Once an order is submitted its lines are no longer edited directly: a'
\echo 'change is a request, with its effects computed (amount, stock, dates),'
\echo 'its own approval if a change rule fires, and a new revision of the'
\echo 'order when it applies, the old one kept.  The reorder of section 3 is'
\echo 'approved; the customer now wants 10 of the first item instead of 5, and'
\echo 'a promised date.  No change rule is active, so it applies at once:'
\echo
SELECT pg_catalog.format('{"lines": [{"line_no": 1, "qty": 10}], "promised_date": "%s"}',
						 CURRENT_DATE + 21) AS change1 \gset
SET ROLE :"rep";
\set ECHO queries
SELECT salesorder.request_change(:copy_id, :'change1', 'customer needs more') AS change1_id \gset
\set ECHO none
\echo 'The request, with its effects computed by the database:'
\x on
SELECT change_id, order_no, status, kinds, base_revision, applied_revision,
	   effects -> 'amount_delta' AS amount_delta, effects -> 'stock_delta' AS stock_delta,
	   requested_by, decision_comment
FROM salesorder.order_changes
WHERE change_id = :change1_id;
\x off
\echo 'Field by field (effects -> ''fields''):'
SELECT f.field, f.old, f.new
FROM salesorder.order_changes c,
	 pg_catalog.jsonb_to_recordset(c.effects -> 'fields') AS f(field text, old text, new text)
WHERE c.change_id = :change1_id
ORDER BY f.field;
SELECT order_no, status, revision, promised_date, line_count, total_amount
FROM salesorder.sales_order WHERE id = :copy_id;
\echo 'The order as it was (salesorder.order_at_revision(order, 1)) and as it'
\echo 'is now (revision 2):'
SELECT r.revision, r.doc -> 'header' ->> 'promised_date' AS promised_date,
	   l.line_no, l.sku, l.qty, l.unit_price, l.amount,
	   r.doc -> 'header' ->> 'total_amount' AS order_total
FROM (SELECT v.revision, salesorder.order_at_revision(:copy_id, v.revision) AS doc
	  FROM (VALUES (1), (2)) v(revision)) r,
	 pg_catalog.jsonb_to_recordset(r.doc -> 'lines')
		 AS l(line_no int, sku text, qty numeric, unit_price numeric, amount numeric)
ORDER BY r.revision, l.line_no;
RESET ROLE;

\echo 'The admin adds a change rule: a change that moves an order''s total by'
\echo 'more than 100 needs finance.  The customer then wants 10 more of the'
\echo 'second item:'
\echo
\set ECHO queries
INSERT INTO salesorder.approval_rule (name, kind, threshold, department, approver_role)
VALUES ('big change', 'change_amount_over', 100, 'finance', 'finance');
\set ECHO none
SET ROLE :"rep";
\set ECHO queries
SELECT salesorder.request_change(:copy_id, '{"lines": [{"line_no": 2, "qty": 12}]}',
								 'customer adds ten jackets') AS change2_id \gset
\set ECHO none
\echo 'This one waits for finance; the order stays at revision 2 meanwhile:'
SELECT change_id, status, kinds, effects -> 'amount_delta' AS amount_delta,
	   s.step ->> 'department' AS step_department, s.step ->> 'status' AS step_status,
	   s.step ->> 'reason' AS step_reason
FROM salesorder.order_changes c,
	 pg_catalog.jsonb_array_elements(c.steps) s(step)
WHERE c.change_id = :change2_id
ORDER BY c.change_id;
SELECT order_no, revision, total_amount FROM salesorder.sales_order WHERE id = :copy_id;
\echo 'Finance approves; the last approval applies the change:'
\echo
SET ROLE fin_mark;
\set ECHO queries
SELECT salesorder.approve_change(:change2_id, 'ok') AS result;
\set ECHO none
RESET ROLE;
SELECT change_id, status, kinds, base_revision, applied_revision,
	   effects -> 'amount_delta' AS amount_delta, requested_by, decided_by, decision_comment
FROM salesorder.order_changes
WHERE order_id = :copy_id
ORDER BY change_id;
SELECT l.line_no, p.sku, l.qty, l.unit_price, l.discount_pct, l.amount, l.reserved_qty
FROM salesorder.order_line l
JOIN salesorder.product p ON p.id = l.product_id
WHERE l.order_id = :copy_id
ORDER BY l.line_no;
\echo 'The order''s history records each request and each revision:'
SELECT kind, from_status, to_status, changed_by, reason
FROM salesorder.order_status_history
WHERE order_id = :copy_id
ORDER BY id;
\set ECHO queries
UPDATE salesorder.approval_rule SET active = false WHERE active;
\set ECHO none

\echo
\echo '================================================================='
\echo ' 13. Reports for planning'
\echo '================================================================='
\echo 'Planning and BI tools (Metabase, Superset, Excel) read the report_*'
\echo 'views as members of salesorder_reporting: the views and nothing else,'
\echo 'no base table, no order function.  The monthly sales report,'
\echo 'salesorder.report_sales (month x region x segment x category: orders,'
\echo 'lines, quantity and amount of the submitted orders), answers from a'
\echo 'rollup that the order functions keep current in the same transaction as'
\echo 'each order, so it is right to the last commit without a nightly job.'
\echo

-- The report's months are those of the time zone the rollup was built in
-- (rollup_config, from salesorder.report_timezone, default UTC); the
-- aggregates bucket in the session's TimeZone.  Same zone for both, so that
-- the months below agree.
SELECT timezone AS report_tz FROM salesorder.rollup_config \gset
SET TimeZone = :'report_tz';
SELECT pg_catalog.to_char(CURRENT_DATE, 'Mon YYYY') AS this_month,
	   pg_catalog.to_char(CURRENT_DATE, 'FMDD Mon YYYY') AS today \gset

\echo 'Sales of the last six months by region, in thousands, after discount'
\echo '(':this_month' is the month so far).  The analyst''s query, pivoted by'
\echo 'psql''s \\crosstabview:'
\pset numericlocale on
SET ROLE salesorder_reporting;
\set ECHO queries
SELECT coalesce(region, 'all regions') AS region,
	   pg_catalog.to_char(month, 'Mon YYYY') AS month,
	   pg_catalog.round(pg_catalog.sum(amount) / 1000) AS amount,
	   pg_catalog.to_char(month, 'YYYYMM')::int AS month_order
FROM salesorder.report_sales
WHERE month >= pg_catalog.date_trunc('month', CURRENT_DATE) - interval '5 months'
GROUP BY GROUPING SETS ((region, month), (month))
ORDER BY region IS NULL, region
\crosstabview region month amount month_order
\set ECHO none

\echo 'By customer segment: the last six complete months against the same six'
\echo 'months a year before.  (Lines, not orders: report_sales counts an order'
\echo 'once in every category it buys from, so orders do not add up across'
\echo 'categories; lines and amounts do.)'
SELECT r.segment,
	   pg_catalog.round(pg_catalog.sum(r.amount) FILTER (WHERE r.month >= m.this_half)) AS amount,
	   pg_catalog.round(100 * pg_catalog.sum(r.amount) FILTER (WHERE r.month >= m.this_half)
						/ pg_catalog.sum(pg_catalog.sum(r.amount) FILTER (WHERE r.month >= m.this_half)) OVER (),
						1) AS share_pct,
	   pg_catalog.sum(r.lines) FILTER (WHERE r.month >= m.this_half) AS lines,
	   pg_catalog.round(pg_catalog.sum(r.amount) FILTER (WHERE r.month < m.last_half_end)) AS year_before,
	   pg_catalog.round(100 * (pg_catalog.sum(r.amount) FILTER (WHERE r.month >= m.this_half)
							   / pg_catalog.sum(r.amount) FILTER (WHERE r.month < m.last_half_end) - 1),
						1) AS change_pct
FROM salesorder.report_sales r,
	 (SELECT (pg_catalog.date_trunc('month', CURRENT_DATE) - interval '6 months')::date AS this_half,
			 (pg_catalog.date_trunc('month', CURRENT_DATE) - interval '18 months')::date AS last_half,
			 (pg_catalog.date_trunc('month', CURRENT_DATE) - interval '12 months')::date AS last_half_end) m
WHERE (r.month >= m.this_half AND r.month < pg_catalog.date_trunc('month', CURRENT_DATE))
   OR (r.month >= m.last_half AND r.month < m.last_half_end)
GROUP BY r.segment
ORDER BY amount DESC;
RESET ROLE;
\pset numericlocale off

-- How long fetching a whole query takes, the best of some runs (x.* makes
-- every column count, so no aggregate can be left out).
CREATE FUNCTION pg_temp.best_ms(query text, runs integer)
RETURNS numeric
LANGUAGE plpgsql AS $fn$
DECLARE
	t0 timestamptz;
	ms numeric;
	best numeric;
BEGIN
	FOR i IN 1 .. runs LOOP
		t0 := pg_catalog.clock_timestamp();
		EXECUTE 'SELECT pg_catalog.count(x.*) FROM (' || query || ') x';
		ms := 1000 * extract(epoch FROM pg_catalog.clock_timestamp() - t0);
		best := LEAST(best, ms);
	END LOOP;
	RETURN CASE WHEN best < 10 THEN pg_catalog.round(best, 1) ELSE pg_catalog.round(best) END;
END
$fn$;

\echo 'The rollup is exact: report_sales equals the plain GROUP BY over the order'
\echo 'tables that defines it (salesorder.report_sales_raw), row for row:'
\set ECHO queries
WITH fast AS (TABLE salesorder.report_sales),
	 raw AS (TABLE salesorder.report_sales_raw)
SELECT (SELECT pg_catalog.count(*) FROM (TABLE fast EXCEPT ALL TABLE raw) a) AS only_in_report_sales,
	   (SELECT pg_catalog.count(*) FROM (TABLE raw EXCEPT ALL TABLE fast) b) AS only_in_raw_group_by;
\set ECHO none
SELECT pg_catalog.count(*) AS report_rows FROM salesorder.report_sales \gset
SELECT pg_catalog.to_char(pg_catalog.count(*), 'FM999,999,999') AS line_count
FROM salesorder.order_line \gset
SELECT pg_temp.best_ms('TABLE salesorder.report_sales', 3) AS rollup_ms,
	   pg_temp.best_ms('TABLE salesorder.report_sales_raw', 1) AS raw_ms \gset
\echo 'but much cheaper: the whole report (':report_rows' rows) took about ':rollup_ms' ms'
\echo 'from the rollup, and ':raw_ms' ms as a GROUP BY over the ':line_count' order lines'
\echo '(the times vary from run to run; the gap grows with the data).'
\echo

\echo 'Order entry only appends signed rows to salesorder.sales_rollup_delta (+1'
\echo 'when an order starts counting, -1 when it stops, -1/+1 around a change;'
\echo 'one row per change, its categories in arrays), so concurrent orders never'
\echo 'wait on each other for a report row.'
\echo 'The background worker folds them into salesorder.sales_rollup every second'
\echo '(salesorder.compact_interval): the deltas have two partitions that take'
\echo 'turns, one folded and then emptied by TRUNCATE while the other is written,'
\echo 'so compaction deletes no row; compact_rollup() folds on demand.  What is'
\echo 'left to fold right now (the worker may have folded it already):'
SELECT pg_catalog.count(DISTINCT d.ctid) AS delta_rows,
	   pg_catalog.count(DISTINCT (d.month, d.region, d.segment, u.category)) AS report_groups,
	   pg_catalog.sum(u.lines) AS net_lines, pg_catalog.sum(u.amount) AS net_amount
FROM salesorder.sales_rollup_delta d
CROSS JOIN LATERAL unnest(d.category, d.lines, d.amount) AS u(category, lines, amount)
WHERE d.slot IS DISTINCT FROM (SELECT c.folded_slot FROM salesorder.rollup_config c);
CREATE TEMP TABLE report_before AS TABLE salesorder.report_sales;
\set ECHO queries
SELECT salesorder.compact_rollup() AS deltas_folded;
\set ECHO none
\echo 'No deltas left to fold, and the report is the same as before, row for row:'
SELECT (SELECT pg_catalog.count(*) FROM salesorder.sales_rollup_delta d
		WHERE d.slot IS DISTINCT FROM (SELECT c.folded_slot FROM salesorder.rollup_config c)) AS delta_rows,
	   (SELECT pg_catalog.count(*) FROM salesorder.sales_rollup) AS rollup_rows,
	   (SELECT pg_catalog.count(*) FROM (TABLE salesorder.report_sales
										 EXCEPT ALL TABLE report_before) a) AS new_rows,
	   (SELECT pg_catalog.count(*) FROM (TABLE report_before
										 EXCEPT ALL TABLE salesorder.report_sales) b) AS gone_rows;

\echo
\echo 'Where is each region heading?  salesorder.report_trend_region fits a'
\echo 'straight line through the region''s monthly sales (the sales_trend'
\echo 'aggregate, in C): slope = change per month, r2 = how much of the ups and'
\echo 'downs the line explains, growth = slope in % of an average month.  The'
\echo 'view takes the complete months of the report: ':this_month', not over'
\echo 'yet, would read as a collapse in sales, so it waits for the month to end.'
\pset numericlocale on
SET ROLE salesorder_reporting;
\set ECHO queries
SELECT region, buckets AS months, first_bucket, last_bucket,
	   pg_catalog.round(slope) AS slope_per_month,
	   pg_catalog.round(r2::numeric, 2) AS r2,
	   pg_catalog.round(growth_pct::numeric, 2) AS growth_pct
FROM salesorder.report_trend_region
ORDER BY region;
\set ECHO none
RESET ROLE;
\echo 'Company-wide, straight from the order lines with the aggregate (same'
\echo 'months; least squares adds up, so the company''s slope is the sum of the'
\echo 'regions'' slopes):'
\set ECHO queries
SELECT t.buckets AS months, t.first_bucket, t.last_bucket,
	   pg_catalog.round(t.slope) AS slope_per_month, pg_catalog.round(t.r2::numeric, 2) AS r2,
	   pg_catalog.round(t.growth_pct::numeric, 2) AS growth_pct,
	   pg_catalog.round(t.mean) AS average_month, t.rows AS order_lines
FROM (SELECT (salesorder.sales_trend(o.created_at, l.amount, 'month')).*
	  FROM salesorder.sales_order o
	  JOIN salesorder.order_line l ON l.order_id = o.id
	  WHERE o.status NOT IN ('draft', 'cancelled', 'rejected')
		AND o.created_at < pg_catalog.date_trunc('month', CURRENT_DATE)) t;
\set ECHO none
-- the same query again (an empty query buffer re-runs the last one), for its numbers
\gset trend_
\echo 'Sales grow by about ':trend_growth_pct' % of an average month every month,'
\echo 'but r2 is only ':trend_r2': most of the ups and downs are the Nov-Dec peak,'
\echo 'which a straight line cannot follow.  A forecast needs the season.'
\echo

\echo 'The forecast for the next six months uses the sales_forecast aggregate'
\echo 'with a yearly season (additive Holt-Winters, period 12 months; the two'
\echo 'years of complete months are what it needs), with a 95 % prediction'
\echo 'interval.  Its first month is ':this_month', which is not over yet:'
\set ECHO queries
CREATE TEMP TABLE demo_forecast AS
SELECT f.*
FROM pg_catalog.unnest((
	SELECT salesorder.sales_forecast(o.created_at, l.amount, 'month', 6, 12)
	FROM salesorder.sales_order o
	JOIN salesorder.order_line l ON l.order_id = o.id
	WHERE o.status NOT IN ('draft', 'cancelled', 'rejected')
	  AND o.created_at < pg_catalog.date_trunc('month', CURRENT_DATE))) f;
\set ECHO none
SELECT f.bucket AS month, pg_catalog.round(f.forecast) AS forecast,
	   pg_catalog.round(f.lower) AS lower, pg_catalog.round(f.upper) AS upper,
	   pg_catalog.round(y.amount) AS a_year_before,
	   pg_catalog.round(100 * (f.forecast / y.amount - 1)::numeric, 1) AS vs_year_before_pct,
	   pg_catalog.round(n.amount) AS so_far
FROM demo_forecast f
LEFT JOIN (SELECT month, pg_catalog.sum(amount) AS amount
		   FROM salesorder.report_sales GROUP BY month) y
	ON y.month = (f.bucket - interval '12 months')::date
LEFT JOIN (SELECT month, pg_catalog.sum(amount) AS amount
		   FROM salesorder.report_sales GROUP BY month) n
	ON n.month = f.bucket
ORDER BY f.step;
SELECT pg_catalog.round(alpha::numeric, 3) AS alpha, pg_catalog.round(beta::numeric, 3) AS beta,
	   pg_catalog.round(gamma::numeric, 3) AS gamma
FROM demo_forecast WHERE step = 1 \gset
\echo '(fitted smoothing parameters: alpha ':alpha', beta ':beta', gamma ':gamma')'
\echo
\echo 'Per region, salesorder.report_forecast_region does the same from the'
\echo 'report''s complete months (forecast in thousands, from ':this_month'):'
SET ROLE salesorder_reporting;
\set ECHO queries
SELECT region, pg_catalog.to_char(month, 'Mon YYYY') AS month,
	   pg_catalog.round(forecast / 1000) AS forecast,
	   pg_catalog.to_char(month, 'YYYYMM')::int AS month_order
FROM salesorder.report_forecast_region
ORDER BY region
\crosstabview region month forecast month_order
\set ECHO none
RESET ROLE;
\pset numericlocale off

\echo
\echo 'The operations side of planning.  flag_delays() flags every open order that'
\echo 'is late or at risk of it (promised within salesorder.at_risk_days and not'
\echo 'shipped), once, with a delayed event.  The background worker runs it every'
\echo '15 minutes (salesorder.flag_delays_interval); called now, it flags what the'
\echo 'worker has not flagged yet:'
\echo
\set ECHO queries
SELECT salesorder.flag_delays() AS orders_flagged;
\set ECHO none
\echo 'Flagged so far, by the worker and by that call:'
SELECT severity, pg_catalog.count(*) AS orders FROM salesorder.delay_flag GROUP BY severity ORDER BY severity;
\echo 'The order pipeline by status and health (salesorder.report_pipeline):'
\pset numericlocale on
SET ROLE salesorder_reporting;
SELECT status, health, orders, pg_catalog.round(amount) AS amount,
	   oldest::date AS oldest, newest::date AS newest
FROM salesorder.report_pipeline
ORDER BY status, health;
\echo 'Late and at-risk orders by region (salesorder.report_delayed):'
SELECT coalesce(region, 'all regions') AS region,
	   pg_catalog.count(*) FILTER (WHERE days_late > 0) AS late,
	   pg_catalog.count(*) FILTER (WHERE at_risk AND NOT days_late > 0) AS at_risk,
	   pg_catalog.max(days_late) AS most_days_late,
	   pg_catalog.round(pg_catalog.sum(total_amount)) AS order_value
FROM salesorder.report_delayed
GROUP BY ROLLUP (region)
ORDER BY GROUPING(region), region;
\echo 'And what waits for a decision (salesorder.report_approvals):'
SELECT department, approver_role, pg_catalog.count(*) AS open_steps,
	   pg_catalog.round(pg_catalog.sum(total_amount)) AS order_value,
	   pg_catalog.date_trunc('hour', pg_catalog.max(waiting_for)) AS longest_wait
FROM salesorder.report_approvals
GROUP BY department, approver_role
ORDER BY department, approver_role;
RESET ROLE;
\pset numericlocale off

\echo
\echo 'A chart for the planning meeting: the monthly history from report_sales'
\echo 'and the forecast with its interval go to a CSV file (COPY ... TO STDOUT'
\echo '\\g file, like \\copy), and gnuplot draws it (demo/forecast.gp).'
-- Paths are relative to the repository: test/run.sh runs psql there.
\set chart_here `test -f demo/forecast.gp && echo true || echo false`
\set have_gnuplot `command -v gnuplot >/dev/null 2>&1 && echo true || echo false`
\if :chart_here
\if :have_gnuplot
\! mkdir -p demo/out
-- One row per month: the last 24 complete months (actual), this month so
-- far (to_date) and the six forecast months; the forecast line starts at
-- the last actual month so that the two lines join.  NaN = no value.
COPY (
	WITH cur AS (
		SELECT pg_catalog.date_trunc('month', CURRENT_DATE)::date AS month
	), hist AS (
		SELECT r.month, pg_catalog.sum(r.amount) AS amount
		FROM salesorder.report_sales r, cur
		WHERE r.month >= (cur.month - interval '24 months')::date
		GROUP BY r.month
	), points AS (
		SELECT h.month,
			   CASE WHEN h.month < cur.month THEN h.amount END AS actual,
			   CASE WHEN h.month = cur.month THEN h.amount END AS to_date,
			   CASE WHEN h.month = (cur.month - interval '1 month')::date THEN h.amount END AS forecast,
			   CASE WHEN h.month = (cur.month - interval '1 month')::date THEN h.amount END AS lower,
			   CASE WHEN h.month = (cur.month - interval '1 month')::date THEN h.amount END AS upper
		FROM hist h, cur
		UNION ALL
		SELECT bucket, NULL, NULL, forecast, lower, upper FROM demo_forecast
	), months AS (
		SELECT month, pg_catalog.max(actual) AS actual, pg_catalog.max(to_date) AS to_date,
			   pg_catalog.max(forecast) AS forecast, pg_catalog.max(lower) AS lower,
			   pg_catalog.max(upper) AS upper
		FROM points GROUP BY month
	)
	SELECT pg_catalog.row_number() OVER (ORDER BY month) - 1 AS idx, month,
		   pg_catalog.to_char(month, 'Mon') AS mon,
		   CASE WHEN extract(month FROM month) = 1 OR month = pg_catalog.min(month) OVER ()
				THEN pg_catalog.to_char(month, 'YYYY') ELSE '' END AS yr,
		   pg_catalog.round(actual / 1e6, 4) AS actual, pg_catalog.round(to_date / 1e6, 4) AS to_date,
		   pg_catalog.round((forecast / 1e6)::numeric, 4) AS forecast,
		   pg_catalog.round((lower / 1e6)::numeric, 4) AS lower,
		   pg_catalog.round((upper / 1e6)::numeric, 4) AS upper
	FROM months
	ORDER BY month
) TO STDOUT WITH (FORMAT csv, HEADER, NULL 'NaN') \g demo/out/forecast.csv
-- x of this month on the chart: the number of history months before it
SELECT pg_catalog.count(DISTINCT month) AS now_x
FROM salesorder.report_sales
WHERE month >= pg_catalog.date_trunc('month', CURRENT_DATE) - interval '24 months'
  AND month < pg_catalog.date_trunc('month', CURRENT_DATE) \gset
\set chart_rc `gnuplot -e "datafile='demo/out/forecast.csv'; outfile='demo/out/forecast.png'; now_x=:now_x; asof=':today'" demo/forecast.gp >demo/out/gnuplot.log 2>&1; echo $?`
SELECT :chart_rc = 0 AS chart_ok \gset
\if :chart_ok
\set chart_path `pwd` '/demo/out/forecast.png'
\echo
\echo 'Chart written to demo/out/forecast.png (':chart_path'):'
\echo 'the last 24 complete months in blue, ':this_month' so far as an open circle,'
\echo 'the six-month forecast dashed in orange inside its shaded 95 % interval.'
\else
\echo 'gnuplot failed (demo/out/gnuplot.log):'
\! cat demo/out/gnuplot.log
DO $$BEGIN RAISE EXCEPTION 'demo: gnuplot could not draw the chart'; END$$;
\endif
\else
\echo '(gnuplot is not installed, so no chart; make demo installs gnuplot-nox.)'
\endif
\else
\echo '(No chart: psql must run in the repository''s directory, as make demo does.)'
\endif

RESET TimeZone;

\echo
\echo '================================================================='
\echo ' 14. Health check'
\echo '================================================================='
\echo 'After all of this, stock still agrees with its ledger and with the'
\echo 'open order lines everywhere (no rows from verify_stock() means healthy):'
\echo
\set ECHO queries
SELECT count(*) AS problems FROM salesorder.verify_stock();
\set ECHO none
\echo 'and the whole data set, two years of history plus this story, still keeps'
\echo 'every invariant (demo/check_data.sql; each count must be 0):'
\ir check_data.sql

\echo 'The orders of this story:'
SELECT o.order_no, c.code AS customer, v.story, o.status, o.revision,
	   o.needs_stock, o.total_amount
FROM (VALUES (:order_id, '2, 5: entered, cancelled'),
			 (:copy_id, '3, 4, 12: reordered, held, changed twice'),
			 (:big_id, '9, 10: approved at two levels, shipped in two parts'),
			 (:gov_id, '9: rejected, revised, resubmitted, approved'),
			 (:bo_id, '11: backordered, filled by a goods receipt')) v(id, story)
JOIN salesorder.sales_order o ON o.id = v.id
JOIN salesorder.customer c ON c.id = o.customer_id
ORDER BY o.id;

\echo 'Every step above was a plain SQL call checked by the database itself:'
\echo 'who may act for which customer, which status moves are legal, who must'
\echo 'approve and in which order, that stock is never promised twice, and'
\echo 'that every change is recorded.'
\echo
\echo 'End of the story.'
