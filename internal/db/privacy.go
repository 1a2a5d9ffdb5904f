package db

import "shipshape/internal/privacy"

// PrivacyInventory declares the migration runner's own table.
func PrivacyInventory() []privacy.Table {
	return []privacy.Table{
		{Name: "schema_migrations", Domain: "db", Purpose: "Which migrations have been applied.",
			Fields: []privacy.Field{
				privacy.Not("version", "migration file name"),
				privacy.Not("applied_at", "when the migration ran"),
			}},
	}
}
