// Package retention keeps data only as long as its category's policy says:
// a site admin sets how many days each category is kept (no row: the
// default below), and a job that runs once a day deletes or anonymises what
// is older, recording every run with what it purged per category.
//
// What a run does per category today:
//
//   - access_logs (90 days, anonymise): blanks the IP address and user agent
//     of audit events and of sessions older than the period. The audit hash
//     chain covers them only through details_hash, so it still verifies.
//   - audit_events (730 days, delete): deletes each audit chain's events
//     older than the period from the oldest end and moves the chain's anchor
//     to the last deleted event (audit.Prune), so Verify still passes.
//   - sessions (30 days, delete): deletes sessions that expired (absolute
//     expiry or idle timeout) more than the period ago.
//   - login_throttle (1 day, delete): deletes sign-in throttle counters whose
//     window started more than the period ago (a window lasts 15 minutes).
//   - export_archives (2 days) and deleted_accounts (7 days grace): their
//     features apply the period themselves, read through Period — the
//     export expiry job deletes archives when it ends, the erasure job
//     erases accounts when the grace ends — so a run reports 0 for them.
//   - backups (7 days): Shipshape makes no backups on its own yet
//     (`shipshape backup` writes where the operator says); a run reports 0.
package retention

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"shipshape/internal/apperr"
)

// Category is a kind of data with its own retention period.
type Category string

const (
	AccessLogs      Category = "access_logs"
	AuditEvents     Category = "audit_events"
	Sessions        Category = "sessions"
	LoginThrottle   Category = "login_throttle"
	ExportArchives  Category = "export_archives"
	DeletedAccounts Category = "deleted_accounts"
	Backups         Category = "backups"
)

// Action is what a run does to data older than the period.
type Action string

const (
	Delete    Action = "delete"
	Anonymise Action = "anonymise"
)

// Scheduled is the triggered_by of runs the daily job started.
const Scheduled = "schedule"

// Every is how often the job starts a scheduled run.
const Every = 24 * time.Hour

// maxKeepDays bounds every period (ten years).
const maxKeepDays = 3650

// Spec is what Shipshape knows about a category: its default, the bounds
// and actions an admin may choose, and what a run does.
type Spec struct {
	Category    Category `json:"category"`
	Label       string   `json:"label"`
	Description string   `json:"description"`
	DefaultDays int      `json:"default_keep_days"`
	Default     Action   `json:"default_action"`
	Actions     []Action `json:"actions"`  // allowed actions
	MinDays     int      `json:"min_days"` // smallest allowed period
}

// Specs lists every category in the order a run applies them: access logs
// are anonymised before old audit events are deleted, so a dry run counts
// what the real run then does.
func Specs() []Spec {
	return []Spec{
		{Category: AccessLogs, Label: "Access logs", DefaultDays: 90, Default: Anonymise, Actions: []Action{Anonymise}, MinDays: 1,
			Description: "IP addresses and user agents recorded with audit events and sessions: blanked after the period (the audit chain still verifies)."},
		{Category: AuditEvents, Label: "Audit events", DefaultDays: 730, Default: Delete, Actions: []Action{Delete}, MinDays: 365, // a site admin must not be able to erase the trail of their own support access and privacy-desk work quickly
			Description: "The activity record: events older than the period are deleted from the oldest end of each chain, which then verifies from its new start."},
		{Category: Sessions, Label: "Expired sessions", DefaultDays: 30, Default: Delete, Actions: []Action{Delete}, MinDays: 1,
			Description: "Sign-in sessions deleted once they expired (idle or absolute limit) more than the period ago."},
		{Category: LoginThrottle, Label: "Sign-in throttle", DefaultDays: 1, Default: Delete, Actions: []Action{Delete}, MinDays: 1,
			Description: "Failed sign-in counters per account and IP address; a counter only matters for 15 minutes."},
		{Category: ExportArchives, Label: "Export archives", DefaultDays: 2, Default: Delete, Actions: []Action{Delete}, MinDays: 1,
			Description: "Personal data exports people downloaded or not: the download link ends and the archive is deleted after the period (48 hours by default), by the export expiry job."},
		{Category: DeletedAccounts, Label: "Deleted accounts", DefaultDays: 7, Default: Delete, Actions: []Action{Delete}, MinDays: 1,
			Description: "The grace period after someone deletes their account, during which they can cancel; then the erasure job erases it. Applies to deletions asked for after the change."},
		{Category: Backups, Label: "Backups", DefaultDays: 7, Default: Delete, Actions: []Action{Delete}, MinDays: 1,
			Description: "Database backups the server makes itself, deleted after the period (none yet: shipshape backup writes where the operator says)."},
	}
}

