package policy

import "shipshape/internal/privacy"

// PrivacyInventory declares the published privacy policies (no personal
// data but the publishing admin) and who acknowledged which version when.
func PrivacyInventory() []privacy.Table {
	return []privacy.Table{
		{Name: "privacy_policies", Domain: "policy", Purpose: "The versions of the privacy policy site admins published, with changelog and whether each was material.",
			Fields: []privacy.Field{
				privacy.Not("version", "version number"),
				privacy.Not("body", "the policy text the operator publishes for everyone"),
				privacy.Not("changelog", "what changed, for everyone"),
				privacy.Not("material", "whether people must acknowledge it"),
				{Column: "published_by", Personal: true, Category: privacy.Identifier, Purpose: "which site admin published the version",
					Basis: privacy.LegitimateInterest, Retention: "as long as the version (the policy history is kept)",
					Export: "contributions.json (policies the person published)", Erasure: "kept as an id that no longer resolves"},
				privacy.Not("published_at", "when the version took effect; the person is in published_by"),
			}},
		{Name: "policy_acceptances", Domain: "policy", Purpose: "Who acknowledged which version of the privacy policy, and when — the record of informing them of a material change.",
			Fields: []privacy.Field{
				{Column: "user_id", Personal: true, Category: privacy.Identifier, Purpose: "who acknowledged",
					Basis: privacy.LegalObligation, Retention: "as long as the account", Export: "policy_acceptances.json", Erasure: "deleted with the account"},
				privacy.Not("version", "which version"),
				{Column: "accepted_at", Personal: true, Category: privacy.Activity, Purpose: "when they acknowledged it",
					Basis: privacy.LegalObligation, Retention: "as long as the account", Export: "policy_acceptances.json", Erasure: "deleted with the account"},
			}},
	}
}
