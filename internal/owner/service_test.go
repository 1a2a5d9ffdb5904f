package owner_test

import (
	"context"
	"testing"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/apperr"
	"shipshape/internal/db"
	"shipshape/internal/doc"
	"shipshape/internal/owner"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/testkit"
	"shipshape/internal/workspace"
)

// fixture: workspace acme (Ana owner, Ada admin, Mo member, Vic viewer,
// Lee member who will leave), team appsec; project PAY with component api
// and release 1.0.0; workspace other (Oscar) with project OTH and team red.
type fixture struct {
	app                        *app.App
	svc                        *owner.Service
	d                          *db.DB
	ana, ada, mo, vic, lee, os account.User
	appsec, red                workspace.Team
	pay, oth                   project.Project
	api                        project.Component
	rel                        release.Release
}

var ctx = context.Background()

func newFixture(t *testing.T, d *db.DB) fixture {
	t.Helper()
	clock := testkit.NewClock()
	a := testkit.NewApp(t, d, clock)
	f := fixture{app: a, d: d, svc: a.Owners}
	f.ana = testkit.MustUser(t, a, "Ana Lima")
	f.ada = testkit.MustUser(t, a, "Ada Admin")
	f.mo = testkit.MustUser(t, a, "Mo Member")
	f.vic = testkit.MustUser(t, a, "Vic Viewer")
	f.lee = testkit.MustUser(t, a, "Lee Leaver")
	f.os = testkit.MustUser(t, a, "Oscar Other")
	testkit.MustWorkspace(t, a, f.ana, "acme")
	testkit.MustJoin(t, a, f.ana, "acme", f.ada, "admin")
	testkit.MustJoin(t, a, f.ana, "acme", f.mo, "member")
	testkit.MustJoin(t, a, f.ana, "acme", f.vic, "viewer")
	testkit.MustJoin(t, a, f.ana, "acme", f.lee, "member")
	testkit.MustWorkspace(t, a, f.os, "other")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	f.appsec, err = a.Workspaces.CreateTeam(ctx, testkit.Actor(f.ana), "acme", workspace.TeamInput{Slug: "appsec", Name: "AppSec"})
	must(err)
	f.red, err = a.Workspaces.CreateTeam(ctx, testkit.Actor(f.os), "other", workspace.TeamInput{Slug: "red", Name: "Red"})
	must(err)
	f.pay, err = a.Projects.Create(ctx, testkit.Actor(f.ana), "acme", project.CreateInput{Key: "PAY", Name: "Payments"})
	must(err)
	f.oth, err = a.Projects.Create(ctx, testkit.Actor(f.os), "other", project.CreateInput{Key: "OTH", Name: "Other"})
	must(err)
	f.api, err = a.Projects.CreateComponent(ctx, testkit.Actor(f.ana), "acme", "PAY", project.ComponentInput{Slug: "api", Name: "API"})
	must(err)
	f.rel, err = a.Releases.Create(ctx, testkit.Actor(f.ana), "acme", "PAY", release.CreateInput{Version: "1.0.0"})
	must(err)
	return f
}

func (f fixture) auditCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE action LIKE 'ownership.%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f fixture) rowCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.d.QueryRow(ctx, `SELECT COUNT(*) FROM owners`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantCode(t *testing.T, err error, code apperr.Code) *apperr.Error {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
	var e *apperr.Error
	e, _ = err.(*apperr.Error)
	return e
}

func set(typ owner.TargetType, id string, owners ...owner.Assignment) owner.SetInput {
	return owner.SetInput{Target: owner.TargetRef{Type: typ, ID: id}, Owners: owners}
}

func user(u account.User, r owner.Role) owner.Assignment {
	return owner.Assignment{Kind: owner.User, ID: u.ID, Role: r}
}

func team(tm workspace.Team, r owner.Role) owner.Assignment {
	return owner.Assignment{Kind: owner.Team, ID: tm.ID, Role: r}
}

