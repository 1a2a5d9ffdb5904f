package app

import (
	"shipshape/internal/account"
	"shipshape/internal/audit"
	"shipshape/internal/consent"
	"shipshape/internal/db"
	"shipshape/internal/doc"
	"shipshape/internal/export"
	"shipshape/internal/owner"
	"shipshape/internal/policy"
	"shipshape/internal/privacy"
	"shipshape/internal/privreq"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/retention"
	"shipshape/internal/search"
	"shipshape/internal/workspace"
)

// PrivacyInventory assembles the personal-data inventory from every
// domain's declaration. A domain with a new table adds it to its own
// privacy.go; a new domain adds its function here. TestPrivacyInventory
// fails until every column of both engines' schemas is declared.
func PrivacyInventory() privacy.Inventory {
	return privacy.New(
		account.PrivacyInventory(),
		workspace.PrivacyInventory(),
		workspace.SupportPrivacyInventory(),
		project.PrivacyInventory(),
		release.PrivacyInventory(),
		owner.PrivacyInventory(),
		doc.PrivacyInventory(),
		audit.PrivacyInventory(),
		search.PrivacyInventory(),
		consent.PrivacyInventory(),
		policy.PrivacyInventory(),
		export.PrivacyInventory(),
		retention.PrivacyInventory(),
		privreq.PrivacyInventory(),
		db.PrivacyInventory(),
	)
}
