-- Built without blocking writes to orders; PostgreSQL cannot do this inside a transaction.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);
