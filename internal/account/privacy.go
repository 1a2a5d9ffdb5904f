package account

import "shipshape/internal/privacy"

// PrivacyInventory declares the personal data of accounts: users,
// sessions, personal access tokens, the sign-in throttle and site settings.
// internal/app assembles every domain's declaration; a test there fails
// when a column of the schema is missing here.
func PrivacyInventory() []privacy.Table {
	const (
		lifeOfAccount = "for the life of the account (account deletion: planned)"
		onErasure     = "deleted with the account"
	)
	return []privacy.Table{
		{Name: "users", Domain: "account", Purpose: "Accounts: who can sign in, and the profile other members see.",
			Fields: []privacy.Field{
				{Column: "id", Personal: true, Category: privacy.Identifier, Purpose: "the account's key; every reference to the person uses it",
					Basis: privacy.Contract, Retention: lifeOfAccount, Export: "profile.json",
					Erasure: "the row is deleted; references elsewhere keep the id, which then reads as \"a former member\""},
				{Column: "email", Personal: true, Category: privacy.Contact, Purpose: "sign-in name; shown to workspace owners and admins",
					Basis: privacy.Contract, Retention: lifeOfAccount, Export: "profile.json", Erasure: onErasure},
				{Column: "name", Personal: true, Category: privacy.Account, Purpose: "shown to the members of the person's workspaces",
					Basis: privacy.Contract, Retention: lifeOfAccount, Export: "profile.json", Erasure: onErasure},
				{Column: "password_hash", Personal: true, Category: privacy.Credentials, Purpose: "sign-in (argon2id hash, never the password)",
					Basis: privacy.Contract, Retention: lifeOfAccount, Export: "not exported (a secret's hash)", Erasure: onErasure},
				{Column: "company", Personal: true, Category: privacy.Account, Purpose: "optional profile field the person fills in",
					Basis: privacy.Consent, Retention: lifeOfAccount + "; the person can clear it", Export: "profile.json", Erasure: onErasure},
				{Column: "job_title", Personal: true, Category: privacy.Account, Purpose: "optional profile field the person fills in",
					Basis: privacy.Consent, Retention: lifeOfAccount + "; the person can clear it", Export: "profile.json", Erasure: onErasure},
				{Column: "site_admin", Personal: true, Category: privacy.Account, Purpose: "whether the person administers this server",
					Basis: privacy.Contract, Retention: lifeOfAccount, Export: "profile.json", Erasure: onErasure},
				{Column: "age_confirmed_at", Personal: true, Category: privacy.Account, Purpose: "proof that the person confirmed the minimum age (13) at sign-up",
					Basis: privacy.LegalObligation, Retention: lifeOfAccount, Export: "profile.json", Erasure: onErasure},
				{Column: "created_at", Personal: true, Category: privacy.Account, Purpose: "when the account was created",
					Basis: privacy.Contract, Retention: lifeOfAccount, Export: "profile.json", Erasure: onErasure},
				{Column: "updated_at", Personal: true, Category: privacy.Account, Purpose: "when the profile last changed",
					Basis: privacy.Contract, Retention: lifeOfAccount, Export: "profile.json", Erasure: onErasure},
				{Column: "password_changed_at", Personal: true, Category: privacy.Account, Purpose: "security: when the password last changed",
					Basis: privacy.LegitimateInterest, Retention: lifeOfAccount, Export: "profile.json", Erasure: onErasure},
				{Column: "deletion_scheduled_for", Personal: true, Category: privacy.Account, Purpose: "when the person's requested account deletion takes effect (cancellable until then)",
					Basis: privacy.LegalObligation, Retention: "until the deletion happens or is cancelled", Export: "profile.json", Erasure: "cleared by the erasure"},
				privacy.Not("erased_at", "when the row became a tombstone; from then on the row holds no personal data"),
				{Column: "restricted_at", Personal: true, Category: privacy.Account, Purpose: "since when the person restricted the processing of their data (GDPR Art. 18)",
					Basis: privacy.LegalObligation, Retention: "until the person lifts the restriction", Export: "profile.json", Erasure: "cleared by the erasure"},
			}},
		{Name: "sessions", Domain: "account", Purpose: "Signed-in browser sessions (the session cookie is the only cookie).",
			Fields: sessionFields()},
		{Name: "tokens", Domain: "account", Purpose: "Personal access tokens for the API and CI pipelines.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id of the token"),
				{Column: "user_id", Personal: true, Category: privacy.Identifier, Purpose: "whose token it is",
					Basis: privacy.Contract, Retention: tokenRetention, Export: "tokens.json", Erasure: onErasure},
				{Column: "name", Personal: true, Category: privacy.Content, Purpose: "a label the person chose, e.g. ci-pipeline",
					Basis: privacy.Contract, Retention: tokenRetention, Export: "tokens.json", Erasure: onErasure},
				{Column: "token_hash", Personal: true, Category: privacy.Credentials, Purpose: "authenticates API calls (SHA-256, never the token)",
					Basis: privacy.Contract, Retention: tokenRetention, Export: "not exported (a secret's hash)", Erasure: onErasure},
				privacy.Not("scopes", "enum list: read, write"),
				{Column: "created_at", Personal: true, Category: privacy.Account, Purpose: "when the person created the token",
					Basis: privacy.Contract, Retention: tokenRetention, Export: "tokens.json", Erasure: onErasure},
				{Column: "expires_at", Personal: true, Category: privacy.Account, Purpose: "the lifetime the person chose",
					Basis: privacy.Contract, Retention: tokenRetention, Export: "tokens.json", Erasure: onErasure},
				{Column: "last_used_at", Personal: true, Category: privacy.Activity, Purpose: "security: lets the person spot unused or misused tokens (written at most once a minute)",
					Basis: privacy.LegitimateInterest, Retention: tokenRetention, Export: "tokens.json", Erasure: onErasure},
				{Column: "revoked_at", Personal: true, Category: privacy.Account, Purpose: "when the person revoked the token",
					Basis: privacy.Contract, Retention: tokenRetention, Export: "tokens.json", Erasure: onErasure},
			}},
		{Name: "login_throttle", Domain: "account", Purpose: "Counts failed sign-ins per account and per IP address (15-minute window) against password guessing; shared by every instance.",
			Fields: []privacy.Field{
				{Column: "key", Personal: true, Category: privacy.Identifier, Purpose: "what is counted: \"acct:<e-mail>\" or \"ip:<address>\"",
					Basis: privacy.LegitimateInterest, Retention: throttleRetention,
					Export: "not exported (a short-lived security counter)", Erasure: "deleted (the account's row; the IP's row is not linked to the account)"},
				{Column: "window_start", Personal: true, Category: privacy.Activity, Purpose: "when the current 15-minute window began",
					Basis: privacy.LegitimateInterest, Retention: throttleRetention,
					Export: "not exported (a short-lived security counter)", Erasure: "deleted with the row"},
				{Column: "failures", Personal: true, Category: privacy.Activity, Purpose: "failed (or in-flight) attempts in the window",
					Basis: privacy.LegitimateInterest, Retention: throttleRetention,
					Export: "not exported (a short-lived security counter)", Erasure: "deleted with the row"},
			}},
		{Name: "settings", Domain: "account", Purpose: "Site-wide settings a site admin manages (today: the sign-up mode).",
			Fields: []privacy.Field{
				privacy.Not("key", "setting name"),
				privacy.Not("value", "setting value, e.g. open or invite; no setting holds personal data"),
			}},
		{Name: "erasures", Domain: "account", Purpose: "The deletion ledger: which accounts were erased, so that a restored older backup erases them again (also kept in file storage, outside the database).",
			Fields: []privacy.Field{
				privacy.Not("subject_id", "the erased account's id, which now names only its tombstone"),
				privacy.Not("tombstone", "the tombstone's display name (\"Former member 7f3a\"), derived from the id"),
				privacy.Not("erased_at", "when the erasure happened"),
			}},
	}
}

