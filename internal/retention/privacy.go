package retention

import "shipshape/internal/privacy"

// PrivacyInventory declares the retention tables: the periods site admins
// set (with who set them) and the record of every run of the job (with
// who started it, unless the schedule did).
func PrivacyInventory() []privacy.Table {
	const (
		runRetention = "as long as audit events (730 days by default), then deleted by the retention job"
		personRef    = "kept as an id that no longer resolves (reads as \"a former member\")"
	)
	return []privacy.Table{
		{Name: "retention_policies", Domain: "retention", Purpose: "How many days each category of data is kept and what happens then (no row: the default).",
			Fields: []privacy.Field{
				privacy.Not("category", "enum: access_logs, audit_events, sessions, login_throttle, export_archives, deleted_accounts, backups"),
				privacy.Not("keep_days", "number of days"),
				privacy.Not("action", "enum: delete, anonymise"),
				{Column: "updated_by", Personal: true, Category: privacy.Identifier, Purpose: "which site admin last set the period",
					Basis: privacy.LegitimateInterest, Retention: "as long as the setting (until the next change)",
					Export: "contributions.json (retention settings the person changed)", Erasure: personRef},
				privacy.Not("updated_at", "when the period was last set; the person is in updated_by"),
			}},
		{Name: "retention_runs", Domain: "retention", Purpose: "Every run of the retention job: when it started and finished, whether it was a dry run, and who started it.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("started_at", "when the run started"),
				privacy.Not("finished_at", "when the run finished"),
				privacy.Not("dry_run", "whether the run only counted"),
				{Column: "triggered_by", Personal: true, Category: privacy.Identifier, Purpose: "accountability: the site admin who started a run (\"schedule\" for the daily job)",
					Basis: privacy.LegitimateInterest, Retention: runRetention,
					Export: "contributions.json (retention runs the person started)", Erasure: personRef},
			}},
		{Name: "retention_run_items", Domain: "retention", Purpose: "What one run purged per category: rows and files, with the period and action it applied.",
			Fields: []privacy.Field{
				privacy.Not("run_id", "reference to the run"),
				privacy.Not("category", "enum category"),
				privacy.Not("action", "enum: delete, anonymise"),
				privacy.Not("keep_days", "the period applied"),
				privacy.Not("purged_rows", "counter"),
				privacy.Not("purged_files", "counter"),
			}},
	}
}
