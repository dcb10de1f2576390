-- A supervisor's take-back of a held item (an open offer withdrawn, or an accepted request returned to
-- its queue): who took it back and when, on the offer. The representative it was taken from is not
-- offered the request again for the queue's cool-down, as after a decline.

ALTER TABLE offers ADD COLUMN taken_back_by TEXT REFERENCES users (id);
ALTER TABLE offers ADD COLUMN taken_back_at TEXT;
