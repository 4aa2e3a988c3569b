-- Keys that sign the links in mail about a decision (DECISIONS.md "Email links"). The newest
-- unretired key signs; a retired key is still accepted until the links it signed have expired.
-- Shared by every instance of the portal through the database.
CREATE TABLE link_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP
);
