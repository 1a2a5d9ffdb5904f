package audit

import "shipshape/internal/privacy"

// PrivacyInventory declares the personal data of the audit trail. Events
// are hash-chained, so what the hash covers is kept for the chain's
// integrity; the client details (IP, user agent) are covered only through
// details_hash so that they can be erased without breaking the chain.
func PrivacyInventory() []privacy.Table {
	const (
		retention = "730 days by default (retention category audit_events, set by site admins), then deleted by the retention job " +
			"from the oldest end of the workspace's chain (the site chain for account events), which keeps verifying from its new anchor"
		details = "90 days by default (retention category access_logs), then blanked by the retention job; the chain still verifies"
		chained = "kept: covered by the hash chain (tamper evidence)"
		export  = "audit.json (events the person performed or that are about them)"
	)
	return []privacy.Table{
		{Name: "audit_chains", Domain: "audit", Purpose: "The head (sequence and hash) of each workspace's audit hash chain.",
			Fields: []privacy.Field{
				privacy.Not("chain", "workspace id or \"site\""),
				privacy.Not("seq", "sequence number of the head"),
				privacy.Not("hash", "hash of the head event"),
				privacy.Not("anchor_seq", "sequence number of the last event the retention job deleted (the chain starts after it)"),
				privacy.Not("anchor_hash", "hash of that event"),
			}},
		{Name: "audit_events", Domain: "audit", Purpose: "Every change, recorded in the same transaction as the change: who did what to which object, when, and from where.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("chain", "workspace id or \"site\""),
				privacy.Not("seq", "position in the chain"),
				privacy.Not("workspace_id", "reference to the workspace"),
				{Column: "actor_id", Personal: true, Category: privacy.Identifier, Purpose: "accountability: who made the change",
					Basis: privacy.LegitimateInterest, Retention: retention, Export: export,
					Erasure: chained + "; the id no longer resolves once the account is erased (reads as \"a former member\")"},
				{Column: "action", Personal: true, Category: privacy.Activity, Purpose: "accountability: what the person did, e.g. project.create",
					Basis: privacy.LegitimateInterest, Retention: retention, Export: export, Erasure: chained},
				privacy.Not("target_type", "enum: the kind of object changed"),
				{Column: "target_id", Personal: true, Category: privacy.Identifier, Purpose: "the object changed; a user id when the event is about a person (role change, removal, session)",
					Basis: privacy.LegitimateInterest, Retention: retention, Export: export, Erasure: chained},
				{Column: "target_label", Personal: true, Category: privacy.Content,
					Purpose: "a readable label at the time: project keys, release versions, release file names, owner ids (document titles and file names only as SHA-256; no names of people or tokens)",
					Basis:   privacy.LegitimateInterest, Retention: retention, Export: export,
					Erasure: chained + "; legal hold: events written before token names were left out of the trail still carry the token's name until retention prunes them"},
				{Column: "ip", Personal: true, Category: privacy.Device, Purpose: "security: the client address of the change; shown to workspace owners and admins",
					Basis: privacy.LegitimateInterest, Retention: details, Export: export,
					Erasure: "blanked; the chain still verifies because it covers only details_hash"},
				{Column: "user_agent", Personal: true, Category: privacy.Device, Purpose: "security: the client software of the change; shown to workspace owners and admins",
					Basis: privacy.LegitimateInterest, Retention: details, Export: export,
					Erasure: "blanked; the chain still verifies because it covers only details_hash"},
				{Column: "details_hash", Personal: true, Category: privacy.Device, Purpose: "lets the chain cover ip and user agent while they stay erasable (SHA-256 of both)",
					Basis: privacy.LegitimateInterest, Retention: retention, Export: "not exported (a hash)",
					Erasure: chained + "; a one-way hash, useless without the erased values"},
				{Column: "at", Personal: true, Category: privacy.Activity, Purpose: "accountability: when the person made the change",
					Basis: privacy.LegitimateInterest, Retention: retention, Export: export, Erasure: chained},
				privacy.Not("prev_hash", "hash of the previous event"),
				privacy.Not("hash", "hash of this event"),
			}},
	}
}
