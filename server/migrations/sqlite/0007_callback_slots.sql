-- Callback slots a visitor books.

-- Counting the open callbacks of a call center's slot (a visitor's chosen time) reads this index.
CREATE INDEX contact_requests_call_center_schedule
    ON contact_requests (call_center_id, scheduled_routing_at)
    WHERE is_deleted = 0;
