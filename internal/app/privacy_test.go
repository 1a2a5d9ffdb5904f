package app_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"shipshape/internal/app"
	"shipshape/internal/db"
	"shipshape/internal/privacy"
	"shipshape/internal/testkit"
)

// TestPrivacyInventoryCoversTheSchema reads the live schema of each engine
// (every table, SQLite's FTS5 shadow tables included) and fails for every
// column the inventory does not classify, for every declared column that
// does not exist, and for declarations that are incomplete. New features
// cannot forget privacy: a migration that adds a column fails here until
// its domain's privacy.go says what the column holds.
func TestPrivacyInventoryCoversTheSchema(t *testing.T) {
	inv := app.PrivacyInventory()
	for _, p := range inv.Problems() {
		t.Errorf("privacy inventory: %s", p)
	}
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		engine := string(d.Dialect())
		live := liveColumns(t, d)
		if len(live) < 100 {
			t.Fatalf("only %d columns read from the %s schema; the schema query is probably wrong", len(live), engine)
		}
		declared := inv.Columns(engine)
		t.Logf("%s: %d columns in the schema, %d declared", engine, len(live), len(declared))
		missing := map[string][]string{} // table → columns
		var tables []string
		for _, col := range live {
			if slices.Contains(declared, col) {
				continue
			}
			table, column, _ := strings.Cut(col, ".")
			if missing[table] == nil {
				tables = append(tables, table)
			}
			missing[table] = append(missing[table], column)
		}
		for _, table := range tables {
			t.Error(missingMessage(inv, engine, table, missing[table]))
		}
		for _, col := range declared {
			if !slices.Contains(live, col) {
				table, column, _ := strings.Cut(col, ".")
				tb, _, _ := inv.Lookup(table, column)
				t.Errorf("%s is declared in the privacy inventory (internal/%s/privacy.go) but the %s schema has no such column.\n"+
					"Remove the stale entry, or, when the column exists on one engine only, set Engine: privacy.%s on it.",
					col, tb.Domain, engine, otherEngine(engine))
			}
		}
	})
}

// missingMessage tells the developer exactly what to add, and where.
func missingMessage(inv privacy.Inventory, engine, table string, columns []string) string {
	domain := ""
	for _, tb := range inv.Tables {
		if tb.Name == table {
			domain = tb.Domain
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s.{%s} exist in the %s schema but the privacy inventory does not classify them.\n",
		table, strings.Join(columns, ", "), engineName(engine))
	indent := "\t"
	if domain != "" {
		fmt.Fprintf(&b, "Add to the Fields of table %q in internal/%s/privacy.go (PrivacyInventory):\n", table, domain)
	} else {
		fmt.Fprintf(&b, "No domain declares table %q. Add it to PrivacyInventory in internal/<package>/privacy.go of the package that\n"+
			"owns it (a new package also calls its PrivacyInventory from internal/app/privacy.go):\n"+
			"\t{Name: %q, Domain: \"<package>\", Purpose: \"why the table exists\", Fields: []privacy.Field{\n", table, table)
		indent = "\t\t"
	}
	for _, c := range columns {
		fmt.Fprintf(&b, "%sprivacy.Not(%q, \"why it holds no personal data, e.g. enum status\"),\n", indent, c)
	}
	if domain == "" {
		b.WriteString("\t}},\n")
	}
	fmt.Fprintf(&b, "and for each column that can hold personal data, instead:\n"+
		"\t{Column: %q, Personal: true, Category: privacy.Contact, Purpose: \"…\", Basis: privacy.Contract,\n"+
		"\t\tRetention: \"…\", Export: \"…\", Erasure: \"…\"},\n", columns[0])
	b.WriteString("Categories: Identifier, Contact, Account, Content, Activity, Device, Credentials; bases: Contract,\n" +
		"LegitimateInterest, Consent, LegalObligation. A column only one engine has gets Engine: privacy.SQLite or privacy.Postgres.\n" +
		"See docs/PRIVACY.md.")
	return b.String()
}

func engineName(e string) string {
	if e == privacy.SQLite {
		return "SQLite"
	}
	return "PostgreSQL"
}

func otherEngine(e string) string {
	if e == privacy.SQLite {
		return "Postgres"
	}
	return "SQLite"
}

// liveColumns lists "table.column" for every column of the migrated
// schema, sorted.
func liveColumns(t *testing.T, d *db.DB) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	scan := func(q string, args ...any) [][2]string {
		rows, err := d.Query(ctx, q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		var rs [][2]string
		for rows.Next() {
			var r [2]string
			if err := rows.Scan(&r[0], &r[1]); err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return rs
	}
	switch d.Dialect() {
	case db.SQLite:
		// Every table, virtual tables and FTS5 shadow tables included.
		for _, tb := range scan(`SELECT name, type FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`) {
			for _, c := range scan(`SELECT name, type FROM pragma_table_info(?)`, tb[0]) {
				out = append(out, tb[0]+"."+c[0])
			}
		}
	case db.Postgres:
		for _, c := range scan(`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`) {
			out = append(out, c[0]+"."+c[1])
		}
	default:
		t.Fatalf("unknown engine %q", d.Dialect())
	}
	slices.Sort(out)
	return out
}

// TestPrivacyInventoryDocIsCurrent keeps docs/PRIVACY-INVENTORY.md equal to
// the declarations. Regenerate with SHIPSHAPE_UPDATE_DOCS=1 go test ./internal/app.
func TestPrivacyInventoryDocIsCurrent(t *testing.T) {
	const path = "../../docs/PRIVACY-INVENTORY.md"
	want := app.PrivacyInventory().Markdown()
	if os.Getenv("SHIPSHAPE_UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is out of date; run SHIPSHAPE_UPDATE_DOCS=1 go test ./internal/app", path)
	}
}
