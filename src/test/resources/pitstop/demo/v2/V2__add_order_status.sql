-- Release 2: orders get a status.
ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'paid';
CREATE INDEX orders_status_idx ON orders (status);
