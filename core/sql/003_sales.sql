-- Version 3: product sales, the record of a business distributing its products (what, how much,
-- where to, for how much). Shaped like every record table.

CREATE TABLE product_sale (
    id             TEXT PRIMARY KEY,
    doc            TEXT NOT NULL,
    created        TEXT NOT NULL,
    clocks         TEXT NOT NULL DEFAULT '{}',
    beneficiary_id TEXT GENERATED ALWAYS AS (doc ->> '$.beneficiary_id') VIRTUAL,
    business_id    TEXT GENERATED ALWAYS AS (doc ->> '$.business_id') VIRTUAL,
    sold_on        TEXT GENERATED ALWAYS AS (doc ->> '$.sold_on') VIRTUAL,
    market         TEXT GENERATED ALWAYS AS (doc ->> '$.market') VIRTUAL
) STRICT;
CREATE INDEX product_sale_beneficiary ON product_sale (beneficiary_id, sold_on);
