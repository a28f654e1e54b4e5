-- Set-up of the soak test: master data, approval and change rules, and
-- soak_step(), one random operation of the whole order process per call.
-- Expected refusals are caught and counted; anything else aborts the
-- pgbench client and fails the soak.

CREATE EXTENSION salesorder;
SELECT count(*) >= 0 FROM salesorder.create_roles();
DO $$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'soak_reviewers') THEN
		CREATE ROLE soak_reviewers NOLOGIN;
	END IF;
END $$;
-- One operator does everything here; segregation of duties is relaxed.
DO $$ BEGIN
	EXECUTE format('ALTER DATABASE %I SET salesorder.allow_self_approval = on', current_database());
END $$;
GRANT soak_reviewers TO CURRENT_USER;

INSERT INTO salesorder.warehouse (code, name, region) VALUES ('S1', 'Soak 1', 'North'), ('S2', 'Soak 2', 'South');
INSERT INTO salesorder.product (sku, name, category, list_price)
SELECT 'SOAK-' || i, 'Soak item ' || i, (ARRAY['a', 'b', 'c'])[1 + i % 3], 5 + i
FROM generate_series(1, 40) i;
INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
	default_ship_to, default_warehouse_id)
SELECT 'SC' || i, 'Soak customer ' || i, (ARRAY['North', 'South'])[1 + i % 2],
	   (ARRAY['smb', 'enterprise', 'retail'])[1 + i % 3], 20000, i || ' Soak Rd', 1 + i % 2
FROM generate_series(1, 200) i;
SELECT count(*) FROM salesorder.warehouse w, salesorder.product p,
	LATERAL salesorder.receive_stock(w.id, p.id, 500, 'opening') r;
INSERT INTO salesorder.approval_rule (name, kind, threshold, department, approver_role, level) VALUES
	('large', 'amount_over', 600, 'finance', 'soak_reviewers', 1),
	('very large', 'amount_over', 1200, 'director', 'soak_reviewers', 2),
	('over credit', 'credit_exceeded', NULL, 'finance', 'soak_reviewers', 1),
	('big change', 'change_amount_over', 300, 'finance', 'soak_reviewers', 1),
	('late change', 'change_date', 10, 'logistics', 'soak_reviewers', 1);

CREATE TABLE soak_log (kind text NOT NULL, outcome text NOT NULL);

CREATE FUNCTION soak_pick(statuses salesorder.order_status[]) RETURNS bigint
LANGUAGE sql AS $$
	SELECT id FROM salesorder.sales_order
	WHERE id >= (SELECT floor(random() * coalesce(max(id), 0)) FROM salesorder.sales_order)
	  AND status = ANY (statuses)
	ORDER BY id LIMIT 1
$$;

CREATE FUNCTION soak_step(r integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	kind text;
	o bigint;
	c bigint;
	lines jsonb;
BEGIN
	IF r <= 35 THEN
		kind := 'create';
		SELECT jsonb_agg(jsonb_build_object('sku', 'SOAK-' || (1 + floor(random() * 40))::int,
											'qty', 1 + floor(random() * 6)::int,
											'discount_pct', (ARRAY[0, 0, 5, 12])[1 + floor(random() * 4)::int]))
		INTO lines FROM generate_series(1, 1 + floor(random() * 4)::int);
		PERFORM salesorder.create_order(1 + floor(random() * 200)::int, lines,
			jsonb_build_object('backorder', random() < 0.2,
							   'promised_date', (current_date + floor(random() * 30)::int)::text));
	ELSIF r <= 50 THEN
		kind := 'approve';
		o := soak_pick('{pending_approval}');
		IF o IS NOT NULL THEN
			IF random() < 0.85 THEN
				PERFORM salesorder.approve(o, 'soak');
			ELSE
				PERFORM salesorder.reject(o, 'soak says no');
			END IF;
		END IF;
	ELSIF r <= 58 THEN
		kind := 'revise';
		o := soak_pick('{rejected}');
		IF o IS NOT NULL THEN
			PERFORM salesorder.revise(o);
			PERFORM salesorder.submit_order(o);
		END IF;
	ELSIF r <= 68 THEN
		kind := 'change';
		o := soak_pick('{approved,in_production,partially_shipped}');
		IF o IS NOT NULL THEN
			c := salesorder.request_change(o, CASE floor(random() * 3)::int
				WHEN 0 THEN jsonb_build_object('lines', jsonb_build_array(
					jsonb_build_object('line_no', 1, 'qty', 1 + floor(random() * 8)::int)))
				WHEN 1 THEN jsonb_build_object('promised_date', (current_date + floor(random() * 40)::int)::text)
				ELSE jsonb_build_object('add_lines', jsonb_build_array(jsonb_build_object(
					'sku', 'SOAK-' || (1 + floor(random() * 40))::int, 'qty', 1 + floor(random() * 3)::int)))
				END, 'soak change');
			IF random() < 0.7 THEN
				PERFORM salesorder.approve_change(c, 'ok')
				FROM salesorder.change_request WHERE id = c AND status = 'pending';
			END IF;
		END IF;
	ELSIF r <= 82 THEN
		kind := 'ship';
		o := soak_pick('{approved,in_production,partially_shipped}');
		IF o IS NOT NULL THEN
			PERFORM salesorder.ship(o, CASE WHEN random() < 0.5 THEN NULL ELSE
				jsonb_build_array(jsonb_build_object('line_no', 1, 'qty', 1)) END);
		END IF;
	ELSIF r <= 88 THEN
		kind := 'cancel';
		o := soak_pick('{pending_approval,approved,in_production,on_hold}');
		IF o IS NOT NULL THEN
			PERFORM salesorder.cancel(o, 'soak cancel');
		END IF;
	ELSIF r <= 93 THEN
		kind := 'receive';
		PERFORM salesorder.receive_stock(1 + floor(random() * 2)::int,
			(SELECT id FROM salesorder.product ORDER BY random() LIMIT 1), 5 + floor(random() * 40)::int);
	ELSIF r <= 96 THEN
		kind := 'close';
		o := soak_pick('{partially_shipped,shipped,delivered}');
		IF o IS NOT NULL THEN
			PERFORM salesorder.complete(o);
		END IF;
	ELSE
		kind := 'housekeeping';
		IF random() < 0.5 THEN
			PERFORM salesorder.compact_rollup();
		ELSE
			PERFORM salesorder.flag_delays();
		END IF;
	END IF;
	INSERT INTO soak_log VALUES (kind, 'ok');
	RETURN 'ok';
EXCEPTION
	WHEN SQLSTATE 'SO001' OR SQLSTATE 'SO002' OR SQLSTATE 'SO003' OR SQLSTATE 'SO004'
		 OR SQLSTATE 'SO006' OR SQLSTATE '22023' THEN
		INSERT INTO soak_log VALUES (kind, SQLSTATE);
		RETURN SQLSTATE;
END $$;