// SpecOf returns the category's spec.
func SpecOf(c Category) (Spec, bool) {
	for _, s := range Specs() {
		if s.Category == c {
			return s, true
		}
	}
	return Spec{}, false
}

// Counts is what a run purged (or would purge) in one category.
type Counts struct {
	Rows  int `json:"rows"`
	Files int `json:"files"`
}

// Policy is a category's period and action, with the category's spec and
// what the last real run purged in it.
type Policy struct {
	Spec
	KeepDays  int        `json:"keep_days"`
	Action    Action     `json:"action"`
	UpdatedAt *time.Time `json:"updated_at"` // nil: the default applies
	UpdatedBy string     `json:"updated_by,omitempty"`
	// LastRun is when the last finished real run started; Purged is what
	// it purged in this category.
	LastRun *time.Time `json:"last_run"`
	Purged  Counts     `json:"purged"`
}

// Item is one category of a run.
type Item struct {
	Category Category `json:"category"`
	Action   Action   `json:"action"`
	KeepDays int      `json:"keep_days"`
	Counts
}

// Run is one run of the retention job.
type Run struct {
	ID          string     `json:"id"`
	StartedAt   time.Time  `json:"started_at"`
	FinishedAt  *time.Time `json:"finished_at"` // nil: still running, or it failed (see the server log)
	DryRun      bool       `json:"dry_run"`
	TriggeredBy string     `json:"triggered_by"` // "schedule" or the id of the site admin
	Items       []Item     `json:"items"`
}

// Total is the rows and files of every category.
func (r Run) Total() Counts {
	var c Counts
	for _, it := range r.Items {
		c.Rows += it.Rows
		c.Files += it.Files
	}
	return c
}

// Overview is what the admin page and GET /admin/retention show.
type Overview struct {
	Policies []Policy `json:"policies"`
	// LastScheduled is the start of the last run the daily job started;
	// NextRun when it starts the next (nil: within a minute, as it never
	// ran or is overdue).
	LastScheduled *time.Time `json:"last_scheduled_run"`
	NextRun       *time.Time `json:"next_run"`
	Runs          []Run      `json:"runs"` // the last 10, newest first
}

// PolicyInput sets one category's period and action.
type PolicyInput struct {
	Category Category `json:"category"`
	KeepDays int      `json:"keep_days"`
	Action   Action   `json:"action"` // "" keeps the default action
}

// UpdateInput changes the policies it lists; others stay as they are.
type UpdateInput struct {
	Policies []PolicyInput `json:"policies"`
}

func (in *UpdateInput) validate() error {
	v := apperr.Validator{}
	v.Check(len(in.Policies) > 0, "policies", "list at least one category")
	seen := map[Category]bool{}
	for i := range in.Policies {
		p := &in.Policies[i]
		field := "policies[" + strconv.Itoa(i) + "]."
		spec, ok := SpecOf(p.Category)
		if !ok {
			v.Check(false, field+"category", "must be one of "+categoryNames())
			continue
		}
		v.Check(!seen[p.Category], field+"category", "appears twice")
		seen[p.Category] = true
		if p.Action == "" {
			p.Action = spec.Default
		}
		v.Check(slices.Contains(spec.Actions, p.Action), field+"action", "must be "+actionNames(spec.Actions)+" for "+string(p.Category))
		v.Check(p.KeepDays >= spec.MinDays && p.KeepDays <= maxKeepDays, field+"keep_days",
			fmt.Sprintf("must be a whole number of days from %d to %d", spec.MinDays, maxKeepDays))
	}
	return v.Err()
}

func categoryNames() string {
	var names []string
	for _, s := range Specs() {
		names = append(names, string(s.Category))
	}
	return strings.Join(names, ", ")
}

func actionNames(a []Action) string {
	var names []string
	for _, x := range a {
		names = append(names, string(x))
	}
	return strings.Join(names, " or ")
}
