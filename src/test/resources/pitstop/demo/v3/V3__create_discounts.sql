-- Release 3, part one: a discounts table. It commits on its own (the run uses --no-atomic).
CREATE TABLE discounts (
    order_id bigint  NOT NULL REFERENCES orders (id),
    percent  integer NOT NULL
);
INSERT INTO discounts (order_id, percent) SELECT id, 10 FROM orders WHERE id % 10 = 0;
