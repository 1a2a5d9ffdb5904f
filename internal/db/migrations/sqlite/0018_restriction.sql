-- Restriction of processing (GDPR Art. 18; internal/account/restrict.go):
-- while set, the person's data is kept but not used for anything beyond
-- storing it and showing it to them — no product or marketing e-mails, no
-- analytics, no exports to third parties.
ALTER TABLE users ADD COLUMN restricted_at TEXT;
