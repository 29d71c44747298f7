-- Fails while two orders share a reference, and leaves an INVALID index behind when it does.
CREATE UNIQUE INDEX CONCURRENTLY orders_reference_key ON orders (reference);
