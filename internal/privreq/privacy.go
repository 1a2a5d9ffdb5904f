package privreq

import "shipshape/internal/privacy"

// PrivacyInventory declares the privacy-request desk's tables: the
// requests people make about their data (who, what, how their identity
// was verified, what was done) and the admins' notes on them. They are the
// record that the requests were answered, kept under legal obligation.
func PrivacyInventory() []privacy.Table {
	const (
		retention = "3 years after the request is closed, for accountability (retention job: planned; until then: until deleted)"
		export    = "not exported: the desk's record about the person, available to them on request"
		kept      = "kept: the record that the request was answered (legal obligation)"
		personRef = "kept as an id that no longer resolves (reads as \"a former member\")"
	)
	field := func(col, purpose string, cat privacy.Category, erasure string) privacy.Field {
		return privacy.Field{Column: col, Personal: true, Category: cat, Purpose: purpose, Basis: privacy.LegalObligation,
			Retention: retention, Export: export, Erasure: erasure}
	}
	return []privacy.Table{
		{Name: "privacy_requests", Domain: "privreq", Purpose: "Privacy requests (GDPR access, rectification, erasure, restriction, objection, portability; CCPA right to know) handled by site admins: subject, verification, status, due date, outcome.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				field("kind", "which right the person exercised", privacy.Activity, kept),
				field("subject_email", "who the request is about: the address to answer and to match the account", privacy.Contact, kept),
				field("subject_user_id", "the account using the subject's address, when one does", privacy.Identifier, "kept as the erased account's id (its tombstone)"),
				field("source", "how the request came in: self-service, e-mail, an authorized agent, the support tracker", privacy.Activity, kept),
				field("verification", "how the person's identity was verified", privacy.Activity, kept),
				field("verified_at", "when the identity was verified", privacy.Activity, kept),
				privacy.Not("status", "enum: received, verifying, in_progress, fulfilled, rejected, withdrawn"),
				{Column: "assignee_id", Personal: true, Category: privacy.Identifier, Purpose: "the site admin who handles the request",
					Basis: privacy.LegitimateInterest, Retention: retention, Export: "not exported (the admin's work assignment)", Erasure: personRef},
				privacy.Not("due_at", "deadline computed from kind and source"),
				field("outcome", "what was done, or why the request was rejected (free text can mention people)", privacy.Content, kept),
				{Column: "confirm_token_hash", Personal: true, Category: privacy.Credentials, Purpose: "SHA-256 of the one-time e-mail confirmation link",
					Basis: privacy.LegalObligation, Retention: "until the link is used or replaced; useless after 7 days",
					Export: "not exported (a secret's hash)", Erasure: kept},
				privacy.Not("confirm_expires_at", "when the confirmation link stops working"),
				privacy.Not("auth_blob_key", "storage key of the authorization document (random id)"),
				field("auth_name", "file name of the agent's written authorization (can name people)", privacy.Content, kept),
				privacy.Not("auth_size", "byte count"),
				privacy.Not("auth_sha256", "digest of the file bytes"),
				privacy.Not("auth_content_type", "sniffed media type"),
				{Column: "auth_uploaded_by", Personal: true, Category: privacy.Identifier, Purpose: "the site admin who uploaded the authorization",
					Basis: privacy.LegitimateInterest, Retention: retention, Export: "not exported (the admin's work)", Erasure: personRef},
				privacy.Not("auth_uploaded_at", "when the authorization was uploaded; the person is in auth_uploaded_by"),
				{Column: "created_by", Personal: true, Category: privacy.Identifier, Purpose: "accountability: the site admin (or person) who recorded the request",
					Basis: privacy.LegitimateInterest, Retention: retention, Export: "not exported (the admin's work)", Erasure: personRef},
				privacy.Not("created_at", "when the request was received"),
				privacy.Not("updated_at", "when the request last changed"),
				privacy.Not("closed_at", "when the request was closed"),
			}},
		{Name: "privacy_request_notes", Domain: "privreq", Purpose: "Site admins' notes on a privacy request, shown on the desk's timeline.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("request_id", "reference to the request"),
				{Column: "author_id", Personal: true, Category: privacy.Identifier, Purpose: "which site admin wrote the note",
					Basis: privacy.LegitimateInterest, Retention: retention, Export: "not exported (the admin's work)", Erasure: personRef},
				field("body", "what the admin noted while handling the request (free text can mention people)", privacy.Content, kept),
				privacy.Not("created_at", "when the note was written; the author is in author_id"),
			}},
	}
}
