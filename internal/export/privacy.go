package export

import "shipshape/internal/privacy"

// PrivacyInventory declares the exports table: who asked for an archive of
// their data and when. The archive itself lives in file storage and is
// deleted 48 hours after it is ready (the "export expiry" job).
func PrivacyInventory() []privacy.Table {
	const retention = "the archive (in file storage): 48 hours after it is ready, then the export expiry job deletes it; " +
		"the row stays, marked expired, as the record of the request until the account is deleted"
	return []privacy.Table{
		{Name: "exports", Domain: "export", Purpose: "\"Download my data\": each archive a person asked for, its progress, and where the ZIP is until it expires.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				{Column: "user_id", Personal: true, Category: privacy.Identifier, Purpose: "whose archive it is; only they can download it",
					Basis: privacy.LegalObligation, Retention: retention,
					Export: "not exported: the bookkeeping of the export itself (shown on the person's privacy page)", Erasure: "deleted, the archive with it (export.Service.EraseUser; ON DELETE CASCADE when the row goes)"},
				privacy.Not("status", "enum: queued, running, ready, failed, expired"),
				privacy.Not("progress", "the step being written, e.g. \"40%: audit.json\""),
				privacy.Not("blob_key", "storage key: exports/<export id>.zip"),
				privacy.Not("size", "size of the archive in bytes"),
				privacy.Not("sha256", "digest of the archive"),
				privacy.Not("error", "a fixed message when building failed (never the person's data)"),
				{Column: "requested_at", Personal: true, Category: privacy.Activity, Purpose: "when the person asked for their data (shown on their privacy page)",
					Basis: privacy.LegalObligation, Retention: retention,
					Export: "not exported: the bookkeeping of the export itself (the request is also in audit.json as export.request)", Erasure: "deleted with the row"},
				privacy.Not("started_at", "when the background job began building (the person is in requested_at)"),
				privacy.Not("finished_at", "when the archive was ready or failed"),
				{Column: "downloaded_at", Personal: true, Category: privacy.Activity, Purpose: "when the person first downloaded the archive (until then every page tells them it is ready)",
					Basis: privacy.LegalObligation, Retention: "as long as the export row", Export: "not exported (it describes the export itself)", Erasure: "deleted with the export"},
				privacy.Not("expires_at", "finished_at plus 48 hours"),
			}},
	}
}
