// Package privacy holds the personal-data inventory: every column of the
// database, declared by the domain that owns it, either as personal data
// (with category, purpose, legal basis, retention, export and erasure) or
// as not personal (with a reason). Domains declare their tables in their
// own privacy.go; internal/app assembles them, and a test there compares
// the result with the live schema of both engines, so a new column cannot
// ship unclassified.
//
// The package has no dependencies inside Shipshape and no mutable state:
// declarations are functions that return fresh values.
package privacy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Category is the kind of personal data a field holds.
type Category string

// The categories, from the issue.
const (
	Identifier  Category = "identifier"  // who: a user id, a person named by a reference
	Contact     Category = "contact"     // how to reach them: e-mail address
	Account     Category = "account"     // profile and account facts: name, role, timestamps of the account
	Content     Category = "content"     // what people write or upload: descriptions, documents, file names
	Activity    Category = "activity"    // what people did and when: audit events, last use
	Device      Category = "device"      // device and log data: IP address, user agent
	Credentials Category = "credentials" // secrets, stored hashed: password, session, token, invitation
)

// Categories lists every category in display order.
func Categories() []Category {
	return []Category{Identifier, Contact, Account, Content, Activity, Device, Credentials}
}

// Basis is the legal basis of processing (GDPR Art. 6(1)).
type Basis string

// The legal bases Shipshape relies on.
const (
	Contract           Basis = "contract"            // needed to provide the service the person or their organisation signed up for
	LegitimateInterest Basis = "legitimate_interest" // security, accountability, tamper evidence
	Consent            Basis = "consent"             // optional data the person chose to give
	LegalObligation    Basis = "legal_obligation"    // required by law, e.g. the minimum-age confirmation
)

// Bases lists every legal basis in display order.
func Bases() []Basis { return []Basis{Contract, LegitimateInterest, Consent, LegalObligation} }

// Label is the basis as people read it.
func (b Basis) Label() string { return strings.ReplaceAll(string(b), "_", " ") }

// Engines a field can be limited to (the values of db.Dialect).
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Field is one column.
type Field struct {
	Column   string `json:"column"`
	Personal bool   `json:"personal"`
	// Engine limits the column to one engine ("sqlite" or "postgres");
	// empty means both. The table's Engine applies when this is empty.
	Engine string `json:"engine,omitempty"`
	// DerivedFrom names the columns a derived index is computed from
	// (full-text index); it is erased with them.
	DerivedFrom string `json:"derived_from,omitempty"`

	// Personal fields.
	Category  Category `json:"category,omitempty"`
	Purpose   string   `json:"purpose,omitempty"`
	Basis     Basis    `json:"basis,omitempty"`
	Retention string   `json:"retention,omitempty"`
	Export    string   `json:"export,omitempty"`  // where it appears in the person's export, e.g. "profile.json"
	Erasure   string   `json:"erasure,omitempty"` // what erasure does: "deleted", "kept: …", …

	// Reason says why a field is not personal, e.g. "id", "enum status".
	Reason string `json:"reason,omitempty"`
}

// Not declares a column that holds no personal data, with the reason.
func Not(column, reason string) Field { return Field{Column: column, Reason: reason} }

// Table is one database table as its domain declares it.
type Table struct {
	Name    string `json:"name"`
	Domain  string `json:"domain"`  // the owning package, e.g. "account"
	Purpose string `json:"purpose"` // why the table exists
	// Engine limits the whole table to one engine (e.g. SQLite's FTS5
	// shadow tables); empty means both.
	Engine string  `json:"engine,omitempty"`
	Fields []Field `json:"fields"`
}

// FieldEngine is the engine a field exists on ("" for both).
func (t Table) FieldEngine(f Field) string { return cmp.Or(f.Engine, t.Engine) }

// Personal returns the table's personal fields.
func (t Table) Personal() []Field {
	return slices.DeleteFunc(slices.Clone(t.Fields), func(f Field) bool { return !f.Personal })
}

// NotPersonal returns the table's other fields.
func (t Table) NotPersonal() []Field {
	return slices.DeleteFunc(slices.Clone(t.Fields), func(f Field) bool { return f.Personal })
}

// Inventory is the record of processing activities: every table and
// column, sorted by domain and table (fields in declared order).
type Inventory struct {
	Tables []Table `json:"tables"`
}

// New assembles an inventory from the domains' declarations.
func New(tables ...[]Table) Inventory {
	var all []Table
	for _, ts := range tables {
		for _, t := range ts {
			t.Fields = slices.Clone(t.Fields)
			all = append(all, t)
		}
	}
	slices.SortStableFunc(all, func(a, b Table) int {
		return cmp.Or(cmp.Compare(a.Domain, b.Domain), cmp.Compare(a.Name, b.Name))
	})
	return Inventory{Tables: all}
}

