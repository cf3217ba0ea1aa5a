/**
 * The seed's set-based SQL. Every statement makes all its rows in one pass inside
 * Postgres (generate_series + INSERT ... SELECT), so a million orders never cross the wire.
 * Each statement's parameters are named beside it.
 */

/** Twenty categories, each with four product nouns (a 2-D array: category, noun). */
const CATEGORY_NOUNS: Record<string, [string, string, string, string]> = {
  books: ['Novel', 'Cookbook', 'Atlas', 'Biography'],
  electronics: ['Headphones', 'Power Bank', 'Bluetooth Speaker', 'USB-C Hub'],
  computers: ['Laptop Stand', 'Mechanical Keyboard', 'Monitor', 'Webcam'],
  phones: ['Phone Case', 'Screen Protector', 'Wall Charger', 'Car Mount'],
  home: ['Throw Pillow', 'Wall Clock', 'Candle Set', 'Picture Frame'],
  kitchen: ['Chef Knife', 'Frying Pan', 'Coffee Grinder', 'Cutting Board'],
  garden: ['Garden Hose', 'Pruning Shears', 'Planter', 'Watering Can'],
  tools: ['Cordless Drill', 'Tape Measure', 'Socket Set', 'Spirit Level'],
  sports: ['Yoga Mat', 'Dumbbell Set', 'Water Bottle', 'Jump Rope'],
  outdoors: ['Tent', 'Sleeping Bag', 'Headlamp', 'Hiking Backpack'],
  toys: ['Jigsaw Puzzle', 'Building Blocks', 'Plush Bear', 'Board Game'],
  games: ['Controller', 'Gaming Mouse', 'Gaming Headset', 'Racing Wheel'],
  music: ['Guitar Strings', 'Ukulele', 'Metronome', 'Microphone'],
  beauty: ['Face Serum', 'Hair Dryer', 'Lip Balm', 'Brush Set'],
  health: ['Vitamin D3', 'Thermometer', 'First Aid Kit', 'Massage Gun'],
  baby: ['Baby Monitor', 'Teether', 'Diaper Bag', 'Night Light'],
  pets: ['Dog Leash', 'Cat Tree', 'Pet Bed', 'Chew Toy'],
  office: ['Notebook', 'Gel Pens', 'Desk Organizer', 'Stapler'],
  clothing: ['T-Shirt', 'Hoodie', 'Rain Jacket', 'Wool Socks'],
  shoes: ['Running Shoes', 'Sneakers', 'Hiking Boots', 'Slippers'],
};

/** The category names the seed uses, in the order products cycle through them. */
export const SEED_CATEGORIES = Object.keys(CATEGORY_NOUNS);

const ADJECTIVES = [
  'Classic', 'Compact', 'Deluxe', 'Eco', 'Essential', 'Everyday', 'Lightweight', 'Premium',
  'Pro', 'Modern', 'Sturdy', 'Travel', 'Ultra', 'Vintage', 'Signature', 'Basic',
];
const FIRST_NAMES = [
  'Ada', 'Alan', 'Amara', 'Ben', 'Carla', 'Chen', 'Dana', 'Diego', 'Elena', 'Emeka', 'Fatima', 'Felix',
  'Grace', 'Hiro', 'Ines', 'Ivan', 'Jamal', 'Julia', 'Kai', 'Lena', 'Leo', 'Maya', 'Mateo', 'Nadia',
  'Noah', 'Olga', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Sofia', 'Tariq', 'Uma', 'Victor', 'Wei',
  'Xena', 'Yara', 'Yusuf', 'Zoe',
];
const LAST_NAMES = [
  'Adams', 'Alvarez', 'Bauer', 'Brown', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Gupta',
  'Hansen', 'Ivanova', 'Jensen', 'Kim', 'Kowalski', 'Lee', 'Lopez', 'Martin', 'Meyer', 'Moreau',
  'Nakamura', 'Nguyen', 'Novak', 'Okafor', 'Olsen', 'Park', 'Petrov', 'Popescu', 'Rossi', 'Santos',
  'Schmidt', 'Silva', 'Smith', 'Sato', 'Tanaka', 'Taylor', 'Umar', 'Varga', 'Walker', 'Wang',
  'Weber', 'Wilson', 'Wong', 'Yamada', 'Yilmaz', 'Young', 'Zhang', 'Zimmer', 'Ziegler', 'Zubiri',
];
const PAYMENT_METHODS = ['card', 'card', 'card', 'card', 'paypal', 'apple_pay', 'google_pay', 'bank_transfer'];

/** Every name above is a plain word (letters, digits, spaces, '-', '_'), so quoting is just wrapping. */
function textArray(values: readonly string[]): string {
  return `ARRAY[${values.map((value) => `'${value}'`).join(', ')}]`;
}

const NOUNS_2D = `ARRAY[${Object.values(CATEGORY_NOUNS).map(textArray).join(', ')}]`;

/** One order in this many is placed earlier today, so "orders today" is never zero (order 1 always is). */
export const TODAY_ORDER_EVERY = 50;

