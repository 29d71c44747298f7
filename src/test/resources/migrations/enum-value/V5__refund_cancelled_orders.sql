-- Uses the value V4 adds: it must be committed first.
UPDATE orders SET status = 'refunded' WHERE status = 'cancelled';
