-- An invitation is pending while it is neither accepted nor declined. A declined invitation is kept, like an
-- accepted one, rather than deleted: who declined what and when stays on record, and a late accept or a
-- second decline finds it not pending (404) by the same condition as for an accepted one.
ALTER TABLE invitations ADD COLUMN declined_at BIGINT;