func TestSetReplacesAtomicallyWithAudit(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mo := testkit.Actor(f.mo)
		got, err := f.svc.Set(ctx, mo, "acme", set(owner.Project, f.pay.ID,
			user(f.ana, owner.Accountable), team(f.appsec, owner.Security), user(f.mo, owner.Technical), user(f.mo, owner.Security)))
		if err != nil {
			t.Fatal(err)
		}
		if got.Target.Label != "PAY" || len(got.Owners) != 4 || got.Owners[0].Role != owner.Accountable || got.Owners[0].Name != "Ana Lima" {
			t.Fatalf("set = %+v", got)
		}
		if got.Owners[2].Kind != owner.Team || got.Owners[2].Name != "AppSec" { // security: team before user
			t.Errorf("owners order = %+v", got.Owners)
		}
		if n := f.auditCount(t); n != 4 {
			t.Errorf("%d audit events after first set, want 4", n)
		}
		var lbl string
		if err := d.QueryRow(ctx, `SELECT target_label FROM audit_events WHERE action = 'ownership.assign' AND target_label LIKE 'security owner of PAY: team %'`).Scan(&lbl); err != nil {
			t.Fatalf("audit label: %v", err)
		}
		if lbl != "security owner of PAY: team "+f.appsec.ID {
			t.Errorf("label = %q", lbl)
		}
		// Replace: keep Ana, drop the rest, add Vic (a viewer may own).
		got, err = f.svc.Set(ctx, mo, "acme", set(owner.Project, f.pay.ID, user(f.ana, owner.Accountable), user(f.vic, owner.Privacy)))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Owners) != 2 || got.Owners[1].ID != f.vic.ID {
			t.Fatalf("replaced = %+v", got)
		}
		if n := f.auditCount(t); n != 4+3+1 { // 3 unassigned, 1 assigned
			t.Errorf("%d audit events after replace, want 8", n)
		}
		// The same set again changes nothing and records nothing.
		if _, err := f.svc.Set(ctx, mo, "acme", set(owner.Project, f.pay.ID, user(f.vic, owner.Privacy), user(f.ana, owner.Accountable))); err != nil {
			t.Fatal(err)
		}
		if n := f.auditCount(t); n != 8 {
			t.Errorf("idempotent set wrote audit events: %d", n)
		}
		// Components and releases; an empty list clears.
		if got, err := f.svc.Set(ctx, mo, "acme", set(owner.Component, f.api.ID, user(f.mo, owner.Technical))); err != nil || got.Target.Label != "PAY/api" {
			t.Fatalf("component: %+v %v", got, err)
		}
		if got, err := f.svc.Set(ctx, mo, "acme", set(owner.Release, f.rel.ID, user(f.mo, owner.Accountable))); err != nil || got.Target.Label != "PAY 1.0.0" {
			t.Fatalf("release: %+v %v", got, err)
		}
		if got, err := f.svc.Set(ctx, mo, "acme", owner.SetInput{Target: owner.TargetRef{Type: owner.Release, ID: f.rel.ID}}); err != nil || len(got.Owners) != 0 || got.Owners == nil {
			t.Fatalf("clear: %+v %v", got, err)
		}
		if got, err := f.svc.Get(ctx, f.vic.ID, "acme", owner.TargetRef{Type: owner.Project, ID: f.pay.ID}); err != nil || len(got.Owners) != 2 {
			t.Fatalf("get: %+v %v", got, err)
		}
	})
}

