-- demo/data.sql -- two years of realistic order history for the salesorder demo.
--
-- Included by demo/demo.sql (\ir data.sql) right after CREATE EXTENSION.  The
-- whole data set is generated set-based in ONE transaction (about 10 s on a
-- small, busy 2-core machine; most of it is writing the ~640,000 rows):
--
--   4 warehouses (North, South, East, West)
--   600 customers in 5 segments, each with a default ship-to address, a
--       default warehouse in its region and a sales rep (rep_alice .. rep_dana)
--   801 SKUs: 40 base models in 6 categories x colours x sizes
--   stock for every (warehouse, SKU) with its ledger in stock_movement
--   ~40,000 orders (psql variable demo_orders) with ~120,000 lines over the
--       24 full months before the current one and the current month so far
--       (two years of complete months, so that a forecast with a yearly
--       season has two seasons to learn from): +20 % a year, a Nov-Dec peak,
--       quiet weekends; statuses by age, each with its full status history,
--       reservations and shipments
--   an open approval step for every order waiting for approval
--   the sales rollup behind the report views (salesorder.rebuild_rollup())
--
-- Orders must normally be created through salesorder.create_order(), and the
-- guard triggers reject direct INSERTs.  A historical bulk load is the one
-- exception: session_replication_role = replica skips the (non-ALWAYS)
-- triggers and the foreign-key checks for this transaction only, so this
-- script itself keeps every invariant the triggers and verify_stock() check:
--
--   * every status history follows salesorder.status_transition;
--   * hold_from is set exactly for on_hold orders;
--   * shipped_qty + reserved_qty <= qty, with reserved_qty > 0 only on open
--     orders (pending_approval, approved, in_production, partially_shipped and
--     on_hold from one of those);
--   * stock.reserved = sum of the reserved_qty of the lines of that warehouse;
--   * stock.on_hand  = sum of the ledger's on_hand_delta, and 0 <= reserved <= on_hand;
--   * the ledger holds physical movements only (receipts, shipments): a
--     reservation is the line's reserved_qty, no ledger row.
--
-- Randomness is hash-based (pg_temp.u(key, salt) in [0, 1)), so the data set
-- does not depend on the plan or on the order rows are produced in; only the
-- dates move with the day the demo is run ("two years ending today", from
-- the first of the month 24 months ago).

-- The number of orders can be set from outside for a quicker or a bigger
-- demo, e.g. psql -v demo_orders=10000; the default is 40,000 (~120,000 lines).
\if :{?demo_orders}
\else
\set demo_orders 40000
\endif

\echo 'Loading demo data: 4 warehouses, 600 customers, 801 SKUs and about ':demo_orders' orders over 2 years ...'
SELECT pg_catalog.clock_timestamp() AS demo_load_start,
	   (pg_catalog.date_trunc('month', CURRENT_DATE) - interval '24 months')::date AS demo_first_day \gset

BEGIN;

-- Bulk historical load: no triggers, no FK checks (see above).  SET LOCAL
-- ends with this transaction.
SET LOCAL session_replication_role = replica;
SET LOCAL work_mem = '256MB';
-- (temp_buffers can only be set before the session first uses a temp table)
SET LOCAL temp_buffers = '512MB';
SET LOCAL synchronous_commit = off;
SET LOCAL jit = off;

