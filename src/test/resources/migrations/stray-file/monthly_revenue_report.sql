-- A report the team keeps next to the migrations; not a migration.
SELECT date_trunc('month', now()) AS month, sum(total_cents) / 100.0 AS revenue
FROM orders
WHERE status = 'paid';