const (
	tokenRetention = "until deleted (retention job: planned); revoking keeps the row, so revoked and expired tokens stay listed"
	// Login throttle rows are short-lived in effect: a successful sign-in
	// deletes the account's row and a new window restarts an old one.
	throttleRetention = "short-lived: counts only within 15 minutes; a successful sign-in deletes the account's row, " +
		"other rows are deleted by the retention job once their window started more than 1 day ago (retention category login_throttle)"
)

func sessionFields() []privacy.Field {
	const (
		retention = "until sign-out, password change, or expiry: idle 7 days / absolute 30 days by default (SHIPSHAPE_SESSION_IDLE, " +
			"SHIPSHAPE_SESSION_MAX); an expired row is deleted when presented, others by the retention job 30 days after they expired (retention category sessions)"
		details = "as long as the session, and at most 90 days: the retention job blanks it then (retention category access_logs)"
		export  = "sessions.json"
		erasure = "deleted with the account"
	)
	return []privacy.Field{
		{Column: "id", Personal: true, Category: privacy.Credentials, Purpose: "finds the session from the cookie (SHA-256 of the cookie value)",
			Basis: privacy.Contract, Retention: retention, Export: "not exported (a secret's hash)", Erasure: erasure},
		{Column: "user_id", Personal: true, Category: privacy.Identifier, Purpose: "whose session it is",
			Basis: privacy.Contract, Retention: retention, Export: export, Erasure: erasure},
		{Column: "created_at", Personal: true, Category: privacy.Activity, Purpose: "when the person signed in",
			Basis: privacy.Contract, Retention: retention, Export: export, Erasure: erasure},
		{Column: "last_seen_at", Personal: true, Category: privacy.Activity, Purpose: "idle expiry (written at most once a minute)",
			Basis: privacy.Contract, Retention: retention, Export: export, Erasure: erasure},
		{Column: "expires_at", Personal: true, Category: privacy.Activity, Purpose: "absolute expiry: sign-in time plus the session maximum",
			Basis: privacy.Contract, Retention: retention, Export: export, Erasure: erasure},
		{Column: "ip", Personal: true, Category: privacy.Device, Purpose: "security: the client address that signed in (recorded, not shown yet)",
			Basis: privacy.LegitimateInterest, Retention: details, Export: export, Erasure: erasure},
		{Column: "user_agent", Personal: true, Category: privacy.Device, Purpose: "security: the browser that signed in (recorded, not shown yet)",
			Basis: privacy.LegitimateInterest, Retention: details, Export: export, Erasure: erasure},
	}
}
