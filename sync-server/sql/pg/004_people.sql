-- A work phone number per user, which the apps show to the user's team.
ALTER TABLE app_user ADD COLUMN phone TEXT;
