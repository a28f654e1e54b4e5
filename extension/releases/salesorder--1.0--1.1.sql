-- salesorder 1.0 -> 1.1

\echo Use "ALTER EXTENSION salesorder UPDATE TO '1.1'" to load this file. \quit

-- Credit checks and row-level security look up a customer's open orders:
-- a partial index keeps that lookup small however long the history grows.
CREATE INDEX sales_order_open_by_customer_idx ON salesorder.sales_order (customer_id)
	WHERE status IN ('pending_approval', 'approved', 'in_production',
					 'partially_shipped', 'on_hold');
