-- Store-and-forward bundles: each device's public keys, bound at login to the user who signed in
-- on it (a bundle is checked against the keys its device and user registered). Per device and
-- user: another account signing in with the same device id cannot replace them.
CREATE TABLE device_key (
    device_id     TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    sign_public   TEXT NOT NULL,
    seal_public   TEXT NOT NULL,
    registered_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, user_id)
);