/** $1: users. */
export const USERS_SQL = `
  INSERT INTO users.users (id, name, email, created_at, updated_at)
  SELECT i, first_name || ' ' || last_name, lower(first_name || '.' || last_name || '.' || i) || '@example.com',
         created_at, created_at
  FROM (
    SELECT i,
           (${textArray(FIRST_NAMES)})[1 + i % ${FIRST_NAMES.length}] AS first_name,
           (${textArray(LAST_NAMES)})[1 + (i / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}] AS last_name,
           now() - random() * interval '730 days' AS created_at
    FROM generate_series(1, $1::int) AS i
  ) AS u`;

/** $1: products. */
// Prices end in .99 and lean cheap (random()^4): the median is about $40, a few cost near $1,000.
export const PRODUCTS_SQL = `
  INSERT INTO catalog.products (id, sku, name, category, price_cents, stock, created_at, updated_at)
  SELECT i, upper(left(category, 3)) || '-' || lpad(i::text, 6, '0'),
         adjective || ' ' || (${NOUNS_2D})[category_index][1 + (i / ${SEED_CATEGORIES.length}) % 4],
         category, price_cents, stock, created_at, created_at
  FROM (
    SELECT i,
           1 + i % ${SEED_CATEGORIES.length} AS category_index,
           (${textArray(SEED_CATEGORIES)})[1 + i % ${SEED_CATEGORIES.length}] AS category,
           (${textArray(ADJECTIVES)})[1 + (i * 7) % ${ADJECTIVES.length}] AS adjective,
           499 + 100 * floor(power(random(), 4) * 1000)::int AS price_cents,
           CASE WHEN random() < 0.05 THEN 0 ELSE 1 + floor(random() * 500)::int END AS stock,
           now() - interval '91 days' - random() * interval '365 days' AS created_at
    FROM generate_series(1, $1::int) AS i
  ) AS p`;

/** $1: users, $2: products, $3: orders. */
// Ids follow time (numbered after sorting by created_at), like a real orders table.
// Products lean popular (random()^2 favours low ids); an order's 1-3 products are a third of the catalog apart, so distinct.
export const ORDER_PLAN_SQL = `
  CREATE TEMP TABLE seed_orders ON COMMIT DROP AS
  SELECT row_number() OVER (ORDER BY created_at) AS id, user_id, item_count, first_product_index, created_at
  FROM (
    SELECT 1 + floor(random() * $1::int)::bigint AS user_id,
           1 + floor(random() * 3)::int AS item_count,
           floor(power(random(), 2) * $2::int)::int AS first_product_index,
           CASE WHEN g % ${TODAY_ORDER_EVERY} = 1
                THEN date_trunc('day', now()) + random() * (now() - date_trunc('day', now()))
                ELSE now() - random() * interval '90 days'
           END AS created_at
    FROM generate_series(1, $3::int) AS g
  ) AS planned`;

/** $1: products. */
export const ORDER_ITEMS_PLAN_SQL = `
  CREATE TEMP TABLE seed_order_items ON COMMIT DROP AS
  SELECT o.id AS order_id, p.id AS product_id, 1 + floor(power(random(), 6) * 4)::int AS quantity,
         p.price_cents AS unit_price_cents
  FROM seed_orders AS o
  CROSS JOIN LATERAL generate_series(0, o.item_count - 1) AS k
  JOIN catalog.products AS p ON p.id = 1 + (o.first_product_index + k * ($1::int / 3)) % $1::int`;

export const ORDERS_SQL = `
  INSERT INTO catalog.orders (id, user_id, total_cents, status, created_at)
  SELECT o.id, o.user_id, t.total_cents, 'paid', o.created_at
  FROM seed_orders AS o
  JOIN (
    SELECT order_id, sum(quantity * unit_price_cents)::bigint AS total_cents FROM seed_order_items GROUP BY order_id
  ) AS t ON t.order_id = o.id
  ORDER BY o.id`;

export const ORDER_ITEMS_SQL = `
  INSERT INTO catalog.order_items (order_id, product_id, quantity, unit_price_cents)
  SELECT order_id, product_id, quantity, unit_price_cents FROM seed_order_items ORDER BY order_id, product_id`;

// Paid within two minutes of ordering, never in the future; the payment id is the order id.
export const PAYMENTS_SQL = `
  INSERT INTO catalog.payments (id, order_id, amount_cents, method, created_at)
  SELECT id, id, total_cents, (${textArray(PAYMENT_METHODS)})[1 + floor(random() * ${PAYMENT_METHODS.length})::int],
         least(now(), created_at + random() * interval '2 minutes')
  FROM catalog.orders
  ORDER BY id`;

// The users service's read model of orders starts where the seeded orders are; events keep it current after.
export const ORDER_STATS_SQL = `
  INSERT INTO users.order_stats (user_id, order_count, last_order_at)
  SELECT user_id, count(*), max(created_at) FROM catalog.orders GROUP BY user_id`;

/** Tables whose ids the seed sets explicitly; their identity sequences move past the largest id. */
export const IDENTITY_TABLES = ['users.users', 'catalog.products', 'catalog.orders', 'catalog.payments'] as const;

export const resetIdentitySql = (table: string) =>
  `SELECT setval(pg_get_serial_sequence('${table}', 'id'), max(id)) FROM ${table}`;

/** Every table the seed fills, for the emptiness check, the counts and the final VACUUM ANALYZE. */
export const SEEDED_TABLES = {
  users: 'users.users',
  products: 'catalog.products',
  orders: 'catalog.orders',
  orderItems: 'catalog.order_items',
  payments: 'catalog.payments',
} as const;
