package project_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"shipshape/internal/app"
	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/project"
	"shipshape/internal/testkit"
)

var ctx = context.Background()

func TestCreateProject(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		a := testkit.NewApp(t, d, testkit.NewClock())
		ana := testkit.MustUser(t, a, "Ana Lima")
		testkit.MustWorkspace(t, a, ana, "acme")
		p, err := a.Projects.Create(ctx, testkit.Actor(ana), "acme", project.CreateInput{Key: "PAY", Name: "Payments"})
		if err != nil {
			t.Fatal(err)
		}
		if p.Key != "PAY" {
			t.Fatalf("key = %q", p.Key)
		}
		_, err = a.Projects.Create(ctx, testkit.Actor(ana), "acme", project.CreateInput{Key: "PAY", Name: "Payments"})
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("duplicate key: got %v, want conflict", err)
		}
	})
}

// team is workspace "acme" (Ana owner, Bob admin, Cid member, Dee viewer)
// and workspace "beta" owned by Eve, who is not in acme.
type team struct {
	*app.App
	d                      *db.DB
	clock                  *testkit.Clock
	ana, bob, cid, dee, ev audit.Actor
	acmeID                 string
}

func newTeam(t *testing.T, d *db.DB) *team {
	t.Helper()
	tm := &team{d: d, clock: testkit.NewClock()}
	tm.App = testkit.NewApp(t, d, tm.clock)
	ana := testkit.MustUser(t, tm.App, "Ana Lima")
	bob := testkit.MustUser(t, tm.App, "Bob Reis")
	cid := testkit.MustUser(t, tm.App, "Cid Dias")
	dee := testkit.MustUser(t, tm.App, "Dee Sousa")
	eve := testkit.MustUser(t, tm.App, "Eve Outsider")
	tm.acmeID = testkit.MustWorkspace(t, tm.App, ana, "acme").ID
	testkit.MustJoin(t, tm.App, ana, "acme", bob, "admin")
	testkit.MustJoin(t, tm.App, ana, "acme", cid, "member")
	testkit.MustJoin(t, tm.App, ana, "acme", dee, "viewer")
	testkit.MustWorkspace(t, tm.App, eve, "beta")
	tm.ana, tm.bob, tm.cid, tm.dee, tm.ev = testkit.Actor(ana), testkit.Actor(bob), testkit.Actor(cid), testkit.Actor(dee), testkit.Actor(eve)
	return tm
}

func (tm *team) create(t *testing.T, by audit.Actor, ws, key string) project.Project {
	t.Helper()
	p, err := tm.Projects.Create(ctx, by, ws, project.CreateInput{Key: key, Name: "Project " + key})
	if err != nil {
		t.Fatalf("create %s/%s: %v", ws, key, err)
	}
	return p
}

