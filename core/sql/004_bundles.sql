-- Version 4: store-and-forward bundles (core/src/bundle.rs, core/src/carry.rs). One row per
-- bundle file this phone made (`sent`), carries for another device or the server (`carried`),
-- or opened itself (`received`).

CREATE TABLE bundle (
    -- The file's SHA-256 (hex): a file is kept once, and a junk file that copies a real one's
    -- clear manifest cannot stand in for it.
    digest     TEXT PRIMARY KEY,
    bundle_id  TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('sent', 'carried', 'received')),
    kind       TEXT NOT NULL CHECK (kind IN ('outbound', 'receipt', 'inbound')),
    -- Who it is from (received) or for (sent, carried): a device id or `server:<key id>`.
    peer       TEXT NOT NULL,
    count      INTEGER NOT NULL,
    -- sent: waiting | acknowledged; carried: to_deliver | delivered | refused | to_hand_on;
    -- received: applied.
    state      TEXT NOT NULL,
    -- Why the server refused a carried bundle (its code and message).
    note       TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- A receipt's or an inbound bundle's: the outbound bundle it answers.
    answers    TEXT,
    -- sent: the operation ids it carries (JSON list), to see them acknowledged by a direct sync.
    op_ids     TEXT,
    -- sent and carried: the file itself, to share again.
    file       BLOB
) STRICT;
CREATE INDEX bundle_role ON bundle (role, state);
CREATE INDEX bundle_id ON bundle (bundle_id);
