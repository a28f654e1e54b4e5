-- Documentation in the catalog, for \d+ and BI tools.

COMMENT ON SCHEMA salesorder IS 'Sales-order engine: orders, approval, stock, change requests, tracking, reports';
COMMENT ON TYPE salesorder.order_status IS 'Lifecycle state of an order; legal moves are the rows of salesorder.status_transition';
COMMENT ON TABLE salesorder.warehouse IS 'Warehouses that hold stock and ship orders';
COMMENT ON TABLE salesorder.customer IS 'Customers with their order defaults (ship-to, warehouse, sales rep) and credit position';
COMMENT ON COLUMN salesorder.customer.segment IS 'Customer type, e.g. enterprise, smb, retail';
COMMENT ON COLUMN salesorder.customer.sales_rep IS 'Role name of the sales rep (or rep group role) who owns the account';
COMMENT ON COLUMN salesorder.customer.on_credit_hold IS 'When true, orders of this customer cannot be submitted (SQLSTATE SO005)';
COMMENT ON TABLE salesorder.product IS 'Sellable products (one row per variant / SKU)';
COMMENT ON COLUMN salesorder.product.attributes IS 'Variant attributes such as style, colour and size';
COMMENT ON TABLE salesorder.stock IS 'Stock per warehouse and product; available = on_hand - reserved';
COMMENT ON TABLE salesorder.stock_movement IS 'Append-only stock ledger: receipts, reservations, releases, shipments, adjustments';
COMMENT ON TABLE salesorder.sales_order IS 'Order headers; created by create_order()/copy_order(), moved by the lifecycle functions';
COMMENT ON COLUMN salesorder.sales_order.hold_from IS 'While on_hold: the state the order returns to on release_hold()';
COMMENT ON COLUMN salesorder.sales_order.status_reason IS 'Why the order reached its current status';
COMMENT ON COLUMN salesorder.sales_order.revision IS 'Incremented by every applied change request';
COMMENT ON COLUMN salesorder.sales_order.total_amount IS 'Sum of the line amounts after discount';
COMMENT ON TABLE salesorder.order_line IS 'Order lines; editable directly only while the order is a draft';
COMMENT ON COLUMN salesorder.order_line.amount IS 'round(qty * unit_price * (100 - discount_pct) / 100, 2)';
COMMENT ON TABLE salesorder.order_status_history IS 'Every status move of every order: from, to, who, when, why';
COMMENT ON TABLE salesorder.status_transition IS 'The legal status moves (the state machine as data)';

COMMENT ON FUNCTION salesorder.create_order(bigint, jsonb, jsonb) IS 'Creates an order from the customer''s defaults and submits it unless options.draft; returns its id';
COMMENT ON FUNCTION salesorder.copy_order(bigint, jsonb) IS 'Reorder: a new order with the lines of an earlier one at today''s prices; returns its id';
COMMENT ON FUNCTION salesorder.submit_order(bigint) IS 'Submits a draft order for approval';
COMMENT ON FUNCTION salesorder.hold(bigint, text) IS 'Puts an order on hold with a reason';
COMMENT ON FUNCTION salesorder.release_hold(bigint) IS 'Returns a held order to the state it was held in';
COMMENT ON FUNCTION salesorder.cancel(bigint, text) IS 'Cancels an order with a reason';
COMMENT ON FUNCTION salesorder.deliver(bigint) IS 'Records delivery of a shipped order';
COMMENT ON FUNCTION salesorder.complete(bigint) IS 'Closes an order';
COMMENT ON FUNCTION salesorder.create_roles() IS 'Creates the salesorder_* group roles if missing and grants them; run once by a DBA';
COMMENT ON FUNCTION salesorder.order_guard() IS 'Trigger: state machine and direct-write rules of sales_order';
COMMENT ON FUNCTION salesorder.order_history() IS 'Trigger: writes order_status_history for every status move';
COMMENT ON FUNCTION salesorder.line_guard() IS 'Trigger: lines are edited directly only in draft; keeps amounts and totals';
COMMENT ON FUNCTION salesorder.ledger_append_only() IS 'Trigger: the stock ledger is written by the stock functions only and never updated, deleted or truncated';
COMMENT ON FUNCTION salesorder.stock_guard() IS 'Trigger: stock quantities change only through the stock functions; a stock row with ledger rows stays, and stock is never truncated';
COMMENT ON FUNCTION salesorder.product_guard() IS 'Trigger: a product that order lines name is not deleted, and product ids never change';
COMMENT ON FUNCTION salesorder.warehouse_guard() IS 'Trigger: a warehouse that orders name is not deleted, and warehouse ids never change';
