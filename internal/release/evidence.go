package release

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/project"
	"shipshape/internal/workspace"
)

// Evidence snapshots.
//
// When a release moves to released, the transaction that moves it also
// freezes an evidence record: one JSON document describing exactly what was
// released (the release's fields, owners, documents, files with their
// SHA-256, the whole transition history including this move, and the
// workspace and project it belongs to). The bytes are written once to
// release_evidence together with their SHA-256 and are never updated (a
// trigger refuses UPDATE); GET …/evidence serves them unchanged, so later
// edits of the release (its name or description) cannot alter what was
// recorded. The table allows several snapshots per release (newest by
// created_at), although the lifecycle makes released reachable only once.
//
// Audit: the same transaction records a "release.evidence" event whose
// label carries the snapshot's SHA-256 ("PAY 1.2.0 sha256:<hex>"), written
// just before the "release.transition" event, so the hash-chained audit
// trail pins the snapshot's bytes.

// EvidenceSchema names the format of the evidence document.
// v2: documents are listed (v1 snapshots always had an empty list).
const EvidenceSchema = "shipshape.release-evidence/v2"

// EvidenceRef identifies a release's stored evidence snapshot.
type EvidenceRef struct {
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
}

// Evidence is a stored snapshot: Body is exactly the bytes frozen at
// release time and SHA256 their hex SHA-256 as recorded then.
type Evidence struct {
	ID        string
	SHA256    string
	CreatedAt time.Time
	Body      []byte
	// Filename is the suggested download name, e.g. PAY-1.2.0-evidence.json.
	Filename string
}

// The document's own types, so that the frozen format does not change
// when the API's types gain fields.
type evidenceDoc struct {
	Schema      string             `json:"schema"`
	GeneratedAt time.Time          `json:"generated_at"`
	Workspace   evidenceWorkspace  `json:"workspace"`
	Project     evidenceProject    `json:"project"`
	Release     evidenceRelease    `json:"release"`
	Owners      []evidenceOwner    `json:"owners"`
	Documents   []evidenceDocument `json:"documents"`
	Files       []evidenceFile     `json:"files"`
	Transitions []evidenceMove     `json:"transitions"`
}

type evidenceWorkspace struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type evidenceProject struct {
	ID   string `json:"id"`
	Key  string `json:"key"`
	Name string `json:"name"`
}

type evidenceRelease struct {
	ID          string     `json:"id"`
	Version     string     `json:"version"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Status      Status     `json:"status"`
	TargetDate  *Date      `json:"target_date"`
	ReleasedAt  *time.Time `json:"released_at"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

type evidenceOwner struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Role string `json:"role"`
}

// evidenceDocument is a document attached to the release, at the version
// current when it shipped. Its title and body are recorded as SHA-256 only:
// the snapshot is readable by every member (and some documents only by
// their owners), and it is never changed, while a document may later be
// deleted for good — hashes prove which text shipped without keeping it.
// An owners-only document is recorded without its title's hash, which a
// member who may not see it could test guesses against; its existence,
// type and the hash of its body (not guessable) stay, so the record is
// complete.
type evidenceDocument struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	Version     int    `json:"version"`
	VersionID   string `json:"version_id"`
	TitleSHA256 string `json:"title_sha256,omitempty"`
	BodySHA256  string `json:"body_sha256"`
}

