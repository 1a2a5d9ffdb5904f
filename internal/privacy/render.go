package privacy

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Note is shown with every rendering: what the Export and Erasure columns
// mean today.
const Note = "Export and Erasure state where each field appears in a person's data export and what erasing " +
	"their account does to it. Retention says what Shipshape enforces today; \"retention job: planned\" marks " +
	"data that stays until someone deletes it."

// WriteJSON writes the inventory as indented JSON (stable snake_case
// field names; see the struct tags).
func (inv Inventory) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(inv)
}

// WriteText writes the inventory as a readable record of processing
// activities, grouped by domain and table.
func (inv Inventory) WriteText(w io.Writer) error {
	var b strings.Builder
	c := inv.Count()
	fmt.Fprintf(&b, "Shipshape personal-data inventory (record of processing activities)\n")
	fmt.Fprintf(&b, "%d tables, %d columns, %d of them personal data.\n", c.Tables, c.Columns, c.Personal)
	b.WriteString(wrap(Note, 100, ""))
	for _, d := range inv.Domains() {
		fmt.Fprintf(&b, "\n== %s ==\n", d.Name)
		for _, t := range d.Tables {
			fmt.Fprintf(&b, "\n%s%s\n", t.Name, engineNote(t.Engine))
			b.WriteString(wrap(t.Purpose, 100, "  "))
			for _, f := range t.Personal() {
				fmt.Fprintf(&b, "  - %s: %s%s\n", f.Column, f.Category, engineNote(f.Engine))
				line := func(k, v string) {
					if v != "" {
						b.WriteString(wrap(k+": "+v, 100, "      "))
					}
				}
				line("purpose", f.Purpose)
				line("basis", f.Basis.Label())
				line("retention", f.Retention)
				line("export", f.Export)
				line("erasure", f.Erasure)
				line("derived from", f.DerivedFrom)
			}
			if np := t.NotPersonal(); len(np) > 0 {
				parts := make([]string, len(np))
				for i, f := range np {
					parts[i] = f.Column + engineNote(f.Engine) + " (" + f.Reason + ")"
				}
				b.WriteString(wrap("not personal: "+strings.Join(parts, "; "), 100, "  "))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func engineNote(e string) string {
	switch e {
	case SQLite:
		return " [SQLite only]"
	case Postgres:
		return " [PostgreSQL only]"
	}
	return ""
}

// wrap breaks s into lines of at most width bytes (words permitting):
// the first starts with indent, the others with indent and two spaces
// (none when indent is empty), each ends with a newline.
func wrap(s string, width int, indent string) string {
	next := indent
	if indent != "" {
		next += "  "
	}
	var b strings.Builder
	line, start := indent, indent
	for _, word := range strings.Fields(s) {
		if len(line) > len(start) && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line, start = next, next
		}
		if len(line) > len(start) {
			line += " "
		}
		line += word
	}
	if len(line) > len(start) {
		b.WriteString(line + "\n")
	}
	return b.String()
}

// Markdown renders the inventory as the Markdown of docs/PRIVACY-INVENTORY.md.
func (inv Inventory) Markdown() string {
	var b strings.Builder
	c := inv.Count()
	b.WriteString("# Personal-data inventory\n\n")
	b.WriteString("Generated from the `privacy.go` file of each domain, assembled by `app.PrivacyInventory` (a test keeps\n" +
		"this file in step: `SHIPSHAPE_UPDATE_DOCS=1 go test ./internal/app`). How it works and how to add a column:\n" +
		"[PRIVACY.md](PRIVACY.md). The same inventory: `shipshape privacy inventory [--format json]`, `GET\n" +
		"/api/v1/admin/privacy/inventory` and the page `/admin/privacy` (site admins).\n\n")
	fmt.Fprintf(&b, "%d tables, %d columns, %d of them personal data. %s\n", c.Tables, c.Columns, c.Personal, Note)
	for _, d := range inv.Domains() {
		fmt.Fprintf(&b, "\n## %s\n", d.Name)
		for _, t := range d.Tables {
			fmt.Fprintf(&b, "\n### `%s`%s\n\n%s\n", t.Name, engineNote(t.Engine), mdCell(t.Purpose))
			if p := t.Personal(); len(p) > 0 {
				b.WriteString("\n| column | category | purpose | legal basis | retention | export | erasure |\n|---|---|---|---|---|---|---|\n")
				for _, f := range p {
					col := "`" + f.Column + "`" + engineNote(f.Engine)
					if f.DerivedFrom != "" {
						col += " (derived from " + f.DerivedFrom + ")"
					}
					fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", mdCell(col), f.Category, mdCell(f.Purpose),
						f.Basis.Label(), mdCell(f.Retention), mdCell(f.Export), mdCell(f.Erasure))
				}
			}
			if np := t.NotPersonal(); len(np) > 0 {
				parts := make([]string, len(np))
				for i, f := range np {
					parts[i] = "`" + f.Column + "`" + engineNote(f.Engine) + " (" + f.Reason + ")"
				}
				fmt.Fprintf(&b, "\nNot personal: %s.\n", mdCell(strings.Join(parts, ", ")))
			}
		}
	}
	return b.String()
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}
