-- A PL/pgSQL function and a trigger: semicolons inside a dollar-quoted body are not statement ends.
CREATE FUNCTION customer_total_cents(customer bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $body$
DECLARE
    total bigint;
BEGIN
    SELECT coalesce(sum(total_cents), 0) INTO total
    FROM orders
    WHERE customer_id = customer AND status <> 'cancelled';
    RETURN total;
END;
$body$;

CREATE FUNCTION orders_reject_negative() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.total_cents < 0 THEN
        RAISE EXCEPTION 'order % has a negative total', NEW.id;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER orders_reject_negative BEFORE INSERT OR UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_reject_negative();