// events returns acme's audit events, oldest first.
func (tm *team) events(t *testing.T) []audit.Event {
	t.Helper()
	p, err := tm.Workspaces.Audit(ctx, tm.ana.UserID, "acme", audit.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(p.Items)
	return p.Items
}

// wantAudit checks the newest acme event and that the chain verifies.
func (tm *team) wantAudit(t *testing.T, by audit.Actor, action, targetID, label string) {
	t.Helper()
	es := tm.events(t)
	e := es[len(es)-1]
	if e.Action != action || e.TargetID != targetID || e.TargetLabel != label || e.ActorID != by.UserID {
		t.Errorf("last audit event = %s %s %q by %s; want %s %s %q by %s", e.Action, e.TargetID, e.TargetLabel, e.ActorID, action, targetID, label, by.UserID)
	}
	if v, err := tm.Workspaces.VerifyAudit(ctx, tm.ana.UserID, "acme"); err != nil || !v.OK {
		t.Errorf("audit chain: %+v, %v", v, err)
	}
}

func TestProjectKeyValidation(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		a := testkit.NewApp(t, d, testkit.NewClock())
		ana := testkit.MustUser(t, a, "Ana Lima")
		testkit.MustWorkspace(t, a, ana, "acme")
		for _, key := range []string{"pay", "Pay", "P", "PAYMENTS123X", "ABCDEFGHIJK", "1AB", "PA-Y", "PA Y", "PÄY", ""} {
			t.Run("ErrKey"+key, func(t *testing.T) {
				_, err := a.Projects.Create(ctx, testkit.Actor(ana), "acme", project.CreateInput{Key: key, Name: "Payments"})
				wantFields(t, err, "key")
			})
		}
		for _, key := range []string{"PA", "P2", "ABCDEFGHIJ", " OPS "} {
			t.Run("Key"+strings.TrimSpace(key), func(t *testing.T) {
				p, err := a.Projects.Create(ctx, testkit.Actor(ana), "acme", project.CreateInput{Key: key, Name: "Payments"})
				if err != nil || p.Key != strings.TrimSpace(key) {
					t.Errorf("Create(%q) = %+v, %v", key, p, err)
				}
			})
		}
		t.Run("ErrNameAndDescription", func(t *testing.T) {
			_, err := a.Projects.Create(ctx, testkit.Actor(ana), "acme", project.CreateInput{Key: "NM", Name: " ", Description: strings.Repeat("x", 20001)})
			wantFields(t, err, "name", "description")
			_, err = a.Projects.Create(ctx, testkit.Actor(ana), "acme", project.CreateInput{Key: "NM", Name: "N", Description: "bad\x00byte"})
			wantFields(t, err, "description")
		})
		t.Run("MultilineDescriptionIsValid", func(t *testing.T) {
			if _, err := a.Projects.Create(ctx, testkit.Actor(ana), "acme", project.CreateInput{Key: "ML", Name: "N", Description: "# Title\n\n\tindented\r\n"}); err != nil {
				t.Error(err)
			}
		})
	})
}

