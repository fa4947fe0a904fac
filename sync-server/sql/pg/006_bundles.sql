-- Store-and-forward bundles: each device's public keys, bound at login to the user who signed in
-- on it (a bundle is checked against the key of the device it claims to come from).
CREATE TABLE device_key (
    device_id     TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    sign_public   TEXT NOT NULL,
    seal_public   TEXT NOT NULL,
    registered_at BIGINT NOT NULL
);
