package privacy_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"shipshape/internal/privacy"
)

func sample() privacy.Inventory {
	return privacy.New(
		[]privacy.Table{{Name: "zeta", Domain: "b", Purpose: "z", Fields: []privacy.Field{privacy.Not("id", "random id")}}},
		[]privacy.Table{
			{Name: "people", Domain: "a", Purpose: "who", Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				{Column: "email", Personal: true, Category: privacy.Contact, Purpose: "sign-in", Basis: privacy.Contract,
					Retention: "for the life of the account", Export: "profile.json", Erasure: "deleted"},
				{Column: "tsv", Personal: true, Engine: privacy.Postgres, DerivedFrom: "people.email", Category: privacy.Content, Purpose: "search",
					Basis: privacy.Contract, Retention: "with its source", Export: "not exported", Erasure: "follows the source"},
			}},
			{Name: "fts_data", Domain: "a", Purpose: "index", Engine: privacy.SQLite, Fields: []privacy.Field{privacy.Not("block", "pages")}},
		},
	)
}

func TestNewSortsByDomainAndTable(t *testing.T) {
	inv := sample()
	var names []string
	for _, tb := range inv.Tables {
		names = append(names, tb.Domain+"/"+tb.Name)
	}
	if want := []string{"a/fts_data", "a/people", "b/zeta"}; !slices.Equal(names, want) {
		t.Errorf("tables = %v, want %v", names, want)
	}
	if ds := inv.Domains(); len(ds) != 2 || ds[0].Name != "a" || len(ds[0].Tables) != 2 {
		t.Errorf("domains = %+v", ds)
	}
	if c := inv.Count(); c != (privacy.Counts{Tables: 3, Columns: 5, Personal: 2}) {
		t.Errorf("counts = %+v", c)
	}
	if p := inv.Problems(); len(p) != 0 {
		t.Errorf("a complete inventory has problems: %v", p)
	}
}

func TestColumnsHonourEngines(t *testing.T) {
	inv := sample()
	if got, want := inv.Columns(privacy.SQLite), []string{"fts_data.block", "people.email", "people.id", "zeta.id"}; !slices.Equal(got, want) {
		t.Errorf("sqlite columns = %v, want %v", got, want)
	}
	if got, want := inv.Columns(privacy.Postgres), []string{"people.email", "people.id", "people.tsv", "zeta.id"}; !slices.Equal(got, want) {
		t.Errorf("postgres columns = %v, want %v", got, want)
	}
}

func TestProblemsNameWhatIsMissing(t *testing.T) {
	inv := privacy.New([]privacy.Table{
		{Name: "t", Domain: "d", Purpose: "p", Fields: []privacy.Field{
			{Column: "reasonless"},
			{Column: "bare", Personal: true},
			{Column: "odd", Personal: true, Category: "gossip", Purpose: "x", Basis: "whim", Retention: "r", Export: "e", Erasure: "deleted"},
			privacy.Not("twice", "a"), privacy.Not("twice", "b"),
		}},
		{Name: "t", Domain: "d", Purpose: "again", Fields: []privacy.Field{privacy.Not("id", "id")}},
		{Name: "u", Domain: "", Purpose: "", Engine: "mysql"},
	})
	got := strings.Join(inv.Problems(), "\n")
	for _, want := range []string{
		`t.reasonless is marked not personal but has no reason`,
		`t.bare is personal but lacks Category`, "Purpose", "Basis", "Retention", "Export", "Erasure",
		`t.odd is personal but lacks Category (one of identifier`, "Basis (contract",
		`t.twice is declared twice`,
		`table t is declared twice`,
		`table "u" (domain "") needs a name, a domain and a purpose`,
		`table u: unknown engine "mysql"`,
		`table u declares no columns`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems do not mention %q:\n%s", want, got)
		}
	}
}

func TestRenderings(t *testing.T) {
	inv := sample()
	var text bytes.Buffer
	if err := inv.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"3 tables, 5 columns, 2 of them personal data.",
		"== a ==", "people\n  who\n", "  - email: contact\n      purpose: sign-in\n      basis: contract\n",
		"      erasure: deleted\n", "  - tsv: content [PostgreSQL only]", "derived from: people.email",
		"fts_data [SQLite only]", "not personal: id (random id)",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text does not contain %q:\n%s", want, text.String())
		}
	}
	for _, line := range strings.Split(text.String(), "\n") {
		if len(line) > 100 && strings.Contains(line, " ") {
			t.Errorf("line longer than 100 bytes: %q", line)
		}
	}
	var js bytes.Buffer
	if err := inv.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"tables": [`, `"domain": "a"`, `"column": "email"`, `"personal": true`, `"category": "contact"`,
		`"basis": "contract"`, `"retention": `, `"export": "profile.json"`, `"erasure": "deleted"`, `"reason": "random id"`,
		`"engine": "sqlite"`, `"derived_from": "people.email"`} {
		if !strings.Contains(js.String(), want) {
			t.Errorf("JSON does not contain %s:\n%s", want, js.String())
		}
	}
	var back privacy.Inventory
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if _, f, ok := back.Lookup("people", "email"); !ok || f.Category != privacy.Contact {
		t.Errorf("round trip lost people.email: %+v", f)
	}
}

func TestNewCopiesTheDeclarations(t *testing.T) {
	fields := []privacy.Field{privacy.Not("id", "random id")}
	inv := privacy.New([]privacy.Table{{Name: "t", Domain: "d", Purpose: "p", Fields: fields}})
	fields[0].Reason = "changed"
	if _, f, _ := inv.Lookup("t", "id"); f.Reason != "random id" {
		t.Error("the inventory shares its fields with the declaration")
	}
}
