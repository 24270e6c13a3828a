-- An invitation is pending while it is neither accepted nor declined. A declined one is kept, not deleted,
-- so its id stays unknown to accept and decline (404) instead of being reusable by accident.
ALTER TABLE invitations ADD COLUMN declined_at BIGINT;
