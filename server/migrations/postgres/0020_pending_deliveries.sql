-- The pending deliveries, for the outbox's depth and age that /metrics reads at each scrape: delivered
-- and failed deliveries pile up, pending ones stay few, so this index keeps both reads small.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (event_seq) WHERE state = 'pending';