func TestSetValidation(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mo := testkit.Actor(f.mo)
		if _, err := f.svc.Set(ctx, mo, "acme", set(owner.Project, f.pay.ID, user(f.ana, owner.Accountable))); err != nil {
			t.Fatal(err)
		}
		rows, events := f.rowCount(t), f.auditCount(t)
		cases := []struct {
			name  string
			in    owner.SetInput
			code  apperr.Code
			field string
		}{
			{"requirement type", set("requirement", f.pay.ID), apperr.Invalid, "target.type"},
			{"project id as document", set(owner.Document, f.pay.ID, user(f.mo, owner.Technical)), apperr.NotFound, ""},
			{"unknown type", set("galaxy", f.pay.ID), apperr.Invalid, "target.type"},
			{"no target id", set(owner.Project, ""), apperr.Invalid, "target.id"},
			{"unknown role", set(owner.Project, f.pay.ID, user(f.mo, "boss")), apperr.Invalid, "owners[0].role"},
			{"unknown kind", set(owner.Project, f.pay.ID, owner.Assignment{Kind: "robot", ID: f.mo.ID, Role: owner.Technical}), apperr.Invalid, "owners[0].kind"},
			{"empty id", set(owner.Project, f.pay.ID, owner.Assignment{Kind: owner.User, Role: owner.Technical}), apperr.Invalid, "owners[0].id"},
			{"duplicate", set(owner.Project, f.pay.ID, user(f.mo, owner.Technical), user(f.mo, owner.Technical)), apperr.Invalid, "owners[1].id"},
			{"non-member", set(owner.Project, f.pay.ID, user(f.mo, owner.Technical), user(f.os, owner.Security)), apperr.Invalid, "owners[1].id"},
			{"foreign team", set(owner.Project, f.pay.ID, user(f.mo, owner.Technical), team(f.red, owner.Security)), apperr.Invalid, "owners[1].id"},
			{"user id as team", set(owner.Project, f.pay.ID, owner.Assignment{Kind: owner.Team, ID: f.mo.ID, Role: owner.Security}), apperr.Invalid, "owners[0].id"},
			{"target in another workspace", set(owner.Project, f.oth.ID, user(f.mo, owner.Technical)), apperr.NotFound, ""},
			{"project id as component", set(owner.Component, f.pay.ID, user(f.mo, owner.Technical)), apperr.NotFound, ""},
			{"unknown target", set(owner.Release, "nope", user(f.mo, owner.Technical)), apperr.NotFound, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.svc.Set(ctx, mo, "acme", c.in)
				e := wantCode(t, err, c.code)
				if c.field != "" {
					if _, ok := e.Fields[c.field]; !ok {
						t.Errorf("fields = %v, want %s", e.Fields, c.field)
					}
				}
			})
		}
		if f.rowCount(t) != rows || f.auditCount(t) != events {
			t.Errorf("refused sets wrote rows or audit events")
		}
	})
}

func TestPermissionMatrix(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		in := set(owner.Project, f.pay.ID, user(f.mo, owner.Technical))
		for _, c := range []struct {
			who      account.User
			set, mgr apperr.Code // "" is allowed
		}{
			{f.ana, "", ""}, {f.ada, "", ""}, {f.mo, "", apperr.Forbidden}, {f.vic, apperr.Forbidden, apperr.Forbidden}, {f.os, apperr.NotFound, apperr.NotFound},
		} {
			_, err := f.svc.Set(ctx, testkit.Actor(c.who), "acme", in)
			if c.set == "" && err != nil || c.set != "" && apperr.CodeOf(err) != c.set {
				t.Errorf("%s set: %v, want %q", c.who.Name, err, c.set)
			}
			_, err = f.svc.SetPolicy(ctx, testkit.Actor(c.who), "acme", owner.Policy{})
			if c.mgr == "" && err != nil || c.mgr != "" && apperr.CodeOf(err) != c.mgr {
				t.Errorf("%s policy: %v, want %q", c.who.Name, err, c.mgr)
			}
			_, err = f.svc.Transfer(ctx, testkit.Actor(c.who), "acme", owner.TransferInput{FromUser: f.lee.ID, To: owner.OwnerRef{Kind: owner.User, ID: f.mo.ID}})
			if c.mgr == "" && err != nil || c.mgr != "" && apperr.CodeOf(err) != c.mgr {
				t.Errorf("%s transfer: %v, want %q", c.who.Name, err, c.mgr)
			}
			_, err = f.svc.Map(ctx, c.who.ID, "acme", "")
			if want := c.set == apperr.NotFound; want != (apperr.CodeOf(err) == apperr.NotFound) || !want && err != nil {
				t.Errorf("%s map: %v", c.who.Name, err)
			}
		}
		// A refused PUT writes nothing.
		rows, events := f.rowCount(t), f.auditCount(t)
		_, _ = f.svc.Set(ctx, testkit.Actor(f.vic), "acme", set(owner.Project, f.pay.ID, user(f.vic, owner.Accountable)))
		if f.rowCount(t) != rows || f.auditCount(t) != events {
			t.Error("a refused set wrote something")
		}
	})
}