func TestProjectLifecycle(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		str := func(s string) *string { return &s }
		yes, no := true, false

		t.Run("ErrViewerCannotCreate", func(t *testing.T) {
			_, err := tm.Projects.Create(ctx, tm.dee, "acme", project.CreateInput{Key: "PAY", Name: "Payments"})
			wantCode(t, err, apperr.Forbidden)
		})

		var pay project.Project
		t.Run("MemberCreates", func(t *testing.T) {
			pay = tm.create(t, tm.cid, "acme", "PAY")
			if pay.CreatedBy != tm.cid.UserID || !pay.CreatedAt.Equal(tm.clock.Now()) || pay.Archived {
				t.Errorf("project = %+v", pay)
			}
			tm.wantAudit(t, tm.cid, "project.create", pay.ID, "PAY")
		})

		t.Run("ErrDuplicateKey", func(t *testing.T) {
			before := len(tm.events(t))
			_, err := tm.Projects.Create(ctx, tm.ana, "acme", project.CreateInput{Key: "PAY", Name: "Again"})
			if ae := wantCode(t, err, apperr.Conflict); ae.Fields["key"] == "" {
				t.Errorf("fields = %v, want key", ae.Fields)
			}
			if after := len(tm.events(t)); after != before {
				t.Errorf("refused create wrote %d audit events", after-before)
			}
		})

		t.Run("ViewerGets", func(t *testing.T) {
			p, a, err := tm.Projects.Get(ctx, tm.dee.UserID, "acme", "PAY")
			if err != nil || p.ID != pay.ID || a.Role != "viewer" {
				t.Errorf("Get = %+v, %+v, %v", p, a, err)
			}
		})

		t.Run("ErrViewerCannotEdit", func(t *testing.T) {
			_, err := tm.Projects.Update(ctx, tm.dee, "acme", "PAY", project.Patch{Name: str("Mine")})
			wantCode(t, err, apperr.Forbidden)
		})

		t.Run("ErrInvalidPatch", func(t *testing.T) {
			_, err := tm.Projects.Update(ctx, tm.cid, "acme", "PAY", project.Patch{Name: str("")})
			wantFields(t, err, "name")
		})

		t.Run("MemberEdits", func(t *testing.T) {
			tm.clock.Advance(time.Minute)
			p, err := tm.Projects.Update(ctx, tm.cid, "acme", "PAY", project.Patch{Name: str(" Payments "), Description: str("Card & SEPA")})
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := tm.Projects.Get(ctx, tm.cid.UserID, "acme", "PAY")
			if err != nil || got.Name != "Payments" || got.Description != "Card & SEPA" || !got.UpdatedAt.Equal(tm.clock.Now()) || p.Name != got.Name {
				t.Errorf("after update: %+v, %v", got, err)
			}
			tm.wantAudit(t, tm.cid, "project.update", pay.ID, "PAY")
		})

		t.Run("ErrMemberCannotArchiveAndNothingChanges", func(t *testing.T) {
			before := len(tm.events(t))
			_, err := tm.Projects.Update(ctx, tm.cid, "acme", "PAY", project.Patch{Name: str("Renamed on the way"), Archived: &yes})
			wantCode(t, err, apperr.Forbidden)
			got, _, _ := tm.Projects.Get(ctx, tm.cid.UserID, "acme", "PAY")
			if got.Archived || got.Name != "Payments" {
				t.Errorf("refused update changed the project: %+v", got)
			}
			if after := len(tm.events(t)); after != before {
				t.Errorf("refused update wrote %d audit events", after-before)
			}
		})

		t.Run("ArchiveIsNoChangeForMemberWhenAlreadyInThatState", func(t *testing.T) {
			if _, err := tm.Projects.Update(ctx, tm.cid, "acme", "PAY", project.Patch{Archived: &no}); err != nil {
				t.Errorf("member sending archived=false on a live project: %v", err)
			}
		})

		t.Run("AdminArchives", func(t *testing.T) {
			tm.clock.Advance(time.Minute)
			p, err := tm.Projects.Update(ctx, tm.bob, "acme", "PAY", project.Patch{Archived: &yes})
			if err != nil {
				t.Fatal(err)
			}
			if !p.Archived || p.ArchivedAt == nil || !p.ArchivedAt.Equal(tm.clock.Now()) {
				t.Errorf("archived project = %+v", p)
			}
			tm.wantAudit(t, tm.bob, "project.archive", pay.ID, "PAY")
			got, _, err := tm.Projects.Get(ctx, tm.dee.UserID, "acme", "PAY")
			if err != nil || !got.Archived {
				t.Errorf("Get archived = %+v, %v", got, err)
			}
		})

		t.Run("ErrMemberCannotUnarchive", func(t *testing.T) {
			_, err := tm.Projects.Update(ctx, tm.cid, "acme", "PAY", project.Patch{Archived: &no})
			wantCode(t, err, apperr.Forbidden)
		})

		t.Run("AdminUnarchives", func(t *testing.T) {
			p, err := tm.Projects.Update(ctx, tm.bob, "acme", "PAY", project.Patch{Archived: &no})
			if err != nil || p.Archived || p.ArchivedAt != nil {
				t.Fatalf("unarchive = %+v, %v", p, err)
			}
			tm.wantAudit(t, tm.bob, "project.unarchive", pay.ID, "PAY")
		})

		t.Run("ErrMemberCannotDelete", func(t *testing.T) {
			wantCode(t, tm.Projects.Delete(ctx, tm.cid, "acme", "PAY"), apperr.Forbidden)
			if _, _, err := tm.Projects.Get(ctx, tm.cid.UserID, "acme", "PAY"); err != nil {
				t.Errorf("project gone after a refused delete: %v", err)
			}
		})

		t.Run("AdminDeletesWithComponents", func(t *testing.T) {
			if _, err := tm.Projects.CreateComponent(ctx, tm.cid, "acme", "PAY", project.ComponentInput{Slug: "api", Name: "API"}); err != nil {
				t.Fatal(err)
			}
			if err := tm.Projects.Delete(ctx, tm.bob, "acme", "PAY"); err != nil {
				t.Fatal(err)
			}
			tm.wantAudit(t, tm.bob, "project.delete", pay.ID, "PAY")
			_, _, err := tm.Projects.Get(ctx, tm.bob.UserID, "acme", "PAY")
			wantCode(t, err, apperr.NotFound)
			var n int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM components WHERE project_id = ?`, pay.ID).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d components left after deleting the project (%v)", n, err)
			}
			wantCode(t, tm.Projects.Delete(ctx, tm.bob, "acme", "PAY"), apperr.NotFound)
		})

		t.Run("KeyReusableAfterDelete", func(t *testing.T) {
			tm.create(t, tm.cid, "acme", "PAY")
		})
	})
}

func TestComponents(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		pay := tm.create(t, tm.ana, "acme", "PAY")
		str := func(s string) *string { return &s }
		count := func(t *testing.T) int {
			t.Helper()
			var n int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM components WHERE project_id = ?`, pay.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		var api project.Component
		t.Run("MemberCreates", func(t *testing.T) {
			var err error
			api, err = tm.Projects.CreateComponent(ctx, tm.cid, "acme", "PAY", project.ComponentInput{Slug: " api ", Name: " API ", Description: "Public API"})
			if err != nil {
				t.Fatal(err)
			}
			if api.Slug != "api" || api.Name != "API" {
				t.Errorf("component = %+v", api)
			}
			tm.wantAudit(t, tm.cid, "component.create", api.ID, "PAY/api")
		})

		t.Run("ErrDuplicateSlugIsAtomic", func(t *testing.T) {
			before := len(tm.events(t))
			_, err := tm.Projects.CreateComponent(ctx, tm.cid, "acme", "PAY", project.ComponentInput{Slug: "api", Name: "Another API"})
			if ae := wantCode(t, err, apperr.Conflict); ae.Fields["slug"] == "" {
				t.Errorf("fields = %v, want slug", ae.Fields)
			}
			if after := len(tm.events(t)); after != before {
				t.Errorf("refused create wrote %d audit events", after-before)
			}
			if n := count(t); n != 1 {
				t.Errorf("%d components, want 1", n)
			}
			if v, err := tm.Workspaces.VerifyAudit(ctx, tm.ana.UserID, "acme"); err != nil || !v.OK {
				t.Errorf("audit chain after a rolled-back event: %+v, %v", v, err)
			}
		})

		t.Run("ErrInvalidInput", func(t *testing.T) {
			_, err := tm.Projects.CreateComponent(ctx, tm.cid, "acme", "PAY", project.ComponentInput{Slug: "../api", Name: ""})
			wantFields(t, err, "slug", "name")
		})

		t.Run("ErrViewerCannotChange", func(t *testing.T) {
			_, err := tm.Projects.CreateComponent(ctx, tm.dee, "acme", "PAY", project.ComponentInput{Slug: "web", Name: "Web"})
			wantCode(t, err, apperr.Forbidden)
			_, err = tm.Projects.UpdateComponent(ctx, tm.dee, "acme", "PAY", "api", project.ComponentPatch{Name: str("x")})
			wantCode(t, err, apperr.Forbidden)
			wantCode(t, tm.Projects.DeleteComponent(ctx, tm.dee, "acme", "PAY", "api"), apperr.Forbidden)
		})

		t.Run("ListGetAndCount", func(t *testing.T) {
			if _, err := tm.Projects.CreateComponent(ctx, tm.cid, "acme", "PAY", project.ComponentInput{Slug: "a-worker", Name: "Worker"}); err != nil {
				t.Fatal(err)
			}
			cs, err := tm.Projects.Components(ctx, tm.dee.UserID, "acme", "PAY")
			if err != nil || len(cs) != 2 || cs[0].Slug != "a-worker" || cs[1].Slug != "api" {
				t.Errorf("Components = %+v, %v; want sorted by slug", cs, err)
			}
			c, err := tm.Projects.Component(ctx, tm.dee.UserID, "acme", "PAY", "api")
			if err != nil || c.ID != api.ID || c.Description != "Public API" {
				t.Errorf("Component = %+v, %v", c, err)
			}
			p, _, err := tm.Projects.Get(ctx, tm.dee.UserID, "acme", "PAY")
			if err != nil || p.Components != 2 {
				t.Errorf("component count = %d, %v", p.Components, err)
			}
			_, err = tm.Projects.Component(ctx, tm.dee.UserID, "acme", "PAY", "nope")
			wantCode(t, err, apperr.NotFound)
		})

		t.Run("Update", func(t *testing.T) {
			tm.clock.Advance(time.Minute)
			c, err := tm.Projects.UpdateComponent(ctx, tm.cid, "acme", "PAY", "api", project.ComponentPatch{Description: str("v2")})
			if err != nil || c.Name != "API" || c.Description != "v2" || !c.UpdatedAt.Equal(tm.clock.Now()) {
				t.Fatalf("UpdateComponent = %+v, %v", c, err)
			}
			tm.wantAudit(t, tm.cid, "component.update", api.ID, "PAY/api")
			_, err = tm.Projects.UpdateComponent(ctx, tm.cid, "acme", "PAY", "api", project.ComponentPatch{Name: str("\x00")})
			wantFields(t, err, "name")
		})

		t.Run("Delete", func(t *testing.T) {
			if err := tm.Projects.DeleteComponent(ctx, tm.cid, "acme", "PAY", "api"); err != nil {
				t.Fatal(err)
			}
			tm.wantAudit(t, tm.cid, "component.delete", api.ID, "PAY/api")
			wantCode(t, tm.Projects.DeleteComponent(ctx, tm.cid, "acme", "PAY", "api"), apperr.NotFound)
			if n := count(t); n != 1 {
				t.Errorf("%d components, want 1", n)
			}
		})

		t.Run("ErrUnknownProject", func(t *testing.T) {
			_, err := tm.Projects.CreateComponent(ctx, tm.cid, "acme", "NOPE", project.ComponentInput{Slug: "x", Name: "X"})
			wantCode(t, err, apperr.NotFound)
			_, err = tm.Projects.Components(ctx, tm.cid.UserID, "acme", "NOPE")
			wantCode(t, err, apperr.NotFound)
		})
	})
}

