package release

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"shipshape/internal/db"
	"shipshape/internal/project"
)

// Notes is a release's notes as Markdown.
type Notes struct {
	// Filename is the suggested download name, e.g. PAY-1.2.0-release-notes.md.
	Filename string
	Markdown string
}

// notesMove is a transition with the name of who made it.
type notesMove struct {
	Transition
	ActorName string
}

// Notes renders the release notes of a release: title, status and dates,
// the description (Markdown, verbatim), the documents attached to it that
// the reader may see, its files with size and SHA-256 and its history.
// Everything is read in one read transaction, so the parts agree. Any
// member may read them.
func (s *Service) Notes(ctx context.Context, userID, ws, key, version string) (Notes, error) {
	var n Notes
	err := s.DB.ReadTx(ctx, func(q db.Querier) error {
		a, p, r, err := s.find(ctx, q, userID, ws, key, version)
		if err != nil {
			return err
		}
		s.finish(&r, s.now())
		visible, args := s.Documents(a, "d")
		docs, err := listLinkedDocuments(ctx, q, r.ID, visible, args...)
		if err != nil {
			return err
		}
		files, err := listFiles(ctx, q, r.ID)
		if err != nil {
			return err
		}
		moves, err := listNamedTransitions(ctx, q, r.ID)
		if err != nil {
			return err
		}
		n = Notes{Filename: p.Key + "-" + r.Version + "-release-notes.md", Markdown: renderNotes(p, r, docs, files, moves)}
		return nil
	})
	return n, err
}

func listNamedTransitions(ctx context.Context, q db.Querier, releaseID string) ([]notesMove, error) {
	rows, err := q.Query(ctx, `SELECT t.id, t.from_status, t.to_status, t.reason, COALESCE(t.actor_id, ''), t.at, COALESCE(u.name, '')
		FROM release_transitions t LEFT JOIN users u ON u.id = t.actor_id WHERE t.release_id = ? ORDER BY t.at, t.id`, releaseID)
	if err != nil {
		return nil, fmt.Errorf("list transitions: %w", err)
	}
	defer rows.Close()
	var out []notesMove
	for rows.Next() {
		var m notesMove
		if err := rows.Scan(&m.ID, &m.From, &m.To, &m.Reason, &m.ActorID, db.Time(&m.At), &m.ActorName); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

const notesTime = "2006-01-02 15:04 UTC"

// renderNotes writes the Markdown. User-supplied text other than the
// description (names, file names, reasons) is escaped so it stays text.
func renderNotes(p project.Project, r Release, docs []linkedDocument, files []File, moves []notesMove) string {
	var b strings.Builder
	b.WriteString("# " + p.Key + " " + escapeMD(r.Version))
	if r.Name != "" {
		b.WriteString(" — " + escapeMD(r.Name))
	}
	b.WriteString("\n\n")
	b.WriteString("- **Status:** " + string(r.Status) + "\n")
	target := "none"
	if r.TargetDate != nil {
		target = string(*r.TargetDate)
	}
	b.WriteString("- **Target date:** " + target + "\n")
	released := "not yet"
	if r.ReleasedAt != nil {
		released = r.ReleasedAt.UTC().Format(notesTime)
	}
	b.WriteString("- **Released:** " + released + "\n")
	if r.Evidence != nil {
		b.WriteString("- **Evidence:** SHA-256 `" + r.Evidence.SHA256 + "` (recorded " + r.Evidence.CreatedAt.UTC().Format(notesTime) + ")\n")
	}

	b.WriteString("\n## Description\n\n")
	if strings.TrimSpace(r.Description) == "" {
		b.WriteString("_No description._\n")
	} else {
		b.WriteString(strings.TrimRight(r.Description, "\n") + "\n")
	}

	if len(docs) > 0 {
		b.WriteString("\n## Documents\n\n")
		for _, d := range docs {
			b.WriteString("- " + escapeMD(d.Title) + " — " + strings.ReplaceAll(d.Type, "_", " ") + ", version " + strconv.Itoa(d.Version) + "\n")
		}
	}

	b.WriteString("\n## Files\n\n")
	if len(files) == 0 {
		b.WriteString("_No files._\n")
	}
	for _, f := range files {
		b.WriteString("- " + escapeMD(f.Name) + " — " + humanSize(f.Size) + " — SHA-256 `" + f.SHA256 + "`\n")
	}

	b.WriteString("\n## History\n\n")
	if len(moves) == 0 {
		b.WriteString("_No status changes yet._\n")
	}
	for _, m := range moves {
		who := m.ActorName
		if who == "" {
			who = "a former user"
		}
		b.WriteString("- " + m.At.UTC().Format(notesTime) + ": " + string(m.From) + " → " + string(m.To) + " by " + escapeMD(who))
		if m.Reason != "" {
			b.WriteString(" — " + escapeMD(m.Reason))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// escapeMD makes s literal inline Markdown text on one line: characters
// that start emphasis, code, links, HTML, tables or headings get a
// backslash, and line breaks become spaces.
func escapeMD(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\r', '\n':
			b.WriteByte(' ')
			continue
		case '\\', '`', '*', '_', '[', ']', '(', ')', '<', '>', '&', '!', '~', '|', '#', '{', '}':
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// humanSize is n in binary units with the exact byte count.
func humanSize(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	units := []string{"KiB", "MiB", "GiB", "TiB"}
	v := float64(n) / 1024
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + units[i] + " (" + strconv.FormatInt(n, 10) + " bytes)"
}
