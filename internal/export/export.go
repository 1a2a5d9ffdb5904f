// Package export builds "Download my data": a ZIP archive of everything
// Shipshape holds about one person — profile, memberships, teams, sessions,
// tokens (never their secrets), the audit events they performed or that are
// about them, what they created and wrote, the files they uploaded (with the
// bytes), consents and policy acknowledgements — with manifest.json (schema
// version, sections, SHA-256 of every file) and an index.html to read
// offline. Other people appear only as pseudonyms ("member-1a2b3c4d") or
// team names, never with their names or e-mail addresses.
//
// A request queues a row in exports; a background job (RunDue, also started
// right after the request commits) claims it with
// UPDATE … SET status = 'running' WHERE status = 'queued', so several
// instances can run the job at once, and streams the ZIP straight into file
// storage: every section is read from the database in pages and encoded one
// element at a time, so exporting 100,000 events holds one page in memory.
// The archive can be downloaded only by its owner until it expires (48 hours
// by default); Expire then deletes the object and marks the row expired.
//
// The export reads other domains' tables directly (store.go), like search
// does: it is a read-only view across every domain, and going through each
// domain's permission-checked service would neither stream nor see what the
// person wrote in workspaces they have left.
package export

import "time"

// Status is where an export is in its life.
type Status string

const (
	Queued  Status = "queued"
	Running Status = "running"
	Ready   Status = "ready"
	Failed  Status = "failed"
	Expired Status = "expired"
)

// Active reports whether the export is still being prepared.
func (s Status) Active() bool { return s == Queued || s == Running }

// Export is one requested archive.
type Export struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	// Progress is the step being written while the archive is built, e.g.
	// "40%: audit.json (12000 records)".
	Progress    string     `json:"progress,omitempty"`
	Size        *int64     `json:"size,omitempty"`   // bytes of the ZIP, once ready
	SHA256      string     `json:"sha256,omitempty"` // of the ZIP, once ready
	Error       string     `json:"error,omitempty"`
	RequestedAt time.Time  `json:"requested_at"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`

	userID  string
	blobKey string
}

// FileName is the name the archive is downloaded as.
func (e Export) FileName() string {
	at := e.RequestedAt
	if e.FinishedAt != nil {
		at = *e.FinishedAt
	}
	return "shipshape-my-data-" + at.UTC().Format("2006-01-02") + ".zip"
}

// SchemaVersion is the version of the archive's layout, in manifest.json.
const SchemaVersion = 1

// DefaultTTL is how long a ready archive can be downloaded.
const DefaultTTL = 48 * time.Hour
