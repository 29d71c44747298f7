ALTER TYPE order_status ADD VALUE 'refunded';

-- The new value is only used when the function runs, which Pitstop cannot see coming.
CREATE FUNCTION refund_cancelled_orders() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    changed bigint;
BEGIN
    UPDATE orders SET status = 'refunded' WHERE status = 'cancelled';
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END;
$$;
