package project

import "shipshape/internal/privacy"

// PrivacyInventory declares the personal data of projects and components:
// their descriptions are free text members write, and a project records
// who created it.
func PrivacyInventory() []privacy.Table {
	const (
		retention = "as long as the project: until a member deletes it (retention job: planned)"
		content   = "kept: the workspace's content, edited or deleted by its members, not by erasing an account"
		creator   = "kept as an id that no longer resolves (reads as \"a former member\")"
	)
	return []privacy.Table{
		{Name: "projects", Domain: "project", Purpose: "Projects of a workspace (a product or service that is released).",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("workspace_id", "reference to the workspace"),
				privacy.Not("key", "short project key such as PAY"),
				privacy.Not("name", "the product's name"),
				{Column: "description", Personal: true, Category: privacy.Content, Purpose: "Markdown description members write; may mention people",
					Basis: privacy.Contract, Retention: retention, Export: "contributions.json (projects the person created)", Erasure: content},
				privacy.Not("archived_at", "when the project was archived"),
				{Column: "created_by", Personal: true, Category: privacy.Identifier, Purpose: "who created the project",
					Basis: privacy.Contract, Retention: retention, Export: "contributions.json (projects the person created)", Erasure: creator},
				privacy.Not("created_at", "when the project was created; the person is in created_by"),
				privacy.Not("updated_at", "when the project last changed"),
			}},
		{Name: "components", Domain: "project", Purpose: "Components of a project (services, libraries, apps).",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("project_id", "reference to the project"),
				privacy.Not("slug", "the component's short name"),
				privacy.Not("name", "the component's name"),
				{Column: "description", Personal: true, Category: privacy.Content, Purpose: "Markdown description members write; may mention people",
					Basis: privacy.Contract, Retention: "as long as the component or its project: until a member deletes it (retention job: planned)",
					Export: "not in a person's export: no author is recorded; part of the workspace's data", Erasure: content},
				privacy.Not("created_at", "when the component was created"),
				privacy.Not("updated_at", "when the component last changed"),
			}},
	}
}