func TestPolicyRequiresExactlyOneAccountable(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mo, ana := testkit.Actor(f.mo), testkit.Actor(f.ana)
		if p, err := f.svc.Policy(ctx, f.mo.ID, "acme"); err != nil || p.RequireAccountable {
			t.Fatalf("default policy = %+v %v", p, err)
		}
		// Off: no accountable owner is fine.
		if _, err := f.svc.Set(ctx, mo, "acme", set(owner.Project, f.pay.ID, user(f.mo, owner.Technical))); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetPolicy(ctx, ana, "acme", owner.Policy{RequireAccountable: true}); err != nil {
			t.Fatal(err)
		}
		if p, _ := f.svc.Policy(ctx, f.vic.ID, "acme"); !p.RequireAccountable {
			t.Fatal("policy not stored")
		}
		for _, in := range []owner.SetInput{
			set(owner.Project, f.pay.ID, user(f.mo, owner.Technical)),
			set(owner.Project, f.pay.ID, user(f.mo, owner.Accountable), team(f.appsec, owner.Accountable)),
			set(owner.Project, f.pay.ID),
		} {
			e := wantCode(t, func() error { _, err := f.svc.Set(ctx, mo, "acme", in); return err }(), apperr.Invalid)
			if _, ok := e.Fields["owners"]; !ok {
				t.Errorf("fields = %v", e.Fields)
			}
		}
		if _, err := f.svc.Set(ctx, mo, "acme", set(owner.Project, f.pay.ID, team(f.appsec, owner.Accountable), user(f.mo, owner.Technical))); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetPolicy(ctx, ana, "acme", owner.Policy{RequireAccountable: false}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Set(ctx, mo, "acme", set(owner.Project, f.pay.ID)); err != nil {
			t.Fatal(err)
		}
		// The other workspace's policy is its own.
		if p, _ := f.svc.Policy(ctx, f.os.ID, "other"); p.RequireAccountable {
			t.Error("policy leaked across workspaces")
		}
	})
}

func TestGapsAfterRemoveMemberAndTransfer(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mo, ana := testkit.Actor(f.mo), testkit.Actor(f.ana)
		mustSet := func(in owner.SetInput) {
			t.Helper()
			if _, err := f.svc.Set(ctx, mo, "acme", in); err != nil {
				t.Fatal(err)
			}
		}
		mustSet(set(owner.Project, f.pay.ID, user(f.lee, owner.Accountable), user(f.lee, owner.Security), team(f.appsec, owner.Security)))
		mustSet(set(owner.Component, f.api.ID, user(f.lee, owner.Technical), user(f.mo, owner.Accountable)))
		mustSet(set(owner.Release, f.rel.ID, user(f.mo, owner.Technical)))

		m, err := f.svc.Map(ctx, f.vic.ID, "acme", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Items) != 3 || len(m.Gaps) != 0 || len(m.Unowned) != 1 || m.Unowned[0].ID != f.rel.ID {
			t.Fatalf("map before = %+v", m)
		}
		if m.Items[0].Target.Type != owner.Project || m.Items[1].Target.Type != owner.Component || m.Items[2].Target.Type != owner.Release {
			t.Errorf("items not grouped by type: %+v", m.Items)
		}

		// Lee leaves; the rows stay and show as gaps.
		if err := f.app.Workspaces.RemoveMember(ctx, ana, "acme", f.lee.ID); err != nil {
			t.Fatal(err)
		}
		m, err = f.svc.Map(ctx, f.vic.ID, "acme", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Gaps) != 3 {
			t.Fatalf("gaps = %+v", m.Gaps)
		}
		for _, g := range m.Gaps {
			if g.Problem != owner.OwnerLeft || g.Owner.ID != f.lee.ID || g.Owner.Name != "Lee Leaver" {
				t.Errorf("gap = %+v", g)
			}
		}
		if len(m.Unowned) != 2 { // PAY lost its accountable owner; the release never had one
			t.Errorf("unowned = %+v", m.Unowned)
		}
		// Lee can no longer be assigned.
		wantCode(t, func() error {
			_, err := f.svc.Set(ctx, mo, "acme", set(owner.Release, f.rel.ID, user(f.lee, owner.Technical)))
			return err
		}(), apperr.Invalid)

		// A failing transfer (to a non-member) changes nothing.
		rows, events := f.rowCount(t), f.auditCount(t)
		_, err = f.svc.Transfer(ctx, ana, "acme", owner.TransferInput{FromUser: f.lee.ID, To: owner.OwnerRef{Kind: owner.User, ID: f.os.ID}})
		if e := wantCode(t, err, apperr.Invalid); e.Fields["to.id"] == "" {
			t.Errorf("fields = %v", e.Fields)
		}
		_, err = f.svc.Transfer(ctx, ana, "acme", owner.TransferInput{FromUser: f.lee.ID, To: owner.OwnerRef{Kind: owner.Team, ID: f.red.ID}})
		wantCode(t, err, apperr.Invalid)
		if f.rowCount(t) != rows || f.auditCount(t) != events {
			t.Fatal("a failed transfer changed something")
		}

		// Transfer to the AppSec team: everything moves; PAY security was
		// already AppSec, so that pair merges.
		res, err := f.svc.Transfer(ctx, ana, "acme", owner.TransferInput{FromUser: f.lee.ID, To: owner.OwnerRef{Kind: owner.Team, ID: f.appsec.ID}})
		if err != nil || res.Moved != 3 {
			t.Fatalf("transfer = %+v %v", res, err)
		}
		if n := f.auditCount(t); n != events+6 {
			t.Errorf("transfer wrote %d audit events, want 6", n-events)
		}
		m, _ = f.svc.Map(ctx, f.vic.ID, "acme", "")
		if len(m.Gaps) != 0 || len(m.Unowned) != 1 {
			t.Errorf("after transfer: gaps %+v unowned %+v", m.Gaps, m.Unowned)
		}
		mine, _ := f.svc.Map(ctx, f.mo.ID, "acme", f.appsec.ID)
		if len(mine.Items) != 2 || len(mine.Unowned) != 0 {
			t.Errorf("appsec map = %+v", mine)
		}
		if pay := mine.Items[0]; len(pay.Owners) != 2 || pay.Owners[0].Role != owner.Accountable || pay.Owners[0].Kind != owner.Team {
			t.Errorf("PAY owners = %+v", pay.Owners)
		}
		if lee, _ := f.svc.Map(ctx, f.mo.ID, "acme", f.lee.ID); len(lee.Items) != 0 || len(lee.Gaps) != 0 {
			t.Errorf("lee still owns %+v", lee)
		}

		// A deleted team shows as a gap; a deleted target disappears.
		if err := f.app.Workspaces.DeleteTeam(ctx, ana, "acme", "appsec"); err != nil {
			t.Fatal(err)
		}
		m, _ = f.svc.Map(ctx, f.vic.ID, "acme", "")
		if len(m.Gaps) != 3 || m.Gaps[0].Problem != owner.TeamDeleted {
			t.Errorf("gaps after team deletion = %+v", m.Gaps)
		}
		if err := f.app.Projects.DeleteComponent(ctx, ana, "acme", "PAY", "api"); err != nil {
			t.Fatal(err)
		}
		m, _ = f.svc.Map(ctx, f.vic.ID, "acme", "")
		for _, it := range m.Items {
			if it.Target.ID == f.api.ID {
				t.Errorf("deleted component still listed")
			}
		}
		if len(m.Items) != 2 || len(m.Gaps) != 2 {
			t.Errorf("after component deletion = %+v", m)
		}
	})
}

