package export

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"time"

	"shipshape/internal/consent"
	"shipshape/internal/db"
)

// manifestEntry is one file of the archive in manifest.json.
type manifestEntry struct {
	Path        string `json:"path"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Records     *int   `json:"records,omitempty"`
	Bytes       int64  `json:"bytes"`
	SHA256      string `json:"sha256"`
}

type manifest struct {
	SchemaVersion int             `json:"schema_version"`
	GeneratedAt   time.Time       `json:"generated_at"`
	ExportID      string          `json:"export_id"`
	UserID        string          `json:"user_id"`
	Notes         []string        `json:"notes"`
	Sections      []manifestEntry `json:"sections"`
	Files         []manifestEntry `json:"files"`
	MissingFiles  []string        `json:"missing_files,omitempty"`
}

var notes = []string{
	"Every file of this archive is listed here with its size and SHA-256; manifest.json itself is written last and is not listed.",
	"Other people appear only as pseudonyms — \"member-\" and the first 8 hex digits of the SHA-256 of their account id, the same everywhere in this archive — or as team names; never with their names or e-mail addresses.",
	"Secrets are never exported: no password hash, no session id, no token hash.",
	"files/ holds the bytes of the release and document files you uploaded, only for workspaces you are still a member of; files you uploaded elsewhere are listed in contributions.json with name, size and SHA-256 but without their bytes.",
	"audit.json lists the events you performed (with the IP address and browser recorded) and the events others performed about you (without their address or browser).",
}

// sectionInfo describes each JSON file, for manifest.json and index.html.
var sectionInfo = []struct{ file, title, description string }{
	{"profile.json", "Profile", "Your account: e-mail address, name, company, job title, whether you administer this server, and when you confirmed your age, signed up, and last changed your profile and password."},
	{"memberships.json", "Workspaces", "The workspaces you belong to, with your role and when you joined."},
	{"teams.json", "Teams", "The teams you are on, and since when."},
	{"sessions.json", "Sessions", "Your signed-in browser sessions: when they started, were last used and expire, with the IP address and browser. Never the session id."},
	{"tokens.json", "Access tokens", "Your personal access tokens: name, scopes, when created, last used, when they expire or were revoked. Never the token or its hash."},
	{"audit.json", "Activity", "\"performed\": every change recorded with you as the actor, with the IP address and browser. \"about_you\": changes others made about you (your role, your team membership), their author as a pseudonym."},
	{"contributions.json", "Contributions", "What you created or wrote: projects, releases, release moves with their reasons, documents, every document version you wrote (title and body), files you uploaded (name, size, SHA-256), ownership-policy changes and privacy-policy versions you published."},
	{"ownerships.json", "Ownerships", "What you own (projects, components, releases, documents) and the ownerships you assigned to others."},
	{"invitations.json", "Invitations", "Invitations to your e-mail address, and the ones you sent (without the invitee's address)."},
	{"consents.json", "Consents", "Your choices for optional processing (product e-mails, marketing e-mails, product analytics) and the ledger of every change."},
	{"policy_acceptances.json", "Privacy policy", "The versions of the privacy policy you acknowledged, and when."},
}

// archive writes one export.
type archive struct {
	s       *Service
	ctx     context.Context
	q       db.Querier
	zw      *zip.Writer
	e       Export
	user    string
	at      time.Time
	man     manifest
	summary indexData
	lastLog time.Time
}

// counter counts and hashes what is written through it.
type counter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

// entry opens a file in the ZIP; close it with done.
func (a *archive) entry(name string, method uint16) (*counter, error) {
	w, err := a.zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: a.at})
	if err != nil {
		return nil, err
	}
	return &counter{w: w, h: sha256.New()}, nil
}

func (c *counter) sum() string { return hex.EncodeToString(c.h.Sum(nil)) }

// writeArchive writes the whole ZIP to w.
func (s *Service) writeArchive(ctx context.Context, w io.Writer, e Export) error {
	a := &archive{s: s, ctx: ctx, q: s.DB, zw: zip.NewWriter(w), e: e, user: e.userID, at: s.now()}
	a.man = manifest{SchemaVersion: SchemaVersion, GeneratedAt: a.at, ExportID: e.ID, UserID: e.userID, Notes: notes,
		Sections: []manifestEntry{}, Files: []manifestEntry{}}
	steps := []struct {
		file string
		fn   func(*jsonWriter) error
	}{
		{"profile.json", a.profile},
		{"memberships.json", a.memberships},
		{"teams.json", a.teams},
		{"sessions.json", a.sessions},
		{"tokens.json", a.tokens},
		{"audit.json", a.audit},
		{"contributions.json", a.contributions},
		{"ownerships.json", a.ownerships},
		{"invitations.json", a.invitations},
		{"consents.json", a.consents},
		{"policy_acceptances.json", a.acceptances},
	}
	total := len(steps) + 3 // + files, index.html, manifest.json
	for i, st := range steps {
		a.progress(fmt.Sprintf("%d%%: %s", i*100/total, st.file), true)
		if err := a.section(st.file, st.fn); err != nil {
			return fmt.Errorf("%s: %w", st.file, err)
		}
	}
	a.progress(fmt.Sprintf("%d%%: your files", len(steps)*100/total), true)
	if err := a.files(); err != nil {
		return fmt.Errorf("files: %w", err)
	}
	a.progress(fmt.Sprintf("%d%%: index.html", (len(steps)+1)*100/total), true)
	if err := a.index(); err != nil {
		return fmt.Errorf("index.html: %w", err)
	}
	if err := a.manifest(); err != nil {
		return fmt.Errorf("manifest.json: %w", err)
	}
	return a.zw.Close()
}

// progress records the step on the row; within a step at most every two
// seconds.
func (a *archive) progress(text string, force bool) {
	if !force && time.Since(a.lastLog) < 2*time.Second {
		return
	}
	a.lastLog = time.Now()
	if err := setProgress(a.ctx, a.s.DB, a.e.ID, text); err != nil && a.ctx.Err() == nil {
		a.s.log().Warn("export: progress", "export", a.e.ID, "err", err)
	}
}

// section writes one JSON file and lists it in the manifest.
func (a *archive) section(file string, fn func(*jsonWriter) error) error {
	c, err := a.entry(file, zip.Deflate)
	if err != nil {
		return err
	}
	jw := newJSONWriter(c)
	if err := fn(jw); err != nil {
		return err
	}
	if err := jw.finish(); err != nil {
		return err
	}
	m := manifestEntry{Path: file, Bytes: c.n, SHA256: c.sum()}
	for _, si := range sectionInfo {
		if si.file == file {
			m.Title, m.Description = si.title, si.description
		}
	}
	n := jw.records
	m.Records = &n
	a.man.Sections = append(a.man.Sections, m)
	return nil
}

// ---------------------------------------------------------------------------
// Sections.

func (a *archive) profile(jw *jsonWriter) error {
	p, err := readProfile(a.ctx, a.q, a.user)
	if err != nil {
		return err
	}
	a.summary.Profile = p
	return jw.value(p)
}

func (a *archive) memberships(jw *jsonWriter) error {
	jw.begin('[')
	err := eachRow(a.ctx, a.q, qMemberships, []any{a.user}, scanMembership, func(m membership) error {
		a.summary.Memberships = append(a.summary.Memberships, m)
		return jw.elem(m)
	})
	jw.end(']')
	return err
}

func (a *archive) teams(jw *jsonWriter) error {
	jw.begin('[')
	err := eachRow(a.ctx, a.q, qTeams, []any{a.user}, scanTeam, func(t team) error {
		a.summary.Teams = append(a.summary.Teams, t)
		return jw.elem(t)
	})
	jw.end(']')
	return err
}

func (a *archive) sessions(jw *jsonWriter) error {
	jw.begin('[')
	err := eachRow(a.ctx, a.q, qSessions, []any{a.user}, scanSession, jwElem[session](jw))
	jw.end(']')
	return err
}

func (a *archive) tokens(jw *jsonWriter) error {
	jw.begin('[')
	err := eachRow(a.ctx, a.q, qTokens, []any{a.user}, scanToken, jwElem[token](jw))
	jw.end(']')
	return err
}

func (a *archive) audit(jw *jsonWriter) error {
	jw.begin('{')
	jw.key("performed")
	jw.begin('[')
	err := eachPage(a.ctx, a.q, qAuditPerformed, []any{a.user}, scanAuditPerformed, func(e auditEvent) error {
		pseudonymize(a.user, &e)
		if jw.records%10000 == 0 && jw.records > 0 {
			a.progress(fmt.Sprintf("%s: audit.json (%d events)", a.percent(5), jw.records), false)
		}
		return jw.elem(e)
	})
	jw.end(']')
	if err != nil {
		return err
	}
	jw.key("about_you")
	jw.begin('[')
	err = eachPage(a.ctx, a.q, qAuditAbout, []any{a.user, a.user}, scanAuditAbout, func(e auditAbout) error {
		e.Actor = Pseudonym(e.Actor)
		if e.Actor == "" {
			e.Actor = "the server's operator (command line)"
		}
		e.TargetLabel = scrubLabel(a.user, e.TargetLabel)
		return jw.elem(e)
	})
	jw.end(']')
	jw.end('}')
	return err
}

func (a *archive) percent(step int) string { return fmt.Sprintf("%d%%", step*100/(len(sectionInfo)+3)) }

func (a *archive) contributions(jw *jsonWriter) error {
	u := a.user
	jw.begin('{')
	parts := []struct {
		key string
		run func() error
	}{
		{"projects", func() error { return eachPage(a.ctx, a.q, qProjects, []any{u, u}, scanProject, jwElem[projectRow](jw)) }},
		{"releases", func() error { return eachPage(a.ctx, a.q, qReleases, []any{u, u}, scanRelease, jwElem[releaseRow](jw)) }},
		{"release_moves", func() error {
			return eachPage(a.ctx, a.q, qTransitions, []any{u}, scanTransition, jwElem[transitionRow](jw))
		}},
		{"documents", func() error {
			return eachPage(a.ctx, a.q, qDocuments, []any{u, u, u}, scanDocument(u), jwElem[documentRow](jw))
		}},
		{"document_versions", func() error {
			return eachPage(a.ctx, a.q, qVersions, []any{u}, scanVersion, jwElem[versionRow](jw))
		}},
		{"release_files", func() error {
			return eachPage(a.ctx, a.q, qReleaseFiles, []any{u}, scanReleaseFile, jwElem[fileRow](jw))
		}},
		{"document_files", func() error {
			return eachPage(a.ctx, a.q, qDocumentFiles, []any{u}, scanDocumentFile, jwElem[fileRow](jw))
		}},
		{"ownership_policy_changes", func() error {
			return eachRow(a.ctx, a.q, qOwnershipPolicies, []any{u}, scanOwnershipPolicy, jwElem[ownershipPolicyRow](jw))
		}},
		{"privacy_policies_published", func() error {
			return eachRow(a.ctx, a.q, qPoliciesPublished, []any{u}, scanPolicyPublished, jwElem[policyPublishedRow](jw))
		}},
	}
	for _, p := range parts {
		jw.key(p.key)
		jw.begin('[')
		if err := p.run(); err != nil {
			return fmt.Errorf("%s: %w", p.key, err)
		}
		jw.end(']')
	}
	jw.end('}')
	return nil
}

func (a *archive) ownerships(jw *jsonWriter) error {
	jw.begin('[')
	err := eachRow(a.ctx, a.q, qOwnerships, []any{a.user, a.user}, scanOwnership, func(x ownershipScan) error {
		o := x.ownershipRow
		switch {
		case x.kind == "team":
			o.Owner = "team " + x.teamName
			if x.teamName == "" {
				o.Owner = "a deleted team"
			}
		default:
			o.Owner = person(a.user, x.ownerID)
		}
		o.AssignedBy = person(a.user, x.assignedBy)
		return jw.elem(o)
	})
	jw.end(']')
	return err
}

func (a *archive) invitations(jw *jsonWriter) error {
	jw.begin('[')
	email := a.summary.Profile.Email
	err := eachRow(a.ctx, a.q, qInvitations, []any{email, a.user, a.user}, scanInvitation, func(x invitationScan) error {
		inv := x.invitationRow
		inv.Direction = "sent"
		if x.createdBy != a.user {
			inv.Direction, inv.Email = "received", x.email
		}
		inv.InvitedBy = person(a.user, x.createdBy)
		inv.AcceptedBy = person(a.user, x.acceptedBy)
		return jw.elem(inv)
	})
	jw.end(']')
	return err
}

func (a *archive) consents(jw *jsonWriter) error {
	stored := map[string]consentChoice{}
	err := eachRow(a.ctx, a.q, qConsents, []any{a.user}, scanConsent, func(c consentChoice) error {
		stored[c.Purpose] = c
		return nil
	})
	if err != nil {
		return err
	}
	jw.begin('{')
	jw.key("choices")
	jw.begin('[')
	for _, p := range consent.Purposes() {
		c, ok := stored[string(p)]
		if !ok {
			c = consentChoice{Purpose: string(p), Granted: p.Default(), Default: true}
		}
		a.summary.Consents = append(a.summary.Consents, c)
		if err := jw.elem(c); err != nil {
			return err
		}
	}
	jw.end(']')
	jw.key("ledger")
	jw.begin('[')
	err = eachPage(a.ctx, a.q, qConsentEvents, []any{a.user}, scanConsentEvent, jwElem[consentEvent](jw))
	jw.end(']')
	jw.end('}')
	return err
}

func (a *archive) acceptances(jw *jsonWriter) error {
	jw.begin('[')
	err := eachRow(a.ctx, a.q, qPolicyAcceptances, []any{a.user}, scanAcceptance, jwElem[acceptance](jw))
	jw.end(']')
	return err
}

// files copies the bytes of the files the person uploaded, in workspaces
// they still belong to, streamed from storage into the ZIP (stored, not
// compressed: uploads are often compressed already).
func (a *archive) files() error {
	n := 0
	copyFile := func(f fileRow) error {
		if f.ArchivePath == "" {
			return nil
		}
		rd, err := a.s.Blobs.Open(a.ctx, f.blobKey)
		if errors.Is(err, fs.ErrNotExist) {
			a.man.MissingFiles = append(a.man.MissingFiles, f.ArchivePath)
			return nil
		}
		if err != nil {
			return err
		}
		defer rd.Close()
		c, err := a.entry(f.ArchivePath, zip.Store)
		if err != nil {
			return err
		}
		if _, err := io.Copy(c, rd); err != nil {
			return err
		}
		a.man.Files = append(a.man.Files, manifestEntry{Path: f.ArchivePath, Bytes: c.n, SHA256: c.sum()})
		n++
		if n%20 == 0 {
			a.progress(fmt.Sprintf("%s: your files (%d copied)", a.percent(len(sectionInfo)), n), false)
		}
		return nil
	}
	if err := eachPage(a.ctx, a.q, qReleaseFiles, []any{a.user}, scanReleaseFile, copyFile); err != nil {
		return err
	}
	return eachPage(a.ctx, a.q, qDocumentFiles, []any{a.user}, scanDocumentFile, copyFile)
}

func (a *archive) index() error {
	c, err := a.entry("index.html", zip.Deflate)
	if err != nil {
		return err
	}
	a.summary.GeneratedAt = a.at
	a.summary.Sections = a.man.Sections
	a.summary.Files = len(a.man.Files)
	a.summary.Notes = notes
	if err := indexTemplate.Execute(c, &a.summary); err != nil {
		return err
	}
	a.man.Sections = append(a.man.Sections, manifestEntry{Path: "index.html", Title: "Read me",
		Description: "This page: the archive in a form a person can read offline.", Bytes: c.n, SHA256: c.sum()})
	return nil
}

func (a *archive) manifest() error {
	c, err := a.entry("manifest.json", zip.Deflate)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(c)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(a.man)
}

// ---------------------------------------------------------------------------
// Streaming JSON: values are encoded one at a time as they are read, so a
// section of any size holds one element in memory.

type jsonWriter struct {
	w       io.Writer
	enc     *json.Encoder
	first   []bool // per open container: no element written yet
	records int    // elements written to arrays (top-level objects count one)
	err     error
}

func newJSONWriter(w io.Writer) *jsonWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &jsonWriter{w: w, enc: enc}
}

func (j *jsonWriter) raw(s string) {
	if j.err == nil {
		_, j.err = io.WriteString(j.w, s)
	}
}

// sep writes the comma before a container's second and later members.
func (j *jsonWriter) sep() {
	if n := len(j.first); n > 0 {
		if !j.first[n-1] {
			j.raw(",")
		}
		j.first[n-1] = false
	}
}

func (j *jsonWriter) begin(open byte) {
	j.raw(string(open))
	j.first = append(j.first, true)
}

func (j *jsonWriter) end(close byte) {
	j.first = j.first[:len(j.first)-1]
	j.raw(string(close))
}

// key writes an object member's name; the value follows (begin or value).
func (j *jsonWriter) key(k string) {
	j.sep()
	b, _ := json.Marshal(k)
	j.raw("\n" + string(b) + ":")
}

// elem writes one element of the current array.
func (j *jsonWriter) elem(v any) error {
	j.sep()
	if j.err == nil {
		j.err = j.enc.Encode(v) // ends with a newline: one element per line
	}
	j.records++
	return j.err
}

// value writes a single top-level value (profile.json).
func (j *jsonWriter) value(v any) error {
	if j.err == nil {
		j.err = j.enc.Encode(v)
	}
	j.records = 1
	return j.err
}

func (j *jsonWriter) finish() error {
	if len(j.first) != 0 && j.err == nil {
		j.err = errors.New("export: unbalanced JSON containers")
	}
	j.raw("\n")
	return j.err
}

func jwElem[T any](jw *jsonWriter) func(T) error {
	return func(v T) error { return jw.elem(v) }
}
