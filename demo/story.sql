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

-- The people in the story: the sales reps own the customer accounts
-- (customer.sales_rep).  They are NOLOGIN roles in the salesorder_sales group;
-- an application pool would SET ROLE to them per request.
SELECT pg_catalog.format('CREATE ROLE %I NOLOGIN IN ROLE salesorder_sales', r)
FROM pg_catalog.unnest(ARRAY['rep_alice', 'rep_bob', 'rep_chen', 'rep_dana']) r
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r)
\gexec

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

\echo
\echo '================================================================='
\echo ' 3. "Same again, please": a reorder'
\echo '================================================================='
\echo 'A new order copied from the previous one: same customer, lines, prices'
\echo 'and discounts, a new number, submitted and reserved like any other.'
\echo
\set ECHO queries
SELECT salesorder.copy_order(:order_id) AS copy_id \gset
\set ECHO none
SELECT o.order_no, o.status, s.order_no AS copied_from, o.line_count, o.total_amount
FROM salesorder.sales_order o
LEFT JOIN salesorder.sales_order s ON s.id = o.source_order_id
WHERE o.id = :copy_id;
SELECT l.line_no, p.sku, l.qty, l.unit_price, l.discount_pct, l.amount, l.reserved_qty, l.note
FROM salesorder.order_line l
JOIN salesorder.product p ON p.id = l.product_id
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
\echo 'End of the story.'
