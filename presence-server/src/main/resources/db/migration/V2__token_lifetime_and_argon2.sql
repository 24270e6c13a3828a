-- Tokens expire a while after their last use (sliding). last_used_at is recorded lazily (at most about once
-- a minute per token), so it may be a little behind; NULL means never recorded (a token made before this
-- migration): such a token counts as used when it is next seen.
ALTER TABLE tokens ADD COLUMN last_used_at BIGINT;

-- Argon2id hashes in the PHC string format are about 97 characters with today's settings; leave room for
-- stronger settings later.
ALTER TABLE users ALTER COLUMN password_hash SET DATA TYPE VARCHAR(255);