// Domain is the tables of one domain, for grouped rendering.
type Domain struct {
	Name   string
	Tables []Table
}

// Domains groups the tables by domain, in order.
func (inv Inventory) Domains() []Domain {
	var ds []Domain
	for _, t := range inv.Tables {
		if n := len(ds); n == 0 || ds[n-1].Name != t.Domain {
			ds = append(ds, Domain{Name: t.Domain})
		}
		ds[len(ds)-1].Tables = append(ds[len(ds)-1].Tables, t)
	}
	return ds
}

// Counts are totals for a summary line.
type Counts struct {
	Tables, Columns, Personal int
}

// Count returns the number of tables, columns and personal columns.
func (inv Inventory) Count() Counts {
	var c Counts
	for _, t := range inv.Tables {
		c.Tables++
		c.Columns += len(t.Fields)
		c.Personal += len(t.Personal())
	}
	return c
}

// Lookup finds the declaration of table.column.
func (inv Inventory) Lookup(table, column string) (Table, Field, bool) {
	for _, t := range inv.Tables {
		if t.Name != table {
			continue
		}
		for _, f := range t.Fields {
			if f.Column == column {
				return t, f, true
			}
		}
	}
	return Table{}, Field{}, false
}

// Columns returns the "table.column" names declared for engine
// ("sqlite" or "postgres"), i.e. those limited to no engine or to it.
func (inv Inventory) Columns(engine string) []string {
	var out []string
	for _, t := range inv.Tables {
		for _, f := range t.Fields {
			if e := t.FieldEngine(f); e == "" || e == engine {
				out = append(out, t.Name+"."+f.Column)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Problems lists what is wrong with the declarations themselves: a table
// declared twice or without domain or purpose, a column declared twice, a
// personal field without category, purpose, legal basis, retention, export
// or erasure (or with an unknown category or basis), a field that is not
// personal without a reason, an unknown engine. Each problem names the
// table and column.
func (inv Inventory) Problems() []string {
	var ps []string
	add := func(format string, args ...any) { ps = append(ps, fmt.Sprintf(format, args...)) }
	tables := map[string]bool{}
	for _, t := range inv.Tables {
		if tables[t.Name] {
			add("table %s is declared twice", t.Name)
		}
		tables[t.Name] = true
		if t.Name == "" || t.Domain == "" || strings.TrimSpace(t.Purpose) == "" {
			add("table %q (domain %q) needs a name, a domain and a purpose", t.Name, t.Domain)
		}
		if !knownEngine(t.Engine) {
			add("table %s: unknown engine %q (want %q, %q or empty)", t.Name, t.Engine, SQLite, Postgres)
		}
		if len(t.Fields) == 0 {
			add("table %s declares no columns", t.Name)
		}
		cols := map[string]bool{}
		for _, f := range t.Fields {
			name := t.Name + "." + f.Column
			if cols[f.Column] {
				add("%s is declared twice", name)
			}
			cols[f.Column] = true
			if f.Column == "" {
				add("table %s has a field without a column name", t.Name)
			}
			if !knownEngine(f.Engine) {
				add("%s: unknown engine %q (want %q, %q or empty)", name, f.Engine, SQLite, Postgres)
			}
			if !f.Personal {
				if strings.TrimSpace(f.Reason) == "" {
					add("%s is marked not personal but has no reason; write privacy.Not(%q, \"why it holds no personal data\")", name, f.Column)
				}
				continue
			}
			var missing []string
			if !slices.Contains(Categories(), f.Category) {
				missing = append(missing, "Category (one of "+joinCategories()+")")
			}
			if strings.TrimSpace(f.Purpose) == "" {
				missing = append(missing, "Purpose")
			}
			if !slices.Contains(Bases(), f.Basis) {
				missing = append(missing, "Basis (contract, legitimate_interest, consent or legal_obligation)")
			}
			if strings.TrimSpace(f.Retention) == "" {
				missing = append(missing, "Retention")
			}
			if strings.TrimSpace(f.Export) == "" {
				missing = append(missing, "Export")
			}
			if strings.TrimSpace(f.Erasure) == "" {
				missing = append(missing, "Erasure")
			}
			if len(missing) > 0 {
				add("%s is personal but lacks %s", name, strings.Join(missing, ", "))
			}
			if f.Reason != "" {
				add("%s is personal and also has a not-personal reason; drop one", name)
			}
		}
	}
	return ps
}

func knownEngine(e string) bool { return e == "" || e == SQLite || e == Postgres }

func joinCategories() string {
	var s []string
	for _, c := range Categories() {
		s = append(s, string(c))
	}
	return strings.Join(s, ", ")
}
