package export

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode"

	"shipshape/internal/account"
)

// The records of each section, as they appear in the archive's JSON files.

type profile struct {
	ID                string    `json:"id"`
	Email             string    `json:"email"`
	Name              string    `json:"name"`
	Company           string    `json:"company"`
	JobTitle          string    `json:"job_title"`
	SiteAdmin         bool      `json:"site_admin"`
	AgeConfirmedAt    time.Time `json:"age_confirmed_at"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
	PasswordChangedAt time.Time `json:"password_changed_at"`
}

type membership struct {
	WorkspaceID   string    `json:"workspace_id"`
	Workspace     string    `json:"workspace"`
	WorkspaceName string    `json:"workspace_name"`
	Role          string    `json:"role"`
	JoinedAt      time.Time `json:"joined_at"`
}

type team struct {
	Workspace string    `json:"workspace"`
	Team      string    `json:"team"`
	Name      string    `json:"name"`
	JoinedAt  time.Time `json:"joined_at"`
}

type session struct {
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
}

type token struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Scopes     []account.Scope `json:"scopes"`
	CreatedAt  time.Time       `json:"created_at"`
	ExpiresAt  *time.Time      `json:"expires_at"`
	LastUsedAt *time.Time      `json:"last_used_at"`
	RevokedAt  *time.Time      `json:"revoked_at"`
}

func splitScopes(s string) []account.Scope {
	out := []account.Scope{}
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, account.Scope(p))
		}
	}
	return out
}

type auditEvent struct {
	ID          string    `json:"id"`
	Workspace   string    `json:"workspace,omitempty"` // slug; empty for site events or a deleted workspace
	Chain       string    `json:"chain"`
	Seq         int64     `json:"seq"`
	Action      string    `json:"action"`
	TargetType  string    `json:"target_type"`
	TargetID    string    `json:"target_id"`
	TargetLabel string    `json:"target_label"`
	IP          string    `json:"ip"`
	UserAgent   string    `json:"user_agent"`
	At          time.Time `json:"at"`
}

type auditAbout struct {
	ID          string    `json:"id"`
	Workspace   string    `json:"workspace,omitempty"`
	Actor       string    `json:"actor"` // a pseudonym
	Action      string    `json:"action"`
	TargetType  string    `json:"target_type"`
	TargetLabel string    `json:"target_label"`
	At          time.Time `json:"at"`
}

type projectRow struct {
	ID          string    `json:"id"`
	Workspace   string    `json:"workspace"`
	Key         string    `json:"key"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
}

type releaseRow struct {
	ID          string    `json:"id"`
	Workspace   string    `json:"workspace"`
	Project     string    `json:"project"`
	Version     string    `json:"version"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

type transitionRow struct {
	Workspace string    `json:"workspace"`
	Project   string    `json:"project"`
	Version   string    `json:"version"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

type documentRow struct {
	ID             string    `json:"id"`
	Workspace      string    `json:"workspace"`
	Project        string    `json:"project,omitempty"`
	Type           string    `json:"type"`
	Title          string    `json:"title"`
	Visibility     string    `json:"visibility"`
	CurrentVersion int       `json:"current_version"`
	YouCreated     bool      `json:"you_created"`
	YouChangedLast bool      `json:"you_changed_last"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

type versionRow struct {
	DocumentID string    `json:"document_id"`
	Version    int       `json:"version"`
	Title      string    `json:"title"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
}

type fileRow struct {
	Workspace  string `json:"workspace"`
	Project    string `json:"project,omitempty"`
	Version    string `json:"release,omitempty"`     // release files
	DocumentID string `json:"document_id,omitempty"` // document files
	Name       string `json:"name"`
	Size       int64  `json:"size"`
	SHA256     string `json:"sha256"`
	// ContentType is the media type sniffed at upload.
	ContentType string    `json:"content_type"`
	UploadedAt  time.Time `json:"uploaded_at"`
	// ArchivePath is where the bytes are in this archive; empty when they
	// are not included (a workspace the person no longer belongs to).
	ArchivePath string `json:"archive_path,omitempty"`

	id, blobKey string
	member      bool
}

// archivePath is files/<workspace>/<project>-<version>/<name> for a release
// file and files/<workspace>/document-<id>/<name> for a document file. A
// name that needs cleaning for a ZIP path gets the file's id appended, so
// paths stay unique.
func (f fileRow) archivePath() string {
	if !f.member {
		return ""
	}
	dir := "document-" + f.DocumentID
	if f.DocumentID == "" {
		dir = f.Project + "-" + f.Version
	}
	name := cleanName(f.Name)
	if name != f.Name {
		ext := path.Ext(name)
		name = strings.TrimSuffix(name, ext) + "~" + f.id + ext
	}
	return path.Join("files", cleanName(f.Workspace), cleanName(dir), name)
}

// cleanName makes s one safe path segment: no separators, control
// characters or leading dots.
func cleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, s)
	if strings.TrimLeft(s, ".") != s {
		s = "_" + strings.TrimLeft(s, ".")
	}
	if s == "" {
		s = "_"
	}
	return s
}

