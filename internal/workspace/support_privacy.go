package workspace

import "shipshape/internal/privacy"

// SupportPrivacyInventory declares support_grants (support.go): which
// workspace admin let the instance's site admins in, why, and until when.
func SupportPrivacyInventory() []privacy.Table {
	const (
		keep    = "kept with the workspace as the record of who let operators in (deleting the workspace deletes the rows)"
		export  = "not in the personal archive; workspace admins see it on the settings page and at GET /workspaces/{ws}/support-access"
		erasure = "kept; after the account's erasure it points to the account's anonymous tombstone (shown as a former member)"
	)
	return []privacy.Table{
		{Name: "support_grants", Domain: "workspace",
			Purpose: "Time-limited support access a workspace admin grants the instance's site admins; every access under it is in the workspace's audit trail (support.access).",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("workspace_id", "reference to the workspace"),
				privacy.Not("scope", "read or member: what the grant lets site admins do"),
				{Column: "reason", Personal: true, Category: privacy.Content, Purpose: "why support access was granted (free text by the granting admin; may name people)",
					Basis: privacy.LegitimateInterest, Retention: keep, Export: export, Erasure: "kept with the grant (written by the granting admin, not about a member)"},
				{Column: "granted_by", Personal: true, Category: privacy.Identifier, Purpose: "which workspace admin granted the access (accountability)",
					Basis: privacy.LegitimateInterest, Retention: keep, Export: export, Erasure: erasure},
				{Column: "granted_at", Personal: true, Category: privacy.Activity, Purpose: "when the admin granted the access",
					Basis: privacy.LegitimateInterest, Retention: keep, Export: export, Erasure: "kept with the grant"},
				privacy.Not("expires_at", "when the grant stops working (at most 30 days after it was granted)"),
				{Column: "revoked_at", Personal: true, Category: privacy.Activity, Purpose: "when an admin ended the access early (or replaced it with a new grant)",
					Basis: privacy.LegitimateInterest, Retention: keep, Export: export, Erasure: "kept with the grant"},
				{Column: "revoked_by", Personal: true, Category: privacy.Identifier, Purpose: "which workspace admin ended the access",
					Basis: privacy.LegitimateInterest, Retention: keep, Export: export, Erasure: erasure},
			}},
	}
}
