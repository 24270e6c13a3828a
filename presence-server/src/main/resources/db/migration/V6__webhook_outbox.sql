-- Webhooks (--webhook-url): every online/offline flip waits here until the app's endpoint answered 2xx.
-- The key is the change itself (user, version): every node of a cluster, and every replay after a crash,
-- inserts the same change as the same row, so it is sent once (its webhook id is "<user_id>:<version>").
CREATE TABLE webhook_outbox (
    user_id     VARCHAR(128) NOT NULL,
    version     BIGINT       NOT NULL,
    is_online   BOOLEAN      NOT NULL,
    last_seen   BIGINT       NOT NULL,
    created_at  BIGINT       NOT NULL,
    PRIMARY KEY (user_id, version)
);
CREATE INDEX webhook_outbox_created ON webhook_outbox (created_at);

-- Per user: the last version delivered (a late or replayed older change is never sent after a newer one) and
-- the retry schedule of the user's head change, kept here so a restart or another node continues it.
CREATE TABLE webhook_users (
    user_id            VARCHAR(128) PRIMARY KEY,
    delivered_version  BIGINT       NOT NULL,
    failures           INT          NOT NULL,
    retry_at           BIGINT       NOT NULL
);

-- One node of a cluster sends at a time: whoever holds this row's lease.
CREATE TABLE webhook_lease (
    id          INT          PRIMARY KEY,
    holder      VARCHAR(200),
    expires_at  BIGINT       NOT NULL
);
INSERT INTO webhook_lease (id, holder, expires_at) VALUES (1, NULL, 0);
