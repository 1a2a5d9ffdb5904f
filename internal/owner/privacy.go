package owner

import "shipshape/internal/privacy"

// PrivacyInventory declares the personal data of ownership: which person
// (or team) owns what, and who assigned it. An owner who left stays on
// record so the ownership map can report the gap.
func PrivacyInventory() []privacy.Table {
	const (
		retention = "until the ownership is removed or transferred, or its target deleted; an owner who left stays on record as a gap until transferred (retention job: planned)"
		export    = "ownerships.json"
		personRef = "kept as an id that no longer resolves: the ownership map shows the gap until someone transfers it"
	)
	return []privacy.Table{
		{Name: "owners", Domain: "owner", Purpose: "Typed owners (accountable, technical, security, privacy) of projects, components, releases and documents; a user or a team.",
			Fields: []privacy.Field{
				privacy.Not("workspace_id", "reference to the workspace"),
				privacy.Not("target_type", "enum: project, component, release, document"),
				privacy.Not("target_id", "id of the owned project, component, release or document"),
				{Column: "role", Personal: true, Category: privacy.Account, Purpose: "the responsibility a person holds (when owner_kind is user)",
					Basis: privacy.Contract, Retention: retention, Export: export, Erasure: "kept with the ownership (see owner_id)"},
				privacy.Not("owner_kind", "enum: user or team"),
				{Column: "owner_id", Personal: true, Category: privacy.Identifier, Purpose: "the owning person's user id (or a team id)",
					Basis: privacy.Contract, Retention: retention, Export: export, Erasure: personRef},
				{Column: "assigned_by", Personal: true, Category: privacy.Identifier, Purpose: "who assigned the owner",
					Basis: privacy.LegitimateInterest, Retention: retention, Export: export + " (ownerships the person assigned)",
					Erasure: "kept as an id that no longer resolves (reads as \"a former member\")"},
				{Column: "assigned_at", Personal: true, Category: privacy.Activity, Purpose: "when the ownership was assigned",
					Basis: privacy.LegitimateInterest, Retention: retention, Export: export, Erasure: "kept with the ownership"},
			}},
		{Name: "ownership_policies", Domain: "owner", Purpose: "Per-workspace ownership rules (one accountable owner required or not).",
			Fields: []privacy.Field{
				privacy.Not("workspace_id", "reference to the workspace"),
				privacy.Not("require_accountable", "boolean rule"),
				{Column: "updated_by", Personal: true, Category: privacy.Identifier, Purpose: "who last changed the policy",
					Basis: privacy.LegitimateInterest, Retention: "as long as the workspace; overwritten by the next change",
					Export: "contributions.json (policy changes the person made)", Erasure: "kept as an id that no longer resolves (reads as \"a former member\")"},
				privacy.Not("updated_at", "when the policy last changed"),
			}},
	}
}
