-- the release the operator runs in the demo: a nullable column, no rewrite of the rows
ALTER TABLE orders ADD COLUMN note text;
