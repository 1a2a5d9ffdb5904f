package web

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"shipshape/internal/account"
	"shipshape/internal/perm"
)

func (s *server) funcs() template.FuncMap {
	return template.FuncMap{
		"asset":    s.static.url,
		"markdown": s.md.HTML,
		"ago":      s.ago,
		"abstime":  absTime,
		"isotime":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"date":     func(t time.Time) string { return t.UTC().Format("Jan 2, 2006") },
		"initials": initials,
		"avatar":   avatarClass,
		"capfirst": capFirst,
		"roles":    func() []perm.Role { return perm.Roles },
		"roleHelp": roleHelp,
		"scopes":   joinScopes,
		"firstline": func(s string) string {
			line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
			return truncateRunes(line, 140)
		},
		"fld":       newField,
		"plural":    plural,
		"doctype":   docTypeLabel,
		"tombstone": account.Tombstone,
		"ownersArgs": func(ws *wsView, card *ownersCard) map[string]any {
			return map[string]any{"WS": ws, "Card": card}
		},
		"deref": func(t *time.Time) time.Time { return *t },
		"firstname": func(name string) string {
			if f := strings.Fields(name); len(f) > 0 {
				return f[0]
			}
			return name
		},
		"minutes":  func(sec int) int { return (sec + 30) / 60 },
		"roleName": func(r perm.Role) string { return strings.TrimSuffix(capFirst(string(r)), ".") },
		// Releases.
		"statusLabel": statusLabel,
		"statusClass": statusClass,
		"day":         dayText,
		"relpath":     releasePath,
		"bytesize":    byteSize,
		"shorthash":   shortHash,
	}
}

// ago is a relative time like "2 minutes ago", measured on the app clock.
func (s *server) ago(t time.Time) string { return relTime(s.Now(), t) }

func relTime(now, t time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		return inFuture(-d, t)
	}
	switch {
	case d < 45*time.Second:
		return "just now"
	case d < 90*time.Second:
		return "a minute ago"
	case d < 45*time.Minute:
		return fmt.Sprintf("%d minutes ago", int((d+30*time.Second)/time.Minute))
	case d < 90*time.Minute:
		return "an hour ago"
	case d < 22*time.Hour:
		return fmt.Sprintf("%d hours ago", int((d+30*time.Minute)/time.Hour))
	case d < 36*time.Hour:
		return "yesterday"
	case d < 26*24*time.Hour:
		return fmt.Sprintf("%d days ago", int((d+12*time.Hour)/(24*time.Hour)))
	}
	if now.Year() == t.Year() {
		return "on " + t.UTC().Format("Jan 2")
	}
	return "on " + t.UTC().Format("Jan 2, 2006")
}

func inFuture(d time.Duration, t time.Time) string {
	switch {
	case d < time.Minute:
		return "in a moment"
	case d < 90*time.Minute:
		return fmt.Sprintf("in %d minutes", int((d+30*time.Second)/time.Minute))
	case d < 36*time.Hour:
		return fmt.Sprintf("in %d hours", int((d+30*time.Minute)/time.Hour))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("in %d days", int((d+12*time.Hour)/(24*time.Hour)))
	}
	return "on " + t.UTC().Format("Jan 2, 2006")
}

func absTime(t time.Time) string { return t.UTC().Format("Mon, Jan 2, 2006 at 15:04 UTC") }

func initials(name string) string {
	var out []rune
	for _, f := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(f)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, unicode.ToUpper(r))
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

// avatarClass picks one of eight avatar colours from a stable id.
func avatarClass(id string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return fmt.Sprintf("avatar-%d", h.Sum32()%8)
}

func capFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	out := string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(out, ".") && !strings.HasSuffix(out, "?") && !strings.HasSuffix(out, "!") {
		out += "."
	}
	return out
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + "…"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func roleHelp(r perm.Role) string {
	switch r {
	case perm.Owner:
		return "Full control, including the owner role"
	case perm.Admin:
		return "Manage members, teams and projects"
	case perm.Member:
		return "Create and edit projects"
	case perm.Viewer:
		return "Read-only access"
	}
	return ""
}

func joinScopes(sc []account.Scope) string {
	parts := make([]string, len(sc))
	for i, s := range sc {
		parts[i] = string(s)
	}
	return strings.Join(parts, ", ")
}

// field is what the "field" partial renders: a labelled input with its
// value, hint and error wired up for assistive technology.
type field struct {
	ID, Name, Label, Type, Value, Error, Hint, Placeholder, Autocomplete string
	Required, Autofocus, Mono                                            bool
	MaxLength                                                            int
	Min                                                                  string
	Pattern                                                              string
	Rows                                                                 int
}

// newField builds a field of form f. Options are "key=value" or flags:
// type=, hint=, placeholder=, autocomplete=, maxlength=, pattern=, rows=,
// value= (default when the form holds none), required, autofocus, mono.
func newField(f form, name, label string, opts ...string) field {
	fd := field{ID: f.ID(name), Name: name, Label: label, Type: "text", Value: f.Get(name), Error: f.Err(name)}
	def := ""
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "type":
			fd.Type = v
		case "hint":
			fd.Hint = v
		case "placeholder":
			fd.Placeholder = v
		case "autocomplete":
			fd.Autocomplete = v
		case "maxlength":
			fmt.Sscan(v, &fd.MaxLength)
		case "pattern":
			fd.Pattern = v
		case "rows":
			fmt.Sscan(v, &fd.Rows)
		case "value":
			def = v
		case "required":
			fd.Required = true
		case "autofocus":
			fd.Autofocus = true
		case "mono":
			fd.Mono = true
		}
	}
	if _, ok := f.Values[name]; !ok {
		fd.Value = def
	}
	if fd.Type == "password" {
		fd.Value = ""
	}
	return fd
}
