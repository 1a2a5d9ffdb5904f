package release

import "shipshape/internal/privacy"

// PrivacyInventory declares the personal data of releases: descriptions,
// transition reasons and file names are free text members write; the rows
// record who created, moved and uploaded; the evidence snapshot freezes
// some of it for good.
func PrivacyInventory() []privacy.Table {
	const (
		retention = "as long as the release: until a member deletes it or its project; a shipped release cannot be deleted, only its project (retention job: planned)"
		content   = "kept: the workspace's content, edited or deleted by its members, not by erasing an account"
		personRef = "kept as an id that no longer resolves (reads as \"a former member\")"
		evidence  = "kept: an immutable record of what shipped (a trigger refuses updates); goes only with its release's project"
	)
	return []privacy.Table{
		{Name: "releases", Domain: "release", Purpose: "Releases of a project and their lifecycle.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("project_id", "reference to the project"),
				privacy.Not("version", "SemVer version"),
				privacy.Not("version_key", "sortable encoding of the version"),
				privacy.Not("name", "the release's name, e.g. a code name"),
				{Column: "description", Personal: true, Category: privacy.Content, Purpose: "Markdown description members write; may mention people",
					Basis: privacy.Contract, Retention: retention, Export: "contributions.json (releases the person created)", Erasure: content},
				privacy.Not("status", "enum status"),
				privacy.Not("target_date", "planned release date"),
				privacy.Not("released_at", "when the release shipped"),
				{Column: "created_by", Personal: true, Category: privacy.Identifier, Purpose: "who created the release",
					Basis: privacy.Contract, Retention: retention, Export: "contributions.json (releases the person created)", Erasure: personRef},
				privacy.Not("created_at", "when the release was created; the person is in created_by"),
				privacy.Not("updated_at", "when the release last changed"),
				privacy.Not("evidence_sha256", "digest of the newest evidence snapshot"),
				privacy.Not("evidence_at", "time of the newest evidence snapshot"),
			}},
		{Name: "release_transitions", Domain: "release", Purpose: "The history of a release's moves through its lifecycle.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("release_id", "reference to the release"),
				privacy.Not("from_status", "enum status"),
				privacy.Not("to_status", "enum status"),
				{Column: "reason", Personal: true, Category: privacy.Content, Purpose: "why a release was cancelled or rolled back, as the member wrote it",
					Basis: privacy.Contract, Retention: retention, Export: "contributions.json (moves the person made)", Erasure: content},
				{Column: "actor_id", Personal: true, Category: privacy.Identifier, Purpose: "who moved the release",
					Basis: privacy.LegitimateInterest, Retention: retention, Export: "contributions.json (moves the person made)", Erasure: personRef},
				{Column: "at", Personal: true, Category: privacy.Activity, Purpose: "when the person moved the release",
					Basis: privacy.LegitimateInterest, Retention: retention, Export: "contributions.json (moves the person made)", Erasure: "kept with the move"},
			}},
		{Name: "release_files", Domain: "release", Purpose: "Files (artifacts) attached to a release; the bytes live in file storage under blob_key and leave it with the row.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("release_id", "reference to the release"),
				{Column: "name", Personal: true, Category: privacy.Content, Purpose: "the file name the member chose; may name a person",
					Basis: privacy.Contract, Retention: retention + "; a member can delete the file until the release ships",
					Export: "contributions.json (files the person uploaded: name and digest, not the bytes)", Erasure: content},
				privacy.Not("blob_key", "storage key: the release id and a random uuid, never the file name"),
				privacy.Not("size", "size in bytes"),
				privacy.Not("sha256", "digest of the bytes"),
				privacy.Not("content_type", "media type"),
				{Column: "uploaded_by", Personal: true, Category: privacy.Identifier, Purpose: "who uploaded the file",
					Basis: privacy.Contract, Retention: retention, Export: "contributions.json (files the person uploaded)", Erasure: personRef},
				privacy.Not("uploaded_at", "when the file was uploaded; the person is in uploaded_by"),
			}},
		{Name: "release_evidence", Domain: "release", Purpose: "Evidence snapshots: the JSON record of what was released, frozen in the transaction that ships a release.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("release_id", "reference to the release"),
				privacy.Not("created_at", "when the snapshot was frozen"),
				privacy.Not("sha256", "digest of body"),
				{Column: "body", Personal: true, Category: privacy.Content,
					Purpose: "proof of what shipped: release name and description, file names, transition reasons, and the user ids of creator, owners, uploaders and movers (document titles and bodies only as SHA-256)",
					Basis:   privacy.LegitimateInterest, Retention: "for good, as long as the release's project", Export: "not in a person's export: the workspace's record, downloadable by its members",
					Erasure: evidence},
			}},
	}
}
