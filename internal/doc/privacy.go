package doc

import "shipshape/internal/privacy"

// PrivacyInventory declares the personal data of documents: titles, bodies
// and file names are free text members write (design docs and threat
// models may well name people); every version is kept until the document
// is deleted, which removes all of them for good.
func PrivacyInventory() []privacy.Table {
	const (
		retention = "as long as the document: a member's hard delete removes every version, file and search entry in one transaction (retention job: planned)"
		content   = "kept: the workspace's content, edited or deleted by its members, not by erasing an account"
		personRef = "kept as an id that no longer resolves (reads as \"a former member\")"
	)
	return []privacy.Table{
		{Name: "documents", Domain: "doc", Purpose: "Typed Markdown documents (design, PRD, RFC, threat model, security requirements, runbook, other) with visibility.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("workspace_id", "reference to the workspace"),
				privacy.Not("project_id", "reference to the project"),
				privacy.Not("release_id", "reference to the release"),
				privacy.Not("type", "enum document type"),
				{Column: "title", Personal: true, Category: privacy.Content, Purpose: "the current title, as a member wrote it",
					Basis: privacy.Contract, Retention: retention, Export: "contributions.json (documents the person created)", Erasure: content},
				privacy.Not("visibility", "enum: workspace, project, owners"),
				privacy.Not("current_version", "version counter"),
				{Column: "created_by", Personal: true, Category: privacy.Identifier, Purpose: "who created the document (sees it when visibility is owners)",
					Basis: privacy.Contract, Retention: retention, Export: "contributions.json (documents the person created)", Erasure: personRef},
				privacy.Not("created_at", "when the document was created; the person is in created_by"),
				privacy.Not("updated_at", "when the document last changed; the person is in updated_by"),
				{Column: "updated_by", Personal: true, Category: privacy.Identifier, Purpose: "who changed the document last",
					Basis: privacy.Contract, Retention: retention, Export: "contributions.json (documents the person changed)", Erasure: personRef},
			}},
		{Name: "document_versions", Domain: "doc", Purpose: "Every version of a document's title and body (a version per edit).",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("document_id", "reference to the document"),
				privacy.Not("version", "version number"),
				{Column: "title", Personal: true, Category: privacy.Content, Purpose: "the title at this version",
					Basis: privacy.Contract, Retention: retention, Export: "contributions.json (versions the person wrote)", Erasure: content},
				{Column: "body", Personal: true, Category: privacy.Content, Purpose: "the Markdown text at this version; may hold anything members write about people",
					Basis: privacy.Contract, Retention: retention, Export: "contributions.json (versions the person wrote)", Erasure: content},
				{Column: "author_id", Personal: true, Category: privacy.Identifier, Purpose: "who wrote this version",
					Basis: privacy.Contract, Retention: retention, Export: "contributions.json (versions the person wrote)", Erasure: personRef},
				{Column: "created_at", Personal: true, Category: privacy.Activity, Purpose: "when the author saved this version",
					Basis: privacy.Contract, Retention: retention, Export: "contributions.json (versions the person wrote)", Erasure: "kept with the version"},
			}},
		{Name: "document_files", Domain: "doc", Purpose: "Files attached to a document; the bytes live in file storage under blob_key and leave it with the row.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("document_id", "reference to the document"),
				{Column: "name", Personal: true, Category: privacy.Content, Purpose: "the file name the member chose; may name a person (the audit trail keeps only its SHA-256)",
					Basis: privacy.Contract, Retention: retention + "; a member can delete the file",
					Export: "contributions.json (files the person uploaded: name and digest, not the bytes)", Erasure: content},
				privacy.Not("blob_key", "storage key: the document id and a random uuid, never the file name"),
				privacy.Not("size", "size in bytes"),
				privacy.Not("sha256", "digest of the bytes"),
				privacy.Not("content_type", "media type"),
				{Column: "uploaded_by", Personal: true, Category: privacy.Identifier, Purpose: "who uploaded the file",
					Basis: privacy.Contract, Retention: retention, Export: "contributions.json (files the person uploaded)", Erasure: personRef},
				privacy.Not("uploaded_at", "when the file was uploaded; the person is in uploaded_by"),
			}},
	}
}