-- Deterministic uniform pseudo-random number in [0, 1) for (key, salt).
CREATE FUNCTION pg_temp.u(k bigint, salt integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (pg_catalog.hashint8extended(k, salt) & 9007199254740991)::double precision
       / 9007199254740992.0;

---------------------------------------------------------------------------
-- Warehouses and regions
---------------------------------------------------------------------------

INSERT INTO salesorder.warehouse (id, code, name, region) VALUES
	(1, 'WH-N', 'North Distribution Center, Minneapolis MN', 'North'),
	(2, 'WH-S', 'South Distribution Center, Atlanta GA',     'South'),
	(3, 'WH-E', 'East Distribution Center, Newark NJ',       'East'),
	(4, 'WH-W', 'West Distribution Center, Reno NV',         'West');

-- One sales rep per region (plain role names; the roles need not exist).
CREATE TEMP TABLE tmp_region ON COMMIT DROP AS
SELECT * FROM (VALUES
	('North', 1::bigint, 'rep_alice', 'wh_north'),
	('South', 2::bigint, 'rep_bob',   'wh_south'),
	('East',  3::bigint, 'rep_chen',  'wh_east'),
	('West',  4::bigint, 'rep_dana',  'wh_west')
) v(region, warehouse_id, rep, wh_user);

CREATE TEMP TABLE tmp_city ON COMMIT DROP AS
SELECT * FROM (VALUES
	( 0, 'North', 'Minneapolis',   'MN', '554'), ( 1, 'North', 'Saint Paul',   'MN', '551'),
	( 2, 'North', 'Milwaukee',     'WI', '532'), ( 3, 'North', 'Madison',      'WI', '537'),
	( 4, 'North', 'Fargo',         'ND', '581'), ( 5, 'North', 'Des Moines',   'IA', '503'),
	( 6, 'South', 'Atlanta',       'GA', '303'), ( 7, 'South', 'Houston',      'TX', '770'),
	( 8, 'South', 'Dallas',        'TX', '752'), ( 9, 'South', 'Nashville',    'TN', '372'),
	(10, 'South', 'New Orleans',   'LA', '701'), (11, 'South', 'Charlotte',    'NC', '282'),
	(12, 'East',  'Newark',        'NJ', '071'), (13, 'East',  'New York',     'NY', '100'),
	(14, 'East',  'Boston',        'MA', '021'), (15, 'East',  'Philadelphia', 'PA', '191'),
	(16, 'East',  'Baltimore',     'MD', '212'), (17, 'East',  'Hartford',     'CT', '061'),
	(18, 'West',  'Reno',          'NV', '895'), (19, 'West',  'Seattle',      'WA', '981'),
	(20, 'West',  'Portland',      'OR', '972'), (21, 'West',  'San Francisco','CA', '941'),
	(22, 'West',  'Denver',        'CO', '802'), (23, 'West',  'Phoenix',      'AZ', '850')
) v(idx, region, city, state, zip3);

---------------------------------------------------------------------------
-- Customers: 600 in 5 segments.  Names are unique by construction:
-- (word, suffix) = (n*17 mod 40, (n/40 + n) mod 7) for the n-th customer of
-- a segment; government bodies are named after their city.
---------------------------------------------------------------------------

CREATE TEMP TABLE tmp_cust ON COMMIT DROP AS
WITH base AS (
	SELECT g AS id,
		   CASE WHEN h.u < 0.15 THEN 'enterprise'
				WHEN h.u < 0.30 THEN 'distributor'
				WHEN h.u < 0.40 THEN 'government'
				WHEN h.u < 0.70 THEN 'smb'
				ELSE 'retail' END AS segment
	FROM pg_catalog.generate_series(1, 600) g,
		 LATERAL (SELECT pg_temp.u(g, 1) AS u) h
), numbered AS (
	SELECT b.*, (pg_catalog.row_number() OVER (PARTITION BY b.segment ORDER BY b.id) - 1)::int AS n
	FROM base b
)
SELECT n.id, n.segment, c.region, c.city, c.state, c.zip3, r.warehouse_id, r.rep,
	   CASE n.segment
		 WHEN 'government' THEN pg_catalog.format(
			(ARRAY['City of %s', '%s Public Schools', '%s Fire Department',
				   '%s Police Department', '%s Parks & Recreation',
				   '%s Transit Authority', '%s Public Works'])[(n.n / 24 + n.n) % 7 + 1],
			c.city)
		 ELSE (ARRAY['Summit', 'Harbor', 'Pioneer', 'Cedar', 'Granite', 'Blue Ridge',
					 'Northwind', 'Silver Lake', 'Redwood', 'Maple Leaf', 'Ironwood',
					 'Lakeside', 'Evergreen', 'Prairie', 'Coastal', 'Highland',
					 'Riverbend', 'Oak Hill', 'Sunset', 'Meridian', 'Atlas', 'Beacon',
					 'Keystone', 'Crescent', 'Willow Creek', 'Falcon', 'Aspen', 'Horizon',
					 'Liberty', 'Canyon', 'Bayview', 'Stonebridge', 'Frontier', 'Sterling',
					 'Union Square', 'Copperfield', 'Juniper', 'Vista', 'Cardinal',
					 'Timberline'])[(n.n * 17 + CASE n.segment WHEN 'distributor' THEN 11
												WHEN 'smb' THEN 23 WHEN 'retail' THEN 31
												ELSE 0 END) % 40 + 1]
			  || ' ' ||
			  (CASE n.segment
				 WHEN 'enterprise' THEN ARRAY['Hotels & Resorts', 'Logistics Inc.',
					'Health System', 'Energy Corp.', 'Airlines', 'Construction Group',
					'Manufacturing Co.']
				 WHEN 'distributor' THEN ARRAY['Wholesale', 'Distribution Inc.',
					'Supply Co.', 'Trading Company', 'Merchandise Partners',
					'Apparel Wholesale', 'Brands Distribution']
				 WHEN 'smb' THEN ARRAY['Outfitters', 'Print & Embroidery', 'Team Sports',
					'Workwear LLC', 'Promotions', 'Uniform Co.', 'Event Services']
				 ELSE ARRAY['Boutique', 'Apparel', 'Outdoor Store', 'Shoe Shop',
					'Trading Post', 'Clothing Co.', 'Menswear']
			   END)[(n.n / 40 + n.n) % 7 + 1]
	   END AS name,
	   (100 + pg_catalog.floor(pg_temp.u(n.id, 3) * 9800))::int::text || ' ' ||
	   (ARRAY['Main St', 'Commerce Blvd', 'Industrial Pkwy', 'Lake St', 'Market St',
			  'Park Ave', 'Washington Ave', 'Harbor Dr', 'Mill Rd', 'Pine St', 'Elm St',
			  'Airport Rd', 'River Rd', 'Technology Dr', 'Center St', 'Broadway'])
		   [pg_catalog.floor(pg_temp.u(n.id, 4) * 16)::int + 1]
	   || ', ' || c.city || ', ' || c.state || ' ' || c.zip3
	   || pg_catalog.lpad(pg_catalog.floor(pg_temp.u(n.id, 5) * 100)::int::text, 2, '0') AS address,
	   CASE n.segment
		 WHEN 'enterprise'  THEN 250000 + 50000 * pg_catalog.floor(pg_temp.u(n.id, 6) * 6)
		 WHEN 'distributor' THEN 150000 + 25000 * pg_catalog.floor(pg_temp.u(n.id, 6) * 7)
		 WHEN 'government'  THEN 100000 + 25000 * pg_catalog.floor(pg_temp.u(n.id, 6) * 5)
		 WHEN 'smb'         THEN  20000 +  5000 * pg_catalog.floor(pg_temp.u(n.id, 6) * 10)
		 ELSE                     10000 +  2500 * pg_catalog.floor(pg_temp.u(n.id, 6) * 8)
	   END AS credit_limit,
	   pg_temp.u(n.id, 7) < 0.025 AS on_credit_hold,
	   -- order volume weight: by segment, with a long tail of big accounts
	   CASE n.segment WHEN 'distributor' THEN 4.0 WHEN 'enterprise' THEN 3.0
					  WHEN 'government' THEN 1.5 WHEN 'smb' THEN 1.0 ELSE 0.7 END
		 / (0.05 + pg_temp.u(n.id, 8)) AS weight
FROM numbered n
JOIN tmp_city c ON c.idx = CASE WHEN n.segment = 'government' THEN n.n % 24
								ELSE pg_catalog.floor(pg_temp.u(n.id, 2) * 24)::int END
JOIN tmp_region r ON r.region = c.region;

-- The addressee line makes big accounts look like big accounts.
INSERT INTO salesorder.customer
	(id, code, name, region, segment, credit_limit, on_credit_hold,
	 default_ship_to, default_warehouse_id, sales_rep, created_at)
SELECT id, 'CUST-' || pg_catalog.lpad(id::text, 5, '0'), name, region, segment,
	   credit_limit, on_credit_hold,
	   CASE WHEN segment IN ('enterprise', 'government', 'distributor')
			THEN 'Receiving, ' || address ELSE address END,
	   warehouse_id, rep,
	   pg_catalog.now() - pg_catalog.make_interval(days => 770 + pg_catalog.floor(pg_temp.u(id, 9) * 1500)::int)
FROM tmp_cust
ORDER BY id;

---------------------------------------------------------------------------
-- Products: 40 models x colours x sizes = 801 SKUs like JKT-ALPINE-BLK-M
---------------------------------------------------------------------------

CREATE TEMP TABLE tmp_colour ON COMMIT DROP AS
SELECT * FROM (VALUES
	('BLK', 'Black'), ('NAV', 'Navy'), ('GRY', 'Heather Grey'), ('WHT', 'White'),
	('RED', 'Red'), ('GRN', 'Forest Green'), ('BRN', 'Brown'), ('OLV', 'Olive'),
	('BLU', 'Sky Blue'), ('TAN', 'Tan'), ('KHK', 'Khaki'), ('BRG', 'Burgundy'),
	('CML', 'Camel'), ('PNK', 'Pink'), ('CHR', 'Charcoal'), ('ORG', 'Orange'),
	('YEL', 'Yellow')
) v(code, name);

CREATE TEMP TABLE tmp_model ON COMMIT DROP AS
SELECT * FROM (VALUES
	( 1, 'shirts',      'SHT', 'OXFORD',    'Oxford Shirt',        49.00, 4, '{WHT,BLU,PNK,GRY}'),
	( 2, 'shirts',      'SHT', 'POLO',      'Pique Polo',          34.00, 5, '{NAV,WHT,BLK,RED}'),
	( 3, 'shirts',      'SHT', 'LINEN',     'Linen Shirt',         59.00, 2, '{WHT,BLU,KHK,OLV}'),
	( 4, 'shirts',      'SHT', 'FLANNEL',   'Flannel Shirt',       54.00, 3, '{RED,GRN,NAV,GRY}'),
	( 5, 'shirts',      'SHT', 'TEE',       'Organic Tee',         19.00, 5, '{BLK,WHT,GRY,NAV}'),
	( 6, 'shirts',      'SHT', 'HENLEY',    'Henley',              39.00, 2, '{CHR,OLV,BRG,WHT}'),
	( 7, 'shirts',      'SHT', 'CHAMBRAY',  'Chambray Shirt',      64.00, 2, '{BLU,NAV,GRY,WHT}'),
	( 8, 'jackets',     'JKT', 'ALPINE',    'Alpine Jacket',      189.00, 4, '{BLK,NAV,RED,GRN}'),
	( 9, 'jackets',     'JKT', 'BOMBER',    'Bomber Jacket',      149.00, 3, '{BLK,OLV,NAV,BRG}'),
	(10, 'jackets',     'JKT', 'DENIM',     'Denim Jacket',       119.00, 3, '{BLU,BLK,GRY,WHT}'),
	(11, 'jackets',     'JKT', 'FIELD',     'Field Jacket',       169.00, 2, '{OLV,KHK,NAV,BLK}'),
	(12, 'jackets',     'JKT', 'SOFTSHELL', 'Softshell Jacket',   139.00, 4, '{BLK,CHR,NAV,RED}'),
	(13, 'jackets',     'JKT', 'RAIN',      'Rain Jacket',         99.00, 3, '{YEL,NAV,BLK,GRN}'),
	(14, 'jackets',     'JKT', 'FLEECE',    'Fleece Jacket',       79.00, 5, '{GRY,NAV,BLK,RED}'),
	(15, 'outerwear',   'OUT', 'PARKA',     'Arctic Parka',       349.00, 3, '{BLK,NAV,OLV,RED}'),
	(16, 'outerwear',   'OUT', 'PUFFER',    'Down Puffer',        229.00, 4, '{BLK,NAV,RED,CHR}'),
	(17, 'outerwear',   'OUT', 'TRENCH',    'Trench Coat',        259.00, 2, '{KHK,BLK,NAV,CML}'),
	(18, 'outerwear',   'OUT', 'PEACOAT',   'Wool Peacoat',       279.00, 2, '{NAV,CHR,BLK,CML}'),
	(19, 'outerwear',   'OUT', 'VEST',      'Insulated Vest',     119.00, 3, '{BLK,NAV,OLV,ORG}'),
	(20, 'outerwear',   'OUT', 'ANORAK',    'Anorak',             179.00, 2, '{GRN,NAV,ORG,BLK}'),
	(21, 'shoes',       'SHO', 'TRAIL',     'Trail Runner',       129.00, 4, '{BLK,GRY,BLU,ORG}'),
	(22, 'shoes',       'SHO', 'OXFORD',    'Leather Oxford',     159.00, 2, '{BLK,BRN,TAN,BRG}'),
	(23, 'shoes',       'SHO', 'CHELSEA',   'Chelsea Boot',       179.00, 3, '{BRN,BLK,TAN,CHR}'),
	(24, 'shoes',       'SHO', 'COURT',     'Court Sneaker',       89.00, 5, '{WHT,BLK,NAV,GRY}'),
	(25, 'shoes',       'SHO', 'SAFETY',    'Safety Work Boot',   149.00, 4, '{BLK,BRN,TAN,KHK}'),
	(26, 'shoes',       'SHO', 'LOAFER',    'Suede Loafer',       139.00, 2, '{TAN,BRN,NAV,BLK}'),
	(27, 'shoes',       'SHO', 'HIKER',     'Hiking Boot',        169.00, 3, '{BRN,GRY,OLV,BLK}'),
	(28, 'bags',        'BAG', 'VOYAGER',   'Voyager Duffel',     129.00, 3, '{BLK,NAV,OLV,TAN,RED}'),
	(29, 'bags',        'BAG', 'COMMUTER',  'Commuter Backpack',   99.00, 5, '{BLK,GRY,NAV,GRN,BRG}'),
	(30, 'bags',        'BAG', 'TOTE',      'Canvas Tote',         39.00, 4, '{KHK,NAV,BLK,RED,WHT}'),
	(31, 'bags',        'BAG', 'MESSENGER', 'Messenger Bag',       89.00, 2, '{BRN,BLK,OLV,NAV,GRY}'),
	(32, 'bags',        'BAG', 'SLING',     'Sling Bag',           49.00, 3, '{BLK,GRY,ORG,NAV,OLV}'),
	(33, 'bags',        'BAG', 'ROLLER',    'Roller Carry-on',    229.00, 2, '{BLK,NAV,GRY,RED,CHR}'),
	(34, 'bags',        'BAG', 'LAPTOP',    'Laptop Sleeve',       35.00, 3, '{GRY,BLK,NAV,TAN,CML}'),
	(35, 'accessories', 'ACC', 'BEANIE',    'Merino Beanie',       24.00, 5, '{BLK,GRY,NAV,RED}'),
	(36, 'accessories', 'ACC', 'GLOVES',    'Touchscreen Gloves',  29.00, 4, '{BLK,GRY,BRN,NAV}'),
	(37, 'accessories', 'ACC', 'SCARF',     'Cashmere Scarf',      69.00, 2, '{CML,GRY,BRG,NAV}'),
	(38, 'accessories', 'ACC', 'BELT',      'Leather Belt',        45.00, 3, '{BLK,BRN,TAN,BRG}'),
	(39, 'accessories', 'ACC', 'CAP',       'Baseball Cap',        22.00, 4, '{NAV,BLK,RED,KHK}'),
	(40, 'accessories', 'ACC', 'SOCKS',     'Wool Socks 3-Pack',   18.00, 5, '{GRY,BLK,NAV,OLV}')
) v(model_no, category, prefix, model, title, base_price, popularity, colours);

-- Sizes per category: surcharge on the list price and a popularity weight.
CREATE TEMP TABLE tmp_size ON COMMIT DROP AS
SELECT * FROM (VALUES
	('shirts', 1, 'XS', 0.00, 1.0), ('shirts', 2, 'S', 0.00, 2.0), ('shirts', 3, 'M', 0.00, 3.0),
	('shirts', 4, 'L', 0.00, 3.0), ('shirts', 5, 'XL', 4.00, 2.0),
	('jackets', 1, 'S', 0.00, 2.0), ('jackets', 2, 'M', 0.00, 3.0), ('jackets', 3, 'L', 0.00, 3.0),
	('jackets', 4, 'XL', 10.00, 2.0), ('jackets', 5, 'XXL', 15.00, 1.0),
	('outerwear', 1, 'S', 0.00, 2.0), ('outerwear', 2, 'M', 0.00, 3.0), ('outerwear', 3, 'L', 0.00, 3.0),
	('outerwear', 4, 'XL', 10.00, 2.0), ('outerwear', 5, 'XXL', 15.00, 1.0),
	('shoes', 1, '39', 0.00, 1.0), ('shoes', 2, '40', 0.00, 1.5), ('shoes', 3, '41', 0.00, 2.5),
	('shoes', 4, '42', 0.00, 3.0), ('shoes', 5, '43', 0.00, 3.0), ('shoes', 6, '44', 0.00, 2.5),
	('shoes', 7, '45', 0.00, 1.5), ('shoes', 8, '46', 0.00, 1.0),
	('bags', 1, 'S', 0.00, 1.0), ('bags', 2, 'M', 20.00, 2.0), ('bags', 3, 'L', 40.00, 1.0),
	('accessories', 1, 'S', 0.00, 1.0), ('accessories', 2, 'M', 0.00, 2.0),
	('accessories', 3, 'L', 0.00, 1.0)
) v(category, ord, size, surcharge, weight);

CREATE TEMP TABLE tmp_product ON COMMIT DROP AS
SELECT (pg_catalog.row_number() OVER (ORDER BY m.model_no, c.ord, s.ord))::bigint AS id,
	   m.prefix || '-' || m.model || '-' || c.code || '-' || s.size AS sku,
	   m.title || ', ' || col.name || ', ' ||
		   CASE WHEN m.category = 'shoes' THEN 'size ' ELSE '' END || s.size AS name,
	   m.category, m.title, c.code AS colour_code, col.name AS colour, s.size,
	   (m.base_price + s.surcharge)::numeric(14,4) AS list_price,
	   m.popularity * s.weight * CASE WHEN c.ord = 1 THEN 2.0 ELSE 1.0 END AS weight
FROM tmp_model m
CROSS JOIN LATERAL pg_catalog.unnest(m.colours::text[]) WITH ORDINALITY AS c(code, ord)
JOIN tmp_colour col ON col.code = c.code
JOIN tmp_size s ON s.category = m.category;
ANALYZE tmp_product;

INSERT INTO salesorder.product (id, sku, name, category, list_price, attributes)
SELECT id, sku, name, category, list_price,
	   pg_catalog.jsonb_build_object('model', title, 'colour', colour,
									 'colour_code', colour_code, 'size', size)
FROM tmp_product
ORDER BY id;

---------------------------------------------------------------------------
-- Weighted pickers: customer by volume weight, product by popularity with a
-- cold-season mix (outerwear and jackets sell in Oct-Feb, shirts in summer).
-- Each item gets a share of 20,000 slots proportional to its weight (every
-- slot belongs to exactly one item); a pick is the slot floor(u * 20000),
-- found by a plain (hash) join.
---------------------------------------------------------------------------

CREATE TEMP TABLE tmp_cslot ON COMMIT DROP AS
WITH w AS (
	SELECT active_only, customer_id,
		   pg_catalog.round(20000 * pg_catalog.sum(weight) OVER (PARTITION BY active_only ORDER BY customer_id)
							/ pg_catalog.sum(weight) OVER (PARTITION BY active_only))::int AS hi
	FROM (SELECT false AS active_only, id AS customer_id, weight FROM tmp_cust
		  UNION ALL
		  -- customers on credit hold get no new orders in the last weeks
		  SELECT true, id, weight FROM tmp_cust WHERE NOT on_credit_hold) x
), r AS (
	-- contiguous ranges [lo, hi) covering 0 .. 19999
	SELECT active_only, customer_id,
		   coalesce(pg_catalog.lag(hi) OVER (PARTITION BY active_only ORDER BY customer_id), 0) AS lo,
		   CASE WHEN pg_catalog.lead(hi) OVER (PARTITION BY active_only ORDER BY customer_id) IS NULL
				THEN 20000 ELSE hi END AS hi
	FROM w
)
SELECT r.active_only, r.customer_id, slot
FROM r, pg_catalog.generate_series(r.lo, r.hi - 1) slot;

CREATE TEMP TABLE tmp_pslot ON COMMIT DROP AS
WITH w AS (
	SELECT s.cold, p.id AS product_id,
		   p.weight * CASE
			 WHEN s.cold THEN CASE p.category WHEN 'outerwear' THEN 2.0 WHEN 'jackets' THEN 1.3
											   WHEN 'shirts' THEN 0.8 ELSE 1.0 END
			 ELSE CASE p.category WHEN 'outerwear' THEN 0.6 WHEN 'jackets' THEN 0.9
								  WHEN 'shirts' THEN 1.3 ELSE 1.0 END
		   END AS w
	FROM tmp_product p CROSS JOIN (VALUES (true), (false)) s(cold)
), c AS (
	SELECT cold, product_id,
		   pg_catalog.round(20000 * pg_catalog.sum(w) OVER (PARTITION BY cold ORDER BY product_id)
							/ pg_catalog.sum(w) OVER (PARTITION BY cold))::int AS hi
	FROM w
), r AS (
	-- contiguous ranges [lo, hi) covering 0 .. 19999
	SELECT cold, product_id,
		   coalesce(pg_catalog.lag(hi) OVER (PARTITION BY cold ORDER BY product_id), 0) AS lo,
		   CASE WHEN pg_catalog.lead(hi) OVER (PARTITION BY cold ORDER BY product_id) IS NULL
				THEN 20000 ELSE hi END AS hi
	FROM c
)
SELECT r.cold, r.product_id, slot
FROM r, pg_catalog.generate_series(r.lo, r.hi - 1) slot;

---------------------------------------------------------------------------
-- Order headers: ~40,000 from demo_first_day (the first of the month 24
-- months ago) to today, 731 to 761 days.  Orders per day follow a
-- trend of +20 % a year, a seasonal peak around late November / December,
-- a weekly pattern (quiet weekends) and day-to-day noise.
---------------------------------------------------------------------------

CREATE TEMP TABLE tmp_order0 ON COMMIT DROP AS
WITH d AS (
	SELECT i, :'demo_first_day'::date + i AS day
	FROM pg_catalog.generate_series(0, CURRENT_DATE - :'demo_first_day'::date) i
), w AS (
	SELECT i, day,
		   pg_catalog.power(1.2, i / 365.0)
		   * (0.9 + 0.6 * pg_catalog.exp(-pg_catalog.power(
				 LEAST(abs(extract(doy FROM day) - 335), 365 - abs(extract(doy FROM day) - 335)) / 35.0, 2)))
		   * (ARRAY[0.25, 1.10, 1.15, 1.10, 1.05, 0.95, 0.40])[extract(dow FROM day)::int + 1]
		   * (0.80 + 0.40 * pg_temp.u(i, 10)) AS w
	FROM d
), days AS (
	SELECT i, day, pg_catalog.round(:demo_orders * w / pg_catalog.sum(w) OVER ())::int AS n
	FROM w
), raw0 AS (
	SELECT days.i * 1000 + k AS key,
		   -- business hours 07:00-18:00 local time
		   (days.day + pg_catalog.make_interval(secs => 25200 + 39600 * pg_temp.u(days.i * 1000 + k, 11)))::timestamptz AS t,
		   pg_temp.u(days.i * 1000 + k, 15) AS ut
	FROM days, pg_catalog.generate_series(1, days.n) k
), raw AS (
	-- today's orders that would lie in the future came in during the last
	-- few hours instead
	SELECT key,
		   CASE WHEN t < pg_catalog.now() THEN t
				ELSE pg_catalog.now() - LEAST(interval '3 hours', pg_catalog.now() - CURRENT_DATE::timestamptz)
										* (0.02 + 0.96 * ut)
		   END AS created_at
	FROM raw0
)
SELECT (pg_catalog.row_number() OVER (ORDER BY created_at, key))::bigint AS id,
	   created_at,
	   -- the autumn/winter range sells from October to February, with a
	   -- changeover in September and March-April
	   pg_temp.u(key, 14) < (ARRAY[1.0, 1.0, 0.5, 0.15, 0, 0, 0, 0.05, 0.3, 0.7, 1.0, 1.0])
							  [extract(month FROM created_at)::int] AS cold,
	   pg_catalog.now() - created_at < interval '21 days' AS recent,
	   pg_temp.u(key, 12) AS r_cust,
	   -- 1-6 lines, mostly few
	   CASE WHEN pg_temp.u(key, 13) < 0.20 THEN 1 WHEN pg_temp.u(key, 13) < 0.44 THEN 2
			WHEN pg_temp.u(key, 13) < 0.66 THEN 3 WHEN pg_temp.u(key, 13) < 0.80 THEN 4
			WHEN pg_temp.u(key, 13) < 0.91 THEN 5 ELSE 6 END AS n_lines
FROM raw;

CREATE TEMP TABLE tmp_order1 ON COMMIT DROP AS
SELECT o.id, o.created_at, o.cold, o.n_lines, c.id AS customer_id, c.segment,
	   c.warehouse_id, c.rep, c.region
FROM tmp_order0 o
JOIN tmp_cslot cs ON cs.active_only = o.recent
				 AND cs.slot = pg_catalog.floor(o.r_cust * 20000)::int
JOIN tmp_cust c ON c.id = cs.customer_id;
ANALYZE tmp_order1;

---------------------------------------------------------------------------
-- Lines: product by the weighted picker, one line per product in an order,
-- qty 1-20 (bigger for distributors and enterprises), price = list price,
-- discount 0 mostly, 5 or 10 % sometimes.
---------------------------------------------------------------------------

CREATE TEMP TABLE tmp_line ON COMMIT DROP AS
WITH cand AS (
	SELECT o.id AS order_id, k, o.customer_id, o.segment, ps.product_id,
		   o.id * 8 + k AS key
	FROM tmp_order1 o
	CROSS JOIN LATERAL pg_catalog.generate_series(1, o.n_lines) k
	JOIN tmp_pslot ps ON ps.cold = o.cold
					 AND ps.slot = pg_catalog.floor(pg_temp.u(o.id * 8 + k, 20) * 20000)::int
), dedup AS (
	SELECT DISTINCT ON (order_id, product_id) * FROM cand ORDER BY order_id, product_id, k
), l AS (
	SELECT d.order_id,
		   (pg_catalog.row_number() OVER (PARTITION BY d.order_id ORDER BY d.k))::int AS line_no,
		   d.customer_id, d.product_id, p.list_price AS unit_price,
		   (1 + pg_catalog.floor(20 * pg_catalog.power(pg_temp.u(d.key, 21),
				CASE d.segment WHEN 'distributor' THEN 0.8 WHEN 'enterprise' THEN 1.0
							   WHEN 'government' THEN 1.2 WHEN 'smb' THEN 1.6 ELSE 2.2 END)))::numeric(14,3) AS qty,
		   (CASE
			  WHEN pg_temp.u(d.key, 22) < CASE d.segment WHEN 'distributor' THEN 0.15 WHEN 'enterprise' THEN 0.10
												  WHEN 'government' THEN 0.05 WHEN 'smb' THEN 0.03 ELSE 0.02 END
				THEN 10
			  WHEN pg_temp.u(d.key, 22) < CASE d.segment WHEN 'distributor' THEN 0.40 WHEN 'enterprise' THEN 0.30
												  WHEN 'government' THEN 0.20 WHEN 'smb' THEN 0.13 ELSE 0.08 END
				THEN 5
			  ELSE 0 END)::numeric(5,2) AS discount_pct,
		   pg_temp.u(d.key, 23) AS u_ship
	FROM dedup d
	JOIN tmp_product p ON p.id = d.product_id
)
SELECT l.*, pg_catalog.round(l.qty * l.unit_price * (1 - l.discount_pct / 100), 2)::numeric(14,2) AS amount
FROM l;

---------------------------------------------------------------------------
-- Status by age, and the path through salesorder.status_transition that
-- led to it.
---------------------------------------------------------------------------

CREATE TEMP TABLE tmp_order ON COMMIT DROP AS
WITH agg AS (
	SELECT order_id, count(*)::int AS line_count,
		   pg_catalog.sum(pg_catalog.round(qty * unit_price, 2)) AS gross,
		   pg_catalog.sum(amount) AS total, pg_catalog.sum(qty) AS total_qty,
		   max(discount_pct) AS max_disc
	FROM tmp_line GROUP BY order_id
), s AS (
	SELECT o.*, a.line_count, a.gross, a.total, a.total_qty, a.max_disc,
		   pg_catalog.date_part('epoch', pg_catalog.now() - o.created_at) / 86400.0 AS age,
		   pg_temp.u(o.id, 40) AS us, pg_temp.u(o.id, 41) AS uh
	FROM tmp_order1 o JOIN agg a ON a.order_id = o.id
), s0 AS (
	SELECT s.*,
		CASE
		  WHEN age >= 45 THEN CASE WHEN us < .030 THEN 'cancelled' WHEN us < .035 THEN 'rejected'
								   ELSE 'completed' END
		  WHEN age >= 30 THEN CASE WHEN us < .030 THEN 'cancelled' WHEN us < .035 THEN 'rejected'
								   WHEN us < .120 THEN 'delivered' ELSE 'completed' END
		  WHEN age >= 14 THEN CASE WHEN us < .030 THEN 'cancelled' WHEN us < .035 THEN 'rejected'
								   WHEN us < .050 THEN 'on_hold' WHEN us < .090 THEN 'in_production'
								   WHEN us < .130 THEN 'partially_shipped' WHEN us < .300 THEN 'shipped'
								   WHEN us < .600 THEN 'delivered' ELSE 'completed' END
		  WHEN age >= 5 THEN CASE WHEN us < .030 THEN 'cancelled' WHEN us < .045 THEN 'rejected'
								  WHEN us < .070 THEN 'on_hold' WHEN us < .090 THEN 'pending_approval'
								  WHEN us < .170 THEN 'approved' WHEN us < .450 THEN 'in_production'
								  WHEN us < .550 THEN 'partially_shipped' WHEN us < .850 THEN 'shipped'
								  ELSE 'delivered' END
		  WHEN age >= 2 THEN CASE WHEN us < .020 THEN 'cancelled' WHEN us < .030 THEN 'rejected'
								  WHEN us < .050 THEN 'on_hold' WHEN us < .070 THEN 'draft'
								  WHEN us < .170 THEN 'pending_approval' WHEN us < .450 THEN 'approved'
								  WHEN us < .850 THEN 'in_production' WHEN us < .900 THEN 'partially_shipped'
								  ELSE 'shipped' END
		  ELSE CASE WHEN us < .010 THEN 'cancelled' WHEN us < .120 THEN 'draft'
					WHEN us < .140 THEN 'on_hold' WHEN us < .350 THEN 'pending_approval'
					WHEN us < .800 THEN 'approved' ELSE 'in_production' END
		END AS st0,
		CASE
		  WHEN age >= 14 THEN CASE WHEN uh < .6 THEN 'in_production' ELSE 'partially_shipped' END
		  WHEN age >= 2 THEN CASE WHEN uh < .2 THEN 'pending_approval' WHEN uh < .5 THEN 'approved'
								  WHEN uh < .85 THEN 'in_production' ELSE 'partially_shipped' END
		  ELSE CASE WHEN uh < .4 THEN 'pending_approval' ELSE 'approved' END
		END AS hf0,
		CASE WHEN uh < .10 THEN 'draft' WHEN uh < .25 THEN 'pending_approval'
			 WHEN uh < .70 THEN 'approved' ELSE 'in_production' END AS cancelled_from
	FROM s
), s1 AS (
	-- a single unit cannot be shipped in part
	SELECT s0.*,
		   CASE WHEN st0 = 'partially_shipped' AND total_qty < 2 THEN 'shipped' ELSE st0 END AS status,
		   CASE WHEN st0 <> 'on_hold' THEN NULL
				WHEN hf0 = 'partially_shipped' AND total_qty < 2 THEN 'in_production'
				ELSE hf0 END AS hold_from
	FROM s0
), s2 AS (
	SELECT s1.*,
		   CASE status WHEN 'on_hold' THEN hold_from WHEN 'cancelled' THEN cancelled_from
					   WHEN 'rejected' THEN 'pending_approval' ELSE status END AS target
	FROM s1
)
SELECT s2.id, s2.created_at, s2.customer_id, s2.segment, s2.warehouse_id, s2.rep, s2.region,
	   s2.line_count, s2.gross, s2.total, s2.total_qty, s2.age,
	   s2.status::salesorder.order_status AS status,
	   s2.hold_from::salesorder.order_status AS hold_from,
	   s2.target,
	   pg_catalog.array_position(ARRAY['draft', 'pending_approval', 'approved', 'in_production',
									   'partially_shipped', 'shipped', 'delivered', 'completed'],
								 s2.target) AS rnk,
	   -- large orders and 10 % discounts went through approval
	   (s2.total > 15000 OR s2.max_disc >= 10 OR s2.target = 'pending_approval') AS via_approval,
	   (pg_temp.u(s2.id, 42) < 0.70 OR s2.target = 'in_production') AS via_prod,
	   ((pg_temp.u(s2.id, 43) < 0.08 AND s2.line_count >= 2) OR s2.target = 'partially_shipped') AS via_partial,
	   (pg_temp.u(s2.id, 44) < 0.85 OR s2.target = 'delivered') AS via_delivered,
	   (pg_temp.u(s2.id, 45) < 0.03) AS hold_episode,
	   (s2.status = 'partially_shipped' OR s2.hold_from = 'partially_shipped') AS partial_now
FROM s2;

-- The status history: one row per transition.  Step durations are drawn in
-- hours and scaled down where needed so that the last change is not in the
-- future.  Ids follow time.
INSERT INTO salesorder.order_status_history
	(id, order_id, customer_id, from_status, to_status, changed_by, changed_at, reason)
WITH steps AS (
	SELECT o.id AS order_id, o.customer_id, o.created_at, o.age, o.rep, o.region, o.status,
		   o.via_approval, o.via_prod, o.via_partial, t.seq,
		   CASE WHEN t.seq = 11 THEN o.status::text ELSE t.to_status END AS to_status,
		   pg_temp.u(o.id * 16 + t.seq, 50) AS ud, pg_temp.u(o.id * 16 + t.seq, 51) AS ur
	FROM tmp_order o
	JOIN (VALUES (1, 'draft'), (2, 'pending_approval'), (3, 'approved'), (4, 'on_hold'),
				 (5, 'approved'), (6, 'in_production'), (7, 'partially_shipped'),
				 (8, 'shipped'), (9, 'delivered'), (10, 'completed'), (11, NULL))
		 t(seq, to_status)
	  ON CASE t.seq
		   WHEN 1 THEN true
		   WHEN 2 THEN o.rnk >= 2 AND o.via_approval
		   WHEN 3 THEN o.rnk >= 3
		   WHEN 4 THEN o.rnk >= 4 AND o.hold_episode
		   WHEN 5 THEN o.rnk >= 4 AND o.hold_episode
		   WHEN 6 THEN o.rnk >= 4 AND o.via_prod
		   WHEN 7 THEN o.rnk >= 5 AND o.via_partial
		   WHEN 8 THEN o.rnk >= 6
		   WHEN 9 THEN o.rnk >= 7 AND o.via_delivered
		   WHEN 10 THEN o.rnk >= 8
		   ELSE o.status IN ('on_hold', 'cancelled', 'rejected')
		 END
), dur AS (
	SELECT steps.*,
		   CASE seq
			 WHEN 1 THEN 0
			 WHEN 2 THEN 0.1 + 3 * ud
			 WHEN 3 THEN CASE WHEN via_approval THEN 2 + 46 * ud ELSE 0.1 + 2 * ud END
			 WHEN 4 THEN 2 + 46 * ud
			 WHEN 5 THEN 12 + 108 * ud
			 WHEN 6 THEN 4 + 68 * ud
			 WHEN 7 THEN 24 + 144 * ud
			 WHEN 8 THEN CASE WHEN via_partial THEN 24 + 96 * ud
							  WHEN via_prod THEN 24 + 216 * ud ELSE 8 + 64 * ud END
			 WHEN 9 THEN 24 + 96 * ud
			 WHEN 10 THEN 24 + 216 * ud
			 ELSE CASE status WHEN 'on_hold' THEN 1 + 71 * ud WHEN 'cancelled' THEN 1 + 95 * ud
							  ELSE 2 + 46 * ud END
		   END AS hours
	FROM steps
), cum AS (
	SELECT dur.*,
		   pg_catalog.sum(hours) OVER w AS at_hours,
		   pg_catalog.sum(hours) OVER (PARTITION BY order_id) AS total_hours,
		   pg_catalog.lag(to_status) OVER w AS from_status
	FROM dur
	WINDOW w AS (PARTITION BY order_id ORDER BY seq)
), h AS (
	SELECT order_id, customer_id, seq, from_status, to_status,
	   created_at + pg_catalog.make_interval(secs => 3600 * at_hours
			* LEAST(1.0, CASE WHEN total_hours > 0 THEN age * 24 * 0.97 / total_hours ELSE 1 END))
		 AS changed_at,
	   CASE
		 WHEN seq IN (1, 2) THEN rep
		 WHEN seq = 3 AND NOT via_approval THEN rep
		 WHEN seq = 3 THEN CASE WHEN ur < 0.6 THEN 'mgr_olga' ELSE 'fin_mark' END
		 WHEN seq = 4 THEN CASE WHEN ur < 0.5 THEN 'fin_mark' ELSE rep END
		 WHEN seq = 5 THEN 'fin_mark'
		 WHEN seq = 6 THEN 'prod_sam'
		 WHEN seq IN (7, 8) THEN 'wh_' || pg_catalog.lower(region)
		 WHEN seq = 9 THEN 'logistics_tom'
		 WHEN seq = 10 THEN 'billing_kim'
		 WHEN to_status = 'rejected' THEN CASE WHEN ur < 0.6 THEN 'mgr_olga' ELSE 'fin_mark' END
		 WHEN to_status = 'on_hold' THEN CASE WHEN ur < 0.5 THEN 'fin_mark' ELSE rep END
		 ELSE rep
	   END AS changed_by,
	   CASE
		 WHEN seq = 1 THEN 'created'
		 WHEN seq = 2 THEN 'submitted; approval required'
		 WHEN seq = 3 AND via_approval THEN 'approved'
		 WHEN seq = 3 THEN 'submitted; no approval required'
		 WHEN seq = 5 THEN 'hold released'
		 WHEN seq = 6 THEN 'released to production'
		 WHEN seq = 7 THEN 'partial shipment'
		 WHEN seq = 8 THEN 'shipped'
		 WHEN seq = 9 THEN 'delivery confirmed'
		 WHEN seq = 10 THEN 'closed'
		 WHEN to_status = 'cancelled' THEN
			(ARRAY['customer changed plans', 'duplicate order', 'budget cut',
				   'ordered elsewhere', 'delivery date not acceptable'])[pg_catalog.floor(ur * 5)::int + 1]
		 WHEN to_status = 'rejected' THEN
			(ARRAY['credit limit exceeded', 'discount not approved', 'price below floor',
				   'missing purchase order number'])[pg_catalog.floor(ur * 4)::int + 1]
		 ELSE -- on_hold (seq 4 or 11)
			(ARRAY['customer asked to wait', 'payment overdue', 'ship-to address to be confirmed',
				   'awaiting artwork approval'])[pg_catalog.floor(ur * 4)::int + 1]
	   END AS reason
FROM cum
)
SELECT pg_catalog.row_number() OVER (ORDER BY changed_at, order_id, seq),
	   order_id, customer_id, from_status::salesorder.order_status,
	   to_status::salesorder.order_status, changed_by, changed_at, reason
FROM h
ORDER BY changed_at, order_id, seq;

-- When each order was submitted, shipped (first / last) and released.
CREATE TEMP TABLE tmp_times ON COMMIT DROP AS
SELECT order_id,
	   min(changed_at) FILTER (WHERE from_status = 'draft' AND to_status <> 'cancelled') AS t_submit,
	   min(changed_at) FILTER (WHERE to_status = 'partially_shipped') AS t_partial,
	   min(changed_at) FILTER (WHERE to_status = 'shipped') AS t_ship,
	   min(changed_at) FILTER (WHERE to_status IN ('cancelled', 'rejected')) AS t_release,
	   min(changed_by) FILTER (WHERE to_status IN ('cancelled', 'rejected')) AS released_by,
	   max(changed_at) AS t_last,
	   (pg_catalog.array_agg(reason ORDER BY id DESC))[1] AS last_reason
FROM salesorder.order_status_history
GROUP BY order_id;

---------------------------------------------------------------------------
-- Order headers and lines.
---------------------------------------------------------------------------

INSERT INTO salesorder.sales_order
	(id, order_no, customer_id, status, status_reason, hold_from, revision,
	 warehouse_id, ship_to, sales_rep, requested_date, promised_date,
	 special_requirements, notes, line_count, gross_amount, discount_amount,
	 total_amount, created_by, created_at, submitted_at, status_changed_at)
SELECT o.id,
	   'SO-' || pg_catalog.to_char(o.created_at, 'YYYY') || '-' || pg_catalog.lpad(o.id::text, 6, '0'),
	   o.customer_id, o.status,
	   CASE WHEN o.status IN ('on_hold', 'cancelled', 'rejected') THEN t.last_reason END,
	   o.hold_from, 1, o.warehouse_id, c.default_ship_to, c.sales_rep,
	   CASE WHEN pg_temp.u(o.id, 60) < 0.30
			THEN (o.created_at::date + 10 + pg_catalog.floor(pg_temp.u(o.id, 61) * 21)::int) END,
	   o.created_at::date + 7 + pg_catalog.floor(pg_temp.u(o.id, 62) * 15)::int,
	   CASE WHEN pg_temp.u(o.id, 63) < 0.05 THEN
		 (ARRAY['deliver on pallets, max height 1.5 m', 'call 30 minutes before delivery',
				'deliver to loading dock B', 'individually bagged and labelled',
				'embroider company logo on left chest'])[pg_catalog.floor(pg_temp.u(o.id, 64) * 5)::int + 1]
	   END,
	   CASE WHEN pg_temp.u(o.id, 65) < 0.10 THEN
		 'customer PO ' || (4500000000 + o.id * 7)::text
	   END,
	   o.line_count, o.gross, o.gross - o.total, o.total,
	   o.rep, o.created_at, t.t_submit, t.t_last
FROM tmp_order o
JOIN salesorder.customer c ON c.id = o.customer_id
JOIN tmp_times t ON t.order_id = o.id
ORDER BY o.id;

-- Quantities by status: shipped in full, in part, reserved, or neither.
CREATE TEMP TABLE tmp_line2 ON COMMIT DROP AS
SELECT l.*, x.shipped_qty, x.reserved_qty
FROM tmp_line l
JOIN tmp_order o ON o.id = l.order_id
CROSS JOIN LATERAL (
	SELECT CASE
			 WHEN o.status IN ('shipped', 'delivered', 'completed') THEN l.qty
			 WHEN o.partial_now AND o.line_count >= 2 AND l.line_no <= o.line_count / 2 THEN l.qty
			 WHEN o.partial_now AND o.line_count >= 2 THEN pg_catalog.floor(l.qty * 0.5 * l.u_ship)
			 WHEN o.partial_now THEN GREATEST(1, pg_catalog.floor(l.qty * (0.3 + 0.4 * l.u_ship)))
			 ELSE 0
		   END::numeric(14,3) AS shipped_qty
) s
CROSS JOIN LATERAL (
	SELECT s.shipped_qty,
		   CASE WHEN o.partial_now THEN l.qty - s.shipped_qty
				WHEN o.status IN ('pending_approval', 'approved', 'in_production') THEN l.qty
				WHEN o.status = 'on_hold' THEN l.qty   -- held from pending/approved/in production
				ELSE 0
		   END::numeric(14,3) AS reserved_qty
) x;

INSERT INTO salesorder.order_line
	(order_id, line_no, customer_id, product_id, qty, unit_price, discount_pct,
	 amount, reserved_qty, backorder_qty, shipped_qty, note)
SELECT order_id, line_no, customer_id, product_id, qty, unit_price, discount_pct,
	   amount, reserved_qty, 0, shipped_qty,
	   CASE WHEN pg_temp.u(order_id * 8 + line_no, 24) < 0.03 THEN
		 (ARRAY['gift wrap', 'add size labels', 'pack per store',
				'no substitutions'])[pg_catalog.floor(pg_temp.u(order_id * 8 + line_no, 25) * 4)::int + 1]
	   END
FROM tmp_line2
ORDER BY order_id, line_no;

---------------------------------------------------------------------------
-- The approval backlog.  approve() and reject() decide approval_step rows,
-- so every order waiting for approval needs an open step, or nobody could
-- ever decide it.  The history has no approval rules (the story adds its
-- own), so these are manual reviews: one pending level-1 step per order,
-- routed to every approver (salesorder_approver), opened when the order
-- was submitted.  Orders held while waiting (hold_from pending_approval)
-- keep their step, as hold() does: it is open again after the release.
---------------------------------------------------------------------------

INSERT INTO salesorder.approval_step
	(order_id, customer_id, round, rule_id, level, department, approver_role,
	 status, reason, figures, created_at)
SELECT o.id, o.customer_id, 1, NULL, 1, 'sales', 'salesorder_approver', 'pending',
	   'manual review: order total ' || pg_catalog.to_char(o.total_amount, 'FM999,999,990.00')
	   || CASE WHEN u.usual IS NULL THEN ', the customer''s first order'
			   WHEN o.total_amount > u.usual THEN ' above the usual size (customer average '
					|| pg_catalog.to_char(u.usual, 'FM999,999,990.00') || ')'
			   ELSE ' (customer average ' || pg_catalog.to_char(u.usual, 'FM999,999,990.00') || ')'
		  END,
	   '{}'::jsonb, o.submitted_at
FROM salesorder.sales_order o
-- the customer's usual order: the average of its earlier submitted orders
CROSS JOIN LATERAL (
	SELECT pg_catalog.round(pg_catalog.avg(e.total_amount), 2) AS usual
	FROM salesorder.sales_order e
	WHERE e.customer_id = o.customer_id AND e.created_at < o.created_at
	  AND e.status NOT IN ('draft', 'cancelled', 'rejected')) u
WHERE o.status = 'pending_approval'
   OR (o.status = 'on_hold' AND o.hold_from = 'pending_approval')
ORDER BY o.submitted_at, o.id;

---------------------------------------------------------------------------
-- Stock and its ledger.  Per (warehouse, product):
--   reserved = the open reserved quantities of the lines;
--   one opening receipt (before the first order) of
--       shipped + reserved + max(buffer, released),
--   so that on_hand = reserved + max(buffer, released) >= reserved today, and
--   on no day in the past was more reserved than on hand: what was reserved
--   and shipped up to any day is at most everything ever reserved, that is
--   shipped + reserved + released.
-- The buffer covers about 1-3 months of demand; ~5 % of the pairs end below
-- their reorder point (some with nothing available) for the low-stock view.
---------------------------------------------------------------------------

CREATE TEMP TABLE tmp_stock ON COMMIT DROP AS
WITH demand AS (
	SELECT o.warehouse_id, l.product_id,
		   pg_catalog.sum(l.reserved_qty) AS reserved,
		   pg_catalog.sum(l.shipped_qty) AS shipped,
		   pg_catalog.sum(l.qty) FILTER (WHERE o.status IN ('cancelled', 'rejected')) AS released,
		   pg_catalog.sum(l.qty) FILTER (
			   WHERE o.created_at > pg_catalog.now() - interval '90 days'
				 AND o.status NOT IN ('draft', 'cancelled', 'rejected')) AS d90
	FROM tmp_line2 l JOIN tmp_order o ON o.id = l.order_id
	GROUP BY o.warehouse_id, l.product_id
), pairs AS (
	SELECT w.id AS warehouse_id, p.id AS product_id,
		   coalesce(d.reserved, 0) AS reserved, coalesce(d.shipped, 0) AS shipped,
		   coalesce(d.released, 0) AS released, coalesce(d.d90, 0) AS d90,
		   -- about half a month of recent demand, in fives, at least 5
		   GREATEST(5, pg_catalog.ceil(coalesce(d.d90, 0) / 6.0 / 5) * 5) AS reorder_point,
		   pg_temp.u(w.id * 100000 + p.id, 70) AS ub, pg_temp.u(w.id * 100000 + p.id, 71) AS ub2
	FROM salesorder.warehouse w
	CROSS JOIN salesorder.product p
	LEFT JOIN demand d ON d.warehouse_id = w.id AND d.product_id = p.id
), buffered AS (
	SELECT pairs.*,
		   GREATEST(released,
					CASE WHEN ub < 0.015 THEN 0
						 WHEN ub < 0.080 THEN pg_catalog.floor(reorder_point * ub2)
						 ELSE reorder_point + 10 + pg_catalog.ceil(d90 * (0.3 + 1.2 * ub2))
					END) AS buffer
	FROM pairs
)
SELECT (pg_catalog.row_number() OVER (ORDER BY warehouse_id, product_id))::bigint AS id,
	   warehouse_id, product_id, reserved, reorder_point,
	   (shipped + reserved + buffer)::numeric(14,3) AS receipt,
	   (reserved + buffer)::numeric(14,3) AS on_hand
FROM buffered;

INSERT INTO salesorder.stock (warehouse_id, product_id, on_hand, reserved, reorder_point)
SELECT warehouse_id, product_id, on_hand, reserved, reorder_point
FROM tmp_stock
ORDER BY warehouse_id, product_id;

-- The ledger in time order (ids follow time): first the opening receipts,
-- then the shipments of the order lines.
INSERT INTO salesorder.stock_movement
	(id, warehouse_id, product_id, kind, on_hand_delta,
	 order_id, line_no, customer_id, note, created_by, created_at)
SELECT id, warehouse_id, product_id, 'receipt', receipt, NULL, NULL, NULL,
	   'opening balance', 'demo-loader', (:'demo_first_day'::date - 1)::timestamptz + interval '6 hours'
FROM tmp_stock
WHERE receipt <> 0
ORDER BY id;

INSERT INTO salesorder.stock_movement
	(id, warehouse_id, product_id, kind, on_hand_delta,
	 order_id, line_no, customer_id, note, created_by, created_at)
SELECT (SELECT count(*) FROM tmp_stock)
	   + pg_catalog.row_number() OVER (ORDER BY m.created_at, m.order_id, m.line_no),
	   m.warehouse_id, m.product_id, 'shipment', m.on_hand_delta,
	   m.order_id, m.line_no, m.customer_id, NULL, m.created_by, m.created_at
FROM (
	SELECT o.warehouse_id, l.product_id, -l.shipped_qty AS on_hand_delta,
		   l.order_id, l.line_no, l.customer_id, 'wh_' || pg_catalog.lower(o.region) AS created_by,
		   CASE WHEN o.via_partial AND (o.partial_now OR l.line_no <= o.line_count / 2)
				THEN t.t_partial ELSE t.t_ship END AS created_at
	FROM tmp_line2 l JOIN tmp_order o ON o.id = l.order_id JOIN tmp_times t ON t.order_id = l.order_id
	WHERE l.shipped_qty > 0
) m
ORDER BY 1;

-- Sequences past the generated ids, so that create_order() & co. go on from here.
SELECT pg_catalog.setval('salesorder.warehouse_id_seq', (SELECT max(id) FROM salesorder.warehouse)) AS seq_warehouse,
	   pg_catalog.setval('salesorder.customer_id_seq', (SELECT max(id) FROM salesorder.customer)) AS seq_customer,
	   pg_catalog.setval('salesorder.product_id_seq', (SELECT max(id) FROM salesorder.product)) AS seq_product,
	   pg_catalog.setval('salesorder.sales_order_id_seq', (SELECT max(id) FROM salesorder.sales_order)) AS seq_sales_order,
	   pg_catalog.setval('salesorder.order_status_history_id_seq',
						 (SELECT max(id) FROM salesorder.order_status_history)) AS seq_history,
	   pg_catalog.setval('salesorder.stock_movement_id_seq',
						 (SELECT max(id) FROM salesorder.stock_movement)) AS seq_stock_movement \gset

COMMIT;

-- Fresh statistics, so that the first queries of the story get good plans.
ANALYZE salesorder.warehouse, salesorder.customer, salesorder.product,
		salesorder.sales_order, salesorder.order_line, salesorder.order_status_history,
		salesorder.stock, salesorder.stock_movement, salesorder.approval_step;

-- The monthly sales rollup behind salesorder.report_sales is kept by the
-- functions as orders change; this load went around them (no triggers), so
-- it is rebuilt from the orders once, as after any bulk load or restore.
-- From here on create_order() & co. keep it current.
SELECT salesorder.rebuild_rollup() AS rollup_groups \gset
ANALYZE salesorder.sales_rollup;
-- The same for each customer's running credit exposure, which the credit
-- checks of story.sql read.
SELECT salesorder.rebuild_credit_exposure() AS exposure_customers \gset

---------------------------------------------------------------------------
-- Summary
---------------------------------------------------------------------------

SELECT pg_catalog.round(extract(epoch FROM pg_catalog.clock_timestamp()
									   - :'demo_load_start'::timestamptz), 1) AS demo_load_seconds \gset
\echo
\echo 'Demo data loaded in ':demo_load_seconds' s:'
SELECT t.tbl AS "table", t.rows
FROM (
	SELECT 1 AS ord, 'warehouse' AS tbl, count(*) AS rows FROM salesorder.warehouse
	UNION ALL SELECT 2, 'customer', count(*) FROM salesorder.customer
	UNION ALL SELECT 3, 'product', count(*) FROM salesorder.product
	UNION ALL SELECT 4, 'stock', count(*) FROM salesorder.stock
	UNION ALL SELECT 5, 'stock_movement', count(*) FROM salesorder.stock_movement
	UNION ALL SELECT 6, 'sales_order', count(*) FROM salesorder.sales_order
	UNION ALL SELECT 7, 'order_line', count(*) FROM salesorder.order_line
	UNION ALL SELECT 8, 'order_status_history', count(*) FROM salesorder.order_status_history
	UNION ALL SELECT 9, 'approval_step', count(*) FROM salesorder.approval_step
	UNION ALL SELECT 10, 'sales_rollup', count(*) FROM salesorder.sales_rollup
) t
ORDER BY t.ord;

\echo 'Stock positions below their reorder point (the low_stock view shows them):'
SELECT count(*) FILTER (WHERE on_hand - reserved < reorder_point) AS below_reorder_point,
	   count(*) FILTER (WHERE on_hand - reserved = 0) AS nothing_available,
	   count(*) AS positions
FROM salesorder.stock;

\echo 'Orders per status:'
SELECT status, count(*) AS orders, pg_catalog.sum(total_amount) AS total_amount,
	   min(created_at)::date AS oldest, max(created_at)::date AS newest
FROM salesorder.sales_order
GROUP BY status
ORDER BY status;
