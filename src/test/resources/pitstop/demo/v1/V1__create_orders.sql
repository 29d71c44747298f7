-- The shop as it runs today: one table of orders.
CREATE TABLE orders (
    id           bigint PRIMARY KEY,
    customer     text        NOT NULL,
    amount_cents integer     NOT NULL,
    created_at   timestamptz NOT NULL
);

INSERT INTO orders (id, customer, amount_cents, created_at)
SELECT n,
       'customer-' || (n % 97),
       (n * 37) % 10000 + 100,
       timestamptz '2026-01-01 00:00:00+00' + n * interval '1 minute'
FROM generate_series(1, 5000) AS n;
