package search_test

import (
	"context"
	"strings"
	"testing"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/apperr"
	"shipshape/internal/db"
	"shipshape/internal/doc"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/search"
	"shipshape/internal/testkit"
	"shipshape/internal/workspace"
)

type world struct {
	app               *app.App
	ctx               context.Context
	ana, adm, mo, vic account.User
}

// newWorld: workspace acme with Ana (owner), Adi (admin), Mo (member) and
// Vic (viewer); project PAY "Payments" with release 1.4.0.
func newWorld(t testing.TB, d *db.DB) world {
	t.Helper()
	a := testkit.NewApp(t, d, testkit.NewClock())
	w := world{app: a, ctx: context.Background()}
	w.ana = testkit.MustUser(t, a, "Ana Lima")
	w.adm = testkit.MustUser(t, a, "Adi Admin")
	w.mo = testkit.MustUser(t, a, "Mo Member")
	w.vic = testkit.MustUser(t, a, "Vic Viewer")
	testkit.MustWorkspace(t, a, w.ana, "acme")
	testkit.MustJoin(t, a, w.ana, "acme", w.adm, "admin")
	testkit.MustJoin(t, a, w.ana, "acme", w.mo, "member")
	testkit.MustJoin(t, a, w.ana, "acme", w.vic, "viewer")
	ana := testkit.Actor(w.ana)
	if _, err := a.Projects.Create(w.ctx, ana, "acme", project.CreateInput{Key: "PAY", Name: "Payments",
		Description: "Card payments and refunds for the shop."}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Releases.Create(w.ctx, ana, "acme", "PAY", release.CreateInput{Version: "1.4.0", Name: "Spring launch",
		Description: "Adds instant refunds and a new retry policy for failed captures."}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w world) doc(t testing.TB, u account.User, title, body string, vis doc.Visibility) doc.Document {
	t.Helper()
	d, err := w.app.Docs.Create(w.ctx, testkit.Actor(u), "acme", doc.CreateInput{Title: title, Type: doc.Design, Body: body,
		Project: "PAY", Visibility: vis})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (w world) search(t *testing.T, u account.User, q string) []search.Result {
	t.Helper()
	res, err := w.app.Search.Search(w.ctx, u.ID, "acme", q, 0)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return res
}

func ids(rs []search.Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, string(r.Kind)+":"+r.Title)
	}
	return out
}

func TestSearchFindsRanksAndHighlights(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.doc(t, w.mo, "Refund retries", "How we retry failed refunds with exponential backoff.", doc.VisWorkspace)
		w.doc(t, w.mo, "Runbook", "When a refund fails, page the on-call engineer.\n\nSee the retries doc.", doc.VisWorkspace)

		// A title match ranks above body-only matches (the project, the
		// release and the runbook mention refunds).
		got := w.search(t, w.vic, "refund")
		if len(got) != 4 || got[0].Title != "Refund retries" {
			t.Fatalf("refund: %v", ids(got))
		}
		// Stemming: "retrying" finds "retry" and "retries".
		if got := w.search(t, w.vic, "retrying"); len(got) != 3 {
			t.Errorf("retrying: %v", ids(got))
		}
		// Every word must match.
		if got := w.search(t, w.vic, "refund backoff"); len(got) != 1 || got[0].Title != "Refund retries" {
			t.Errorf("refund backoff: %v", ids(got))
		}
		r := w.search(t, w.vic, "backoff")[0]
		if r.Kind != search.Document || *r.Project != "PAY" || r.Release != nil || !strings.Contains(r.Snippet, "<mark>backoff</mark>") {
			t.Errorf("document result %+v", r)
		}
		// Releases by key and version, with the version in the result.
		rel := w.search(t, w.vic, "PAY 1.4.0")
		if len(rel) != 1 || rel[0].Kind != search.Release || rel[0].Release == nil || *rel[0].Release != "1.4.0" || rel[0].Title != "PAY 1.4.0 Spring launch" {
			t.Errorf("release: %+v", rel)
		}
		// Phrases, OR and exclusion.
		if got := w.search(t, w.vic, `"instant refunds"`); len(got) != 1 || got[0].Kind != search.Release {
			t.Errorf("phrase: %v", ids(got))
		}
		if got := w.search(t, w.vic, `"refunds instant"`); len(got) != 0 {
			t.Errorf("reversed phrase: %v", ids(got))
		}
		if got := w.search(t, w.vic, "backoff OR on-call"); len(got) != 2 {
			t.Errorf("or: %v", ids(got))
		}
		if got := w.search(t, w.vic, "refund -backoff"); len(got) != 3 {
			t.Errorf("not: %v", ids(got))
		}
		// Projects by name and description; snippets are escaped HTML.
		if got := w.search(t, w.vic, "shop"); len(got) != 1 || got[0].Kind != search.Project || got[0].Title != "PAY Payments" {
			t.Errorf("project: %v", ids(got))
		}
	})
}