func TestProjectList(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		keys := []string{"GAMMA", "ALPHA", "ETA", "BETA", "ZETA", "DELTA", "EPS"}
		for _, k := range keys {
			tm.create(t, tm.cid, "acme", k)
		}
		tm.create(t, tm.ev, "beta", "OTHER") // must never appear
		sorted := slices.Clone(keys)
		sort.Strings(sorted)

		page := func(t *testing.T, f project.ListFilter) ([]string, string) {
			t.Helper()
			p, err := tm.Projects.List(ctx, tm.dee.UserID, "acme", f)
			if err != nil {
				t.Fatal(err)
			}
			var ks []string
			for _, pr := range p.Items {
				ks = append(ks, pr.Key)
			}
			return ks, p.NextCursor
		}
		all := func(t *testing.T, f project.ListFilter) ([]string, int) {
			t.Helper()
			var got []string
			pages := 0
			for {
				ks, next := page(t, f)
				pages++
				if len(ks) > f.Limit {
					t.Fatalf("page of %d for limit %d", len(ks), f.Limit)
				}
				got = append(got, ks...)
				if next == "" || pages > 10 {
					return got, pages
				}
				f.Cursor = next
			}
		}

		t.Run("ThreePagesOfThree", func(t *testing.T) {
			got, pages := all(t, project.ListFilter{Limit: 3})
			if !slices.Equal(got, sorted) || pages != 3 {
				t.Errorf("paged keys = %v in %d pages, want %v in 3", got, pages, sorted)
			}
		})

		t.Run("ExactMultipleHasNoEmptyLastPage", func(t *testing.T) {
			got, pages := all(t, project.ListFilter{Limit: 7})
			if !slices.Equal(got, sorted) || pages != 1 {
				t.Errorf("keys = %v in %d pages", got, pages)
			}
		})

		t.Run("ArchivedHiddenByDefault", func(t *testing.T) {
			yes := true
			if _, err := tm.Projects.Update(ctx, tm.bob, "acme", "DELTA", project.Patch{Archived: &yes}); err != nil {
				t.Fatal(err)
			}
			got, pages := all(t, project.ListFilter{Limit: 3})
			want := slices.DeleteFunc(slices.Clone(sorted), func(k string) bool { return k == "DELTA" })
			if !slices.Equal(got, want) || pages != 2 {
				t.Errorf("default list = %v in %d pages, want %v in 2", got, pages, want)
			}
			got, _ = all(t, project.ListFilter{Limit: 3, IncludeArchived: true})
			if !slices.Equal(got, sorted) {
				t.Errorf("list with archived = %v, want %v", got, sorted)
			}
		})

		t.Run("ZeroLimitDoesNotPanic", func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("List with Limit 0 panicked: %v", r)
				}
			}()
			_, err := tm.Projects.List(ctx, tm.dee.UserID, "acme", project.ListFilter{})
			if err != nil && !apperr.Is(err, apperr.Invalid) {
				t.Errorf("List with Limit 0: %v", err)
			}
		})

		t.Run("ErrNonMember", func(t *testing.T) {
			_, err := tm.Projects.List(ctx, tm.ev.UserID, "acme", project.ListFilter{Limit: 10})
			wantCode(t, err, apperr.NotFound)
		})
	})
}