type ownershipPolicyRow struct {
	Workspace          string    `json:"workspace"`
	RequireAccountable bool      `json:"require_accountable"`
	UpdatedAt          time.Time `json:"updated_at"`
}

type policyPublishedRow struct {
	Version     int       `json:"version"`
	Changelog   string    `json:"changelog"`
	Material    bool      `json:"material"`
	PublishedAt time.Time `json:"published_at"`
}

type ownershipRow struct {
	Workspace  string    `json:"workspace"`
	TargetType string    `json:"target_type"`
	TargetID   string    `json:"target_id"`
	Role       string    `json:"role"`
	Owner      string    `json:"owner"`       // "you", "team <name>" or a pseudonym
	AssignedBy string    `json:"assigned_by"` // "you" or a pseudonym
	AssignedAt time.Time `json:"assigned_at"`
}

type invitationRow struct {
	Direction  string     `json:"direction"` // "received" (to your address) or "sent"
	Workspace  string     `json:"workspace"`
	Role       string     `json:"role"`
	Email      string     `json:"email,omitempty"`       // yours, for received invitations
	InvitedBy  string     `json:"invited_by,omitempty"`  // "you" or a pseudonym
	AcceptedBy string     `json:"accepted_by,omitempty"` // "you" or a pseudonym
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AcceptedAt *time.Time `json:"accepted_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

type consentChoice struct {
	Purpose   string     `json:"purpose"`
	Granted   bool       `json:"granted"`
	Default   bool       `json:"default"` // true: never chosen, the default applies
	UpdatedAt *time.Time `json:"updated_at"`
}

type consentEvent struct {
	Purpose string    `json:"purpose"`
	Granted bool      `json:"granted"`
	Source  string    `json:"source"`
	GPC     bool      `json:"gpc"`
	At      time.Time `json:"at"`
}

type acceptance struct {
	Version    int       `json:"version"`
	AcceptedAt time.Time `json:"accepted_at"`
}

// Pseudonym is how another person appears in someone's export:
// "member-" and the first 8 hex digits of the SHA-256 of their user id.
// The same person reads the same everywhere in the archive, and nothing
// in it names them.
func Pseudonym(userID string) string {
	if userID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(userID))
	return "member-" + hex.EncodeToString(sum[:4])
}

// person is "you" for the exporting person, a pseudonym for anyone else.
func person(self, id string) string {
	if id == self {
		return "you"
	}
	return Pseudonym(id)
}

// userRefRE finds user ids inside audit labels ("accountable owner of PAY:
// user 0190…").
var userRefRE = regexp.MustCompile(`\buser ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`)

// pseudonymize replaces other people's ids in an event with pseudonyms.
func pseudonymize(self string, e *auditEvent) {
	if e.TargetType == "user" && e.TargetID != self {
		e.TargetID = Pseudonym(e.TargetID)
	}
	e.TargetLabel = scrubLabel(self, e.TargetLabel)
}

func scrubLabel(self, label string) string {
	return userRefRE.ReplaceAllStringFunc(label, func(m string) string {
		id := strings.TrimPrefix(m, "user ")
		if id == self {
			return m
		}
		return "user " + Pseudonym(id)
	})
}
