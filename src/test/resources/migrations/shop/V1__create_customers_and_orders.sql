-- The shop's first schema: customers, their orders, and the order states the app knows.
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');

CREATE TABLE customers (
    id         bigint PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    id          bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    reference   text NOT NULL,
    status      order_status NOT NULL DEFAULT 'new',
    total_cents bigint NOT NULL CHECK (total_cents >= 0)
);

INSERT INTO customers (id, email)
SELECT g, 'customer' || g || '@example.com' FROM generate_series(1, 500) g;

/* Every tenth order is cancelled; references repeat once, which a later unique index trips on. */
INSERT INTO orders (id, customer_id, reference, status, total_cents)
SELECT g,
       1 + g % 500,
       'ORD-' || lpad((g % 2999)::text, 6, '0'),
       CASE WHEN g % 10 = 0 THEN 'cancelled'::order_status ELSE 'paid'::order_status END,
       g * 7
FROM generate_series(1, 3000) g;