func TestMapFiltersByOwner(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mo := testkit.Actor(f.mo)
		for _, in := range []owner.SetInput{
			set(owner.Project, f.pay.ID, user(f.ana, owner.Accountable), user(f.mo, owner.Technical)),
			set(owner.Release, f.rel.ID, user(f.ana, owner.Accountable)),
		} {
			if _, err := f.svc.Set(ctx, mo, "acme", in); err != nil {
				t.Fatal(err)
			}
		}
		m, err := f.svc.Map(ctx, f.mo.ID, "acme", f.mo.ID)
		if err != nil || len(m.Items) != 1 || m.Items[0].Target.ID != f.pay.ID || len(m.Items[0].Owners) != 2 || len(m.Unowned) != 0 {
			t.Fatalf("mo's map = %+v %v", m, err)
		}
		m, _ = f.svc.Map(ctx, f.mo.ID, "acme", f.ana.ID)
		if len(m.Items) != 2 {
			t.Errorf("ana's map = %+v", m)
		}
		m, _ = f.svc.Map(ctx, f.mo.ID, "acme", "nobody")
		if len(m.Items) != 0 || m.Items == nil || m.Gaps == nil || m.Unowned == nil {
			t.Errorf("nobody's map = %+v", m)
		}
		m, _ = f.svc.Map(ctx, f.mo.ID, "acme", "")
		if len(m.Unowned) != 1 || m.Unowned[0].ID != f.api.ID {
			t.Errorf("unowned = %+v", m.Unowned)
		}
	})
}

