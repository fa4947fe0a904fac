-- Version 5 of the server's SQLite store: a work phone number per user, which the apps show to
-- the user's team (a worker sees their facilitator's).
ALTER TABLE app_user ADD COLUMN phone TEXT;