func TestProjectIsolationBetweenWorkspaces(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		tm.create(t, tm.ana, "acme", "PAY")
		theirs := tm.create(t, tm.ev, "beta", "PAY")
		tm.create(t, tm.ev, "beta", "ONLYB")
		str := func(s string) *string { return &s }
		yes := true

		checks := map[string]func() error{
			"Get": func() error { _, _, err := tm.Projects.Get(ctx, tm.cid.UserID, "beta", "PAY"); return err },
			"GetKeyOnlyInOtherWorkspace": func() error {
				_, _, err := tm.Projects.Get(ctx, tm.cid.UserID, "acme", "ONLYB")
				return err
			},
			"List": func() error {
				_, err := tm.Projects.List(ctx, tm.ana.UserID, "beta", project.ListFilter{Limit: 10})
				return err
			},
			"Create": func() error {
				_, err := tm.Projects.Create(ctx, tm.ana, "beta", project.CreateInput{Key: "NEW", Name: "New"})
				return err
			},
			"Update": func() error {
				_, err := tm.Projects.Update(ctx, tm.ana, "beta", "PAY", project.Patch{Name: str("Owned")})
				return err
			},
			"Archive": func() error {
				_, err := tm.Projects.Update(ctx, tm.ana, "beta", "PAY", project.Patch{Archived: &yes})
				return err
			},
			"Delete": func() error { return tm.Projects.Delete(ctx, tm.ana, "beta", "PAY") },
			"Components": func() error {
				_, err := tm.Projects.Components(ctx, tm.ana.UserID, "beta", "PAY")
				return err
			},
			"CreateComponent": func() error {
				_, err := tm.Projects.CreateComponent(ctx, tm.ana, "beta", "PAY", project.ComponentInput{Slug: "x", Name: "X"})
				return err
			},
		}
		for name, f := range checks {
			t.Run("Err"+name, func(t *testing.T) { wantCode(t, f(), apperr.NotFound) })
		}
		p, _, err := tm.Projects.Get(ctx, tm.ev.UserID, "beta", "PAY")
		if err != nil || p.ID != theirs.ID || p.Name != theirs.Name || p.Archived {
			t.Errorf("beta's PAY changed: %+v, %v", p, err)
		}
	})
}

var wantCode = testkit.WantCode

var wantFields = testkit.WantFields
