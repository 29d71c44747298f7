SELECT refund_cancelled_orders();
