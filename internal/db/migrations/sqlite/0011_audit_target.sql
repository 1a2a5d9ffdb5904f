-- The events about one object (a release page's recent activity).
CREATE INDEX audit_events_target ON audit_events (target_id);
