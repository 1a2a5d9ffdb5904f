// Package search is full-text search over a workspace's projects, releases
// and documents (their latest version).
//
// Each domain keeps its objects' text in search_entries with Put and
// Remove, inside the transaction that changes the object, so the index is
// never behind what was committed and a hard delete takes its entry with
// it. The engine indexes the rows: an FTS5 table on SQLite, a tsvector with
// a GIN index on PostgreSQL (migrations 0009_search.sql). Both stem English
// words, rank title matches above body matches and cut highlighted
// snippets; Service.Search reads them through one interface and filters by
// what the caller may see.
//
// Queries follow the web-search habit on both engines: words must all
// appear, "quoted words" must appear together, OR between two words accepts
// either, and -word excludes. Nothing a person types is passed to the
// engine's query language unquoted, so no input can make a query fail.
package search

import (
	"html"
	"strings"
	"unicode"
)

// Kind is the kind of object an entry describes.
type Kind string

const (
	Project  Kind = "project"
	Release  Kind = "release"
	Document Kind = "document"
)

// Entry is the searchable text of one object.
type Entry struct {
	WorkspaceID string
	ProjectID   string // the project, or the project the object belongs to; "" for none
	Kind        Kind
	ObjectID    string
	Title       string
	Body        string
}

// Result is one hit.
type Result struct {
	Kind    Kind    `json:"type"`
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Snippet string  `json:"snippet"`           // HTML: escaped text, matches wrapped in <mark>…</mark>
	Project *string `json:"project"`           // project key, or null
	Release *string `json:"release,omitempty"` // release version (releases only)
}

// setRefs sets the project key and release version when there are any.
func (r *Result) setRefs(key, version string) {
	if key != "" {
		r.Project = &key
	}
	if version != "" {
		r.Release = &version
	}
}

// Marks the engines put around matched terms in snippets: private-use
// characters, which Markdown and plain text never need, so they can be
// replaced by <mark> after escaping the rest.
const (
	markOpen  = "\ue000"
	markClose = "\ue001"
)

// snippetHTML escapes a raw snippet and turns the engine's marks into
// <mark> elements; unbalanced marks are closed.
func snippetHTML(raw string) string {
	raw = strings.Join(strings.Fields(raw), " ") // newlines and runs of spaces read badly in one line
	var b strings.Builder
	open := false
	for {
		i := strings.IndexAny(raw, markOpen+markClose)
		if i < 0 {
			break
		}
		b.WriteString(html.EscapeString(raw[:i]))
		r := raw[i : i+len(markOpen)] // both marks are 3 bytes in UTF-8
		switch {
		case r == markOpen && !open:
			b.WriteString("<mark>")
			open = true
		case r == markClose && open:
			b.WriteString("</mark>")
			open = false
		}
		raw = raw[i+len(markOpen):]
	}
	b.WriteString(html.EscapeString(raw))
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

// term is one part of a parsed query: a word or a quoted phrase.
type term struct {
	text string
	not  bool
}

// query is a parsed search: groups joined by AND, terms in a group by OR.
type query struct {
	groups [][]term // every group must match (at least one term of it)
	not    []term   // none of these may match
}

// maxTerms caps how many terms a query may have; the rest is ignored.
const maxTerms = 16

// parse reads a query in web-search syntax. Terms without a letter or
// digit are dropped (the tokenizers would drop them too); a query of only
// exclusions is empty.
func parse(s string) query {
	var q query
	orNext := false
	n := 0
	for s = strings.TrimSpace(s); s != "" && n < maxTerms; s = strings.TrimSpace(s) {
		var t term
		if s[0] == '-' {
			t.not = true
			s = s[1:]
		}
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				t.text, s = s[1:], ""
			} else {
				t.text, s = s[1:1+end], s[2+end:]
			}
		} else {
			end := strings.IndexFunc(s, unicode.IsSpace)
			if end < 0 {
				end = len(s)
			}
			t.text, s = s[:end], s[end:]
			if t.text == "OR" && !t.not {
				orNext = len(q.groups) > 0
				continue
			}
		}
		if !hasWord(t.text) {
			continue
		}
		n++
		switch {
		case t.not:
			q.not = append(q.not, t)
		case orNext:
			last := len(q.groups) - 1
			q.groups[last] = append(q.groups[last], t)
		default:
			q.groups = append(q.groups, []term{t})
		}
		orNext = false
	}
	return q
}

func (q query) empty() bool { return len(q.groups) == 0 }

func hasWord(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// fts5 writes q in FTS5 query syntax: every term a quoted string (FTS5
// tokenizes it into a phrase), so no character typed is an operator.
func (q query) fts5() string {
	var b strings.Builder
	quote := func(t term) {
		b.WriteString(`"`)
		b.WriteString(strings.ReplaceAll(t.text, `"`, `""`))
		b.WriteString(`"`)
	}
	for i, g := range q.groups {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString("(")
		for j, t := range g {
			if j > 0 {
				b.WriteString(" OR ")
			}
			quote(t)
		}
		b.WriteString(")")
	}
	for _, t := range q.not {
		b.WriteString(" NOT ")
		quote(t)
	}
	return b.String()
}

// websearch writes q back in the syntax of PostgreSQL's
// websearch_to_tsquery, which never fails on any input; writing it from
// the parsed terms keeps both engines reading the same query.
func (q query) websearch() string {
	var b strings.Builder
	quote := func(t term) {
		if t.not {
			b.WriteString("-")
		}
		b.WriteString(`"`)
		b.WriteString(strings.ReplaceAll(t.text, `"`, " "))
		b.WriteString(`"`)
	}
	for i, g := range q.groups {
		if i > 0 {
			b.WriteString(" ")
		}
		for j, t := range g {
			if j > 0 {
				b.WriteString(" or ")
			}
			quote(t)
		}
	}
	for _, t := range q.not {
		b.WriteString(" ")
		quote(t)
	}
	return b.String()
}
