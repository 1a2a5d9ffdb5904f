package consent

import "shipshape/internal/privacy"

// PrivacyInventory declares a person's consent choices and the ledger of
// every change: kept to show what they agreed to and when (the proof a
// consent-based purpose needs), and erased with the account.
func PrivacyInventory() []privacy.Table {
	const (
		retention = "as long as the account"
		erasure   = "deleted with the account"
		export    = "consents.json"
	)
	choice := func(col, purpose string, cat privacy.Category) privacy.Field {
		return privacy.Field{Column: col, Personal: true, Category: cat, Purpose: purpose, Basis: privacy.LegalObligation,
			Retention: retention, Export: export, Erasure: erasure}
	}
	return []privacy.Table{
		{Name: "consents", Domain: "consent", Purpose: "Each person's current choice per optional purpose (product e-mails, marketing e-mails, product analytics); no row means the default.",
			Fields: []privacy.Field{
				choice("user_id", "whose choice", privacy.Identifier),
				privacy.Not("purpose", "enum purpose"),
				choice("granted", "the choice: given or withdrawn", privacy.Account),
				choice("updated_at", "when the person last changed it", privacy.Activity),
			}},
		{Name: "consent_events", Domain: "consent", Purpose: "The consent ledger: every change of a choice — what, when, how, and whether a browser privacy signal was present.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				choice("user_id", "whose choice", privacy.Identifier),
				privacy.Not("purpose", "enum purpose"),
				choice("granted", "the choice made", privacy.Account),
				choice("source", "how it was made: the web page or the API", privacy.Activity),
				choice("gpc", "whether the browser sent Sec-GPC or DNT", privacy.Device),
				choice("at", "when it was made", privacy.Activity),
			}},
	}
}
