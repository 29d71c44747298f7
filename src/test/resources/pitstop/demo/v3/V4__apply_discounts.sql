-- Release 3, part two: rewrites every amount, and fails half-way with a division by zero
-- (a bug in the release), after part one has already changed the schema.
UPDATE orders SET amount_cents = amount_cents * (100 - 10) / 100;
UPDATE orders SET amount_cents = amount_cents / (id % 1000);