func TestSearchSyntaxNeverFails(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.doc(t, w.mo, "Notes", `Quotes " and stars * and carets ^ and colons: col:umn (parens) AND OR NOT NEAR`, doc.VisWorkspace)
		for _, q := range []string{`"`, `""`, `"""`, `*`, `^`, `:`, `(`, `)`, `AND`, `OR`, `NOT`, `NEAR(a b)`, `a:b`, `title:refund`,
			`-`, `--`, `- -x`, `x*`, `"x" OR`, `OR OR OR`, `'; DROP TABLE documents; --`, `\`, `%_`, "tab\tsep", `é ü ß 中文`, `!@#$%^&*()`,
			`col:umn`, `NEAR`, `{a b}`, `+a`, `a - b`, `<mark>`, "\u00a0", `1.2.0-rc.1+build.5`, strings.Repeat("x ", 240)} {
			if _, err := w.app.Search.Search(w.ctx, w.vic.ID, "acme", q, 0); err != nil {
				t.Errorf("search %q: %v", q, err)
			}
		}
		if got := w.search(t, w.vic, "NEAR"); len(got) != 1 {
			t.Errorf("operator words are plain words: %v", ids(got))
		}
		if got := w.search(t, w.vic, "<mark>"); len(got) != 0 {
			t.Errorf("a query of no words has no results: %v", ids(got))
		}
		_, err := w.app.Search.Search(w.ctx, w.vic.ID, "acme", strings.Repeat("x", 501), 0)
		testkit.WantFields(t, err, "q")
		_, err = w.app.Search.Search(w.ctx, w.vic.ID, "acme", "\xff\xfe", 0)
		testkit.WantFields(t, err, "q")
	})
}

func TestSearchShowsOnlyWhatTheCallerMaySee(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		secret := w.doc(t, w.mo, "Threat model", "zebracorn attack surface", doc.VisOwners)
		count := func(u account.User) int { return len(w.search(t, u, "zebracorn")) }
		if count(w.mo) != 1 || count(w.adm) != 1 || count(w.ana) != 1 {
			t.Error("the creator and admins see an owners-only document")
		}
		if count(w.vic) != 0 {
			t.Error("a viewer sees an owners-only document in search")
		}
		// A team that owns the document lets its members see it.
		team, err := w.app.Workspaces.CreateTeam(w.ctx, testkit.Actor(w.ana), "acme", workspace.TeamInput{Slug: "appsec", Name: "AppSec"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.app.Workspaces.SetTeamMember(w.ctx, testkit.Actor(w.ana), "acme", team.Slug, w.vic.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(w.ctx, `INSERT INTO owners (workspace_id, target_type, target_id, role, owner_kind, owner_id, assigned_at)
			SELECT workspace_id, 'document', id, 'security', 'team', ?, created_at FROM documents WHERE id = ?`, team.ID, secret.ID); err != nil {
			t.Fatal(err)
		}
		if count(w.vic) != 1 {
			t.Error("a member of an owning team does not find the document")
		}
		// Another workspace: not found, and its own results stay apart.
		eve := testkit.MustUser(t, w.app, "Eve Else")
		testkit.MustWorkspace(t, w.app, eve, "else")
		_, err = w.app.Search.Search(w.ctx, eve.ID, "acme", "zebracorn", 0)
		testkit.WantCode(t, err, apperr.NotFound)
		if res, err := w.app.Search.Search(w.ctx, eve.ID, "else", "zebracorn", 0); err != nil || len(res) != 0 {
			t.Errorf("another workspace's search: %v %v", res, err)
		}
	})
}

func TestSearchFollowsChanges(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ana := testkit.Actor(w.ana)
		dd := w.doc(t, w.mo, "Plan", "first draft mentions quokka", doc.VisWorkspace)
		body := "second draft mentions wombat"
		if _, err := w.app.Docs.Update(w.ctx, testkit.Actor(w.mo), "acme", dd.ID, doc.Patch{Body: &body}); err != nil {
			t.Fatal(err)
		}
		if len(w.search(t, w.vic, "quokka")) != 0 || len(w.search(t, w.vic, "wombat")) != 1 {
			t.Error("search does not follow a document's latest version")
		}
		name := "Autumn"
		if _, err := w.app.Releases.Update(w.ctx, ana, "acme", "PAY", "1.4.0", release.Patch{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if got := w.search(t, w.vic, "autumn"); len(got) != 1 || got[0].Title != "PAY 1.4.0 Autumn" {
			t.Errorf("renamed release: %v", ids(got))
		}
		if _, err := w.app.Releases.Create(w.ctx, ana, "acme", "PAY", release.CreateInput{Version: "2.0.0", Description: "platypus"}); err != nil {
			t.Fatal(err)
		}
		if err := w.app.Releases.Delete(w.ctx, ana, "acme", "PAY", "2.0.0"); err != nil {
			t.Fatal(err)
		}
		if len(w.search(t, w.vic, "platypus")) != 0 {
			t.Error("a deleted release is still found")
		}
		// Deleting the project takes its releases and documents along.
		if err := w.app.Projects.Delete(w.ctx, ana, "acme", "PAY"); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"payments", "autumn", "wombat"} {
			if got := w.search(t, w.vic, q); len(got) != 0 {
				t.Errorf("%s after the project's delete: %v", q, ids(got))
			}
		}
		var n int
		if err := d.QueryRow(w.ctx, `SELECT COUNT(*) FROM search_entries`).Scan(&n); err != nil || n != 0 {
			t.Errorf("search entries left: %d %v", n, err)
		}
	})
}

// TestSQLiteIndexDeletesSecurely: the FTS5 index forgets a deleted row's
// words at once (secure-delete), not at its next merge.
func TestSQLiteIndexDeletesSecurely(t *testing.T) {
	d := testkit.OpenDB(t, db.SQLite)
	var v int
	if err := d.QueryRow(context.Background(), `SELECT v FROM search_fts_config WHERE k = 'secure-delete'`).Scan(&v); err != nil || v != 1 {
		t.Fatalf("secure-delete = %d (%v), want 1", v, err)
	}
}
