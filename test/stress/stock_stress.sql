-- Set-up of the stock stress test: one warehouse, a few hot SKUs, customers,
-- and stress_step(), one random operation per call.  Expected refusals
-- (SO001 insufficient stock, SO002 a move the order's state forbids) are
-- caught and counted; anything else -- a deadlock above all -- aborts the
-- pgbench client and fails the test.

CREATE EXTENSION salesorder;

INSERT INTO salesorder.warehouse (code, name, region) VALUES ('HOT', 'Hot DC', 'North');
INSERT INTO salesorder.product (sku, name, category, list_price)
SELECT 'HOT-' || i, 'Hot item ' || i, 'hot', 10 * i FROM generate_series(1, 4) i;
INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
	default_ship_to, default_warehouse_id)
SELECT 'S' || i, 'Stress customer ' || i, 'North', 'smb', 1e9, i || ' Load St', 1
FROM generate_series(1, 50) i;
SELECT count(*) FROM salesorder.product p,
	LATERAL salesorder.receive_stock(1, p.id, 200, 'opening') r;

-- What each committed operation did, written in its own transaction: the
-- rows exist exactly when the operation committed.
CREATE TABLE stress_log (kind text NOT NULL, order_id bigint, outcome text NOT NULL);

CREATE FUNCTION stress_pick(statuses salesorder.order_status[]) RETURNS bigint
LANGUAGE sql AS $$
	SELECT id FROM salesorder.sales_order
	WHERE id >= (SELECT floor(random() * coalesce(max(id), 0)) FROM salesorder.sales_order)
	  AND status = ANY (statuses)
	ORDER BY id LIMIT 1
$$;

CREATE FUNCTION stress_step(r integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	kind text;
	oid_ bigint;
	lines jsonb;
BEGIN
	IF r <= 50 THEN
		kind := 'create';
		SELECT jsonb_agg(jsonb_build_object('sku', 'HOT-' || (1 + floor(random() * 4))::int,
											'qty', 1 + floor(random() * 5)::int))
		INTO lines FROM generate_series(1, 1 + floor(random() * 3)::int);
		oid_ := salesorder.create_order(1 + floor(random() * 50)::int, lines,
			jsonb_build_object('backorder', random() < 0.3));
	ELSIF r <= 65 THEN
		kind := 'cancel';
		oid_ := stress_pick('{approved,in_production,on_hold}');
		IF oid_ IS NOT NULL THEN
			PERFORM salesorder.cancel(oid_, 'stress');
		END IF;
	ELSIF r <= 85 THEN
		kind := 'ship';
		oid_ := stress_pick('{approved,in_production,partially_shipped}');
		IF oid_ IS NOT NULL THEN
			IF random() < 0.5 THEN
				PERFORM salesorder.ship(oid_);
			ELSE
				PERFORM salesorder.ship(oid_, jsonb_build_array(
					jsonb_build_object('line_no', 1, 'qty', 1)));
			END IF;
		END IF;
	ELSIF r <= 95 THEN
		kind := 'receive';
		PERFORM salesorder.receive_stock(1, (SELECT id FROM salesorder.product
			ORDER BY random() LIMIT 1), 1 + floor(random() * 20)::int);
	ELSE
		kind := 'complete';
		oid_ := stress_pick('{partially_shipped,shipped}');
		IF oid_ IS NOT NULL THEN
			PERFORM salesorder.complete(oid_);
		END IF;
	END IF;
	INSERT INTO stress_log VALUES (kind, oid_, 'ok');
	RETURN 'ok';
EXCEPTION
	WHEN SQLSTATE 'SO001' OR SQLSTATE 'SO002' OR SQLSTATE '22023' THEN
		-- 22023: a one-unit shipment of a line with nothing left open.
		INSERT INTO stress_log VALUES (kind, oid_, SQLSTATE);
		RETURN SQLSTATE;
END $$;