type evidenceFile struct {
	Name        string    `json:"name"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	ContentType string    `json:"content_type"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

type evidenceMove struct {
	ID      string    `json:"id"`
	From    Status    `json:"from"`
	To      Status    `json:"to"`
	Reason  string    `json:"reason"`
	ActorID string    `json:"actor_id"`
	At      time.Time `json:"at"`
}

// evidenceBody builds the canonical bytes of a snapshot: encoding/json of
// fixed structs (fields in declaration order, no indentation), files by
// name, transitions oldest first.
func evidenceBody(a workspace.Access, p project.Project, r Release, docs []linkedDocument, files []File, moves []Transition, at time.Time) ([]byte, error) {
	doc := evidenceDoc{
		Schema:      EvidenceSchema,
		GeneratedAt: at.UTC(),
		Workspace:   evidenceWorkspace{ID: a.WorkspaceID, Slug: a.Slug, Name: a.Name},
		Project:     evidenceProject{ID: p.ID, Key: p.Key, Name: p.Name},
		Release: evidenceRelease{ID: r.ID, Version: r.Version, Name: r.Name, Description: r.Description, Status: r.Status,
			TargetDate: r.TargetDate, ReleasedAt: r.ReleasedAt, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt},
		Owners:      []evidenceOwner{},
		Documents:   []evidenceDocument{},
		Files:       []evidenceFile{},
		Transitions: []evidenceMove{},
	}
	for _, o := range r.Owners {
		doc.Owners = append(doc.Owners, evidenceOwner(o))
	}
	for _, d := range docs {
		ed := evidenceDocument{ID: d.ID, Type: d.Type, Version: d.Version, VersionID: d.VersionID, BodySHA256: sha256Hex(d.Body)}
		if d.Visibility != "owners" {
			ed.TitleSHA256 = sha256Hex(d.Title)
		}
		doc.Documents = append(doc.Documents, ed)
	}
	for _, f := range files {
		doc.Files = append(doc.Files, evidenceFile{Name: f.Name, Size: f.Size, SHA256: f.SHA256, ContentType: f.ContentType,
			UploadedBy: f.UploadedBy, UploadedAt: f.UploadedAt.UTC()})
	}
	for _, t := range moves {
		doc.Transitions = append(doc.Transitions, evidenceMove{ID: t.ID, From: t.From, To: t.To, Reason: t.Reason, ActorID: t.ActorID, At: t.At.UTC()})
	}
	return json.Marshal(doc)
}

// freezeEvidence writes the evidence snapshot of r (just moved to
// released) in tx, with its audit event, and returns its reference.
func (s *Service) freezeEvidence(ctx context.Context, tx *db.Tx, actor audit.Actor, a workspace.Access, p project.Project, r Release, now time.Time) (EvidenceRef, error) {
	files, err := listFiles(ctx, tx, r.ID)
	if err != nil {
		return EvidenceRef{}, err
	}
	moves, err := listTransitions(ctx, tx, r.ID)
	if err != nil {
		return EvidenceRef{}, err
	}
	docs, err := listLinkedDocuments(ctx, tx, r.ID, "") // all of them: the record is complete
	if err != nil {
		return EvidenceRef{}, err
	}
	body, err := evidenceBody(a, p, r, docs, files, moves, now)
	if err != nil {
		return EvidenceRef{}, fmt.Errorf("evidence: %w", err)
	}
	ref := EvidenceRef{SHA256: sha256Hex(string(body)), CreatedAt: now}
	if _, err := tx.Exec(ctx, `INSERT INTO release_evidence (id, release_id, created_at, sha256, body) VALUES (?, ?, ?, ?, ?)`,
		db.NewID(), r.ID, now, ref.SHA256, string(body)); err != nil {
		return EvidenceRef{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE releases SET evidence_sha256 = ?, evidence_at = ? WHERE id = ?`, ref.SHA256, now, r.ID); err != nil {
		return EvidenceRef{}, err
	}
	err = audit.Record(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "release.evidence", TargetType: "release",
		TargetID: r.ID, TargetLabel: label(p, r) + " sha256:" + ref.SHA256})
	return ref, err
}

// Evidence returns the newest evidence snapshot of a release exactly as
// stored. Any member may read it; a release that was never released has
// none (not_found).
func (s *Service) Evidence(ctx context.Context, userID, ws, key, version string) (Evidence, error) {
	var ev Evidence
	err := s.DB.ReadTx(ctx, func(q db.Querier) error {
		_, p, r, err := s.find(ctx, q, userID, ws, key, version)
		if err != nil {
			return err
		}
		var body string
		err = q.QueryRow(ctx, `SELECT id, sha256, created_at, body FROM release_evidence WHERE release_id = ?
			ORDER BY created_at DESC, id DESC LIMIT 1`, r.ID).Scan(&ev.ID, &ev.SHA256, db.Time(&ev.CreatedAt), &body)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("release %s has no evidence yet; it is recorded when the release is released", r.Version)
		}
		if err != nil {
			return err
		}
		ev.Body = []byte(body)
		ev.Filename = p.Key + "-" + r.Version + "-evidence.json"
		return nil
	})
	return ev, err
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
