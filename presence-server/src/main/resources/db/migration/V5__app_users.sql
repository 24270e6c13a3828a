-- Integration mode (PROTOCOL.md, "Presence for an existing chat backend"): an app brings its own users and
-- threads, with ids of up to 128 characters, so every id column grows from 40 to 128.
ALTER TABLE users ALTER COLUMN id SET DATA TYPE VARCHAR(128);
ALTER TABLE tokens ALTER COLUMN user_id SET DATA TYPE VARCHAR(128);
ALTER TABLE threads ALTER COLUMN id SET DATA TYPE VARCHAR(128);
ALTER TABLE threads ALTER COLUMN created_by SET DATA TYPE VARCHAR(128);
ALTER TABLE memberships ALTER COLUMN thread_id SET DATA TYPE VARCHAR(128);
ALTER TABLE memberships ALTER COLUMN user_id SET DATA TYPE VARCHAR(128);
ALTER TABLE invitations ALTER COLUMN thread_id SET DATA TYPE VARCHAR(128);
ALTER TABLE invitations ALTER COLUMN from_user_id SET DATA TYPE VARCHAR(128);
ALTER TABLE invitations ALTER COLUMN to_user_id SET DATA TYPE VARCHAR(128);
ALTER TABLE messages ALTER COLUMN thread_id SET DATA TYPE VARCHAR(128);
ALTER TABLE messages ALTER COLUMN sender_id SET DATA TYPE VARCHAR(128);

-- A thread the app made has no creator among our users.
ALTER TABLE threads ALTER COLUMN created_by DROP NOT NULL;

-- An app's user: app_username is the username the app gave (or its id); NULL for a user who signed up here.
-- Their username column holds 'app:' + id, which no signup can take (':' is not allowed in usernames), so
-- the two kinds never compete for a name and an app user can neither log in with a password nor be invited
-- by name.
ALTER TABLE users ALTER COLUMN username SET DATA TYPE VARCHAR(140);
ALTER TABLE users ADD COLUMN app_username VARCHAR(128);
-- a new app user is shown by their id until the app names them
ALTER TABLE users ALTER COLUMN display_name SET DATA TYPE VARCHAR(128);

-- "Revoke a user's sessions" for tokens the server never stored (the app's JWTs): a JWT issued at or before
-- this time (epoch ms) is refused. 0: never revoked.
ALTER TABLE users ADD COLUMN sessions_revoked_at BIGINT NOT NULL DEFAULT 0;