// TestCountMatchesTheMap: the dashboard's count is the number of items the
// filtered map lists, deleted targets excluded.
func TestCountMatchesTheMap(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mo := testkit.Actor(f.mo)
		for _, in := range []owner.SetInput{
			set(owner.Project, f.pay.ID, user(f.ana, owner.Accountable), user(f.ana, owner.Security)),
			set(owner.Component, f.api.ID, user(f.ana, owner.Technical)),
			set(owner.Release, f.rel.ID, user(f.mo, owner.Accountable)),
		} {
			if _, err := f.svc.Set(ctx, mo, "acme", in); err != nil {
				t.Fatal(err)
			}
		}
		counts, err := f.svc.Counts(ctx, f.vic.ID, "acme")
		if err != nil || len(counts) != 2 || counts[f.ana.ID] != 2 || counts[f.mo.ID] != 1 {
			t.Errorf("Counts = %v, %v", counts, err)
		}
		for _, who := range []string{f.ana.ID, f.mo.ID, "nobody"} {
			m, err := f.svc.Map(ctx, f.mo.ID, "acme", who)
			if err != nil {
				t.Fatal(err)
			}
			n, err := f.svc.Count(ctx, f.mo.ID, "acme", who)
			if err != nil || n != len(m.Items) {
				t.Errorf("Count(%s) = %d, %v; the map lists %d", who, n, err, len(m.Items))
			}
		}
		if _, err := f.svc.Count(ctx, f.os.ID, "acme", f.ana.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a stranger counts: %v", err)
		}
	})
}

// TestDocumentOwners: documents take owners like other targets; an
// owners-only document is a target only for those who may see it, its
// owners (directly or through a team) may then see it, and the audit
// trail never holds its title.
func TestDocumentOwners(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mo := testkit.Actor(f.mo)
		secret, err := f.app.Docs.Create(ctx, mo, "acme", doc.CreateInput{Title: "Threat model Zanzibar", Type: doc.ThreatModel, Visibility: doc.VisOwners})
		if err != nil {
			t.Fatal(err)
		}
		ref := owner.TargetRef{Type: owner.Document, ID: secret.ID}
		// Lee (a member) cannot see it: not a target for Lee.
		_, err = f.svc.Get(ctx, f.lee.ID, "acme", ref)
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.Set(ctx, testkit.Actor(f.lee), "acme", owner.SetInput{Target: ref, Owners: []owner.Assignment{user(f.lee, owner.Accountable)}})
		wantCode(t, err, apperr.NotFound)
		if _, err := f.app.Docs.Get(ctx, f.vic.ID, "acme", secret.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("viewer reads an owners-only document: %v", err)
		}
		// The creator makes AppSec (Vic is in it) security owner and Lee accountable.
		if err := f.app.Workspaces.SetTeamMember(ctx, testkit.Actor(f.ana), "acme", f.appsec.Slug, f.vic.ID, true); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Set(ctx, mo, "acme", owner.SetInput{Target: ref, Owners: []owner.Assignment{team(f.appsec, owner.Security), user(f.lee, owner.Accountable)}})
		if err != nil || len(got.Owners) != 2 || got.Target.Label != "Threat model Zanzibar" {
			t.Fatalf("set: %+v %v", got, err)
		}
		for _, u := range []account.User{f.vic, f.lee} {
			if _, err := f.app.Docs.Get(ctx, u.ID, "acme", secret.ID); err != nil {
				t.Errorf("%s, an owner, cannot read the document: %v", u.Name, err)
			}
		}
		// The map lists it with its owners, and never as unowned.
		m, err := f.svc.Map(ctx, f.lee.ID, "acme", "")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, it := range m.Items {
			found = found || it.Target.ID == secret.ID
		}
		for _, u := range m.Unowned {
			if u.Type == owner.Document {
				t.Errorf("a document is listed as unowned: %+v", u)
			}
		}
		if !found {
			t.Error("the owned document is not in the map")
		}
		if n, err := f.svc.Count(ctx, f.lee.ID, "acme", f.lee.ID); err != nil || n != 1 {
			t.Errorf("Lee owns %d (%v), want 1", n, err)
		}
		var leaks int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE target_label LIKE '%Zanzibar%'`).Scan(&leaks); err != nil || leaks != 0 {
			t.Errorf("audit events naming the document: %d %v", leaks, err)
		}
		// Hard delete takes its owner rows along.
		if err := f.app.Docs.Delete(ctx, mo, "acme", secret.ID); err != nil {
			t.Fatal(err)
		}
		var rows int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM owners WHERE target_id = ?`, secret.ID).Scan(&rows); err != nil || rows != 0 {
			t.Errorf("owner rows left after the delete: %d %v", rows, err)
		}
	})
}
