-- Repeatable: re-applied whenever this file changes.
CREATE OR REPLACE VIEW customer_order_summary AS
SELECT c.id AS customer_id, c.email, count(o.id) AS orders, customer_total_cents(c.id) AS total_cents
FROM customers c
LEFT JOIN orders o ON o.customer_id = c.id
GROUP BY c.id, c.email;
