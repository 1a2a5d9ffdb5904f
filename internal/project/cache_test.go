package project_test

import (
	"context"
	"testing"

	"shipshape/internal/db"
	"shipshape/internal/project"
	"shipshape/internal/testkit"
)

// TestListCacheNeverServesStaleData lists through one instance, changes
// the data through another instance on the same database, and expects the
// first to see every change at once.
func TestListCacheNeverServesStaleData(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		one, two := testkit.NewApp(t, d, clock), testkit.NewApp(t, d, clock)
		ana := testkit.MustUser(t, one, "Ana Lima")
		testkit.MustWorkspace(t, one, ana, "acme")
		actor := testkit.Actor(ana)
		list := func() project.Page {
			t.Helper()
			p, err := one.Projects.List(ctx, ana.ID, "acme", project.ListFilter{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		if n := len(list().Items); n != 0 {
			t.Fatalf("fresh workspace lists %d projects", n)
		}
		if _, err := two.Projects.Create(ctx, actor, "acme", project.CreateInput{Key: "PAY", Name: "Payments"}); err != nil {
			t.Fatal(err)
		}
		if p := list(); len(p.Items) != 1 || p.Items[0].Key != "PAY" {
			t.Fatalf("after create elsewhere: %+v", p.Items)
		}
		list() // served from the cache now
		if _, err := two.Projects.CreateComponent(ctx, actor, "acme", "PAY", project.ComponentInput{Slug: "api", Name: "API"}); err != nil {
			t.Fatal(err)
		}
		if p := list(); p.Items[0].Components != 1 {
			t.Fatalf("component count after create elsewhere = %d", p.Items[0].Components)
		}
		name := "Payments API"
		if _, err := two.Projects.Update(ctx, actor, "acme", "PAY", project.Patch{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if p := list(); p.Items[0].Name != name {
			t.Fatalf("name after rename elsewhere = %q", p.Items[0].Name)
		}
		if err := two.Projects.Delete(ctx, actor, "acme", "PAY"); err != nil {
			t.Fatal(err)
		}
		if n := len(list().Items); n != 0 {
			t.Fatalf("deleted project still listed (%d)", n)
		}
		// A refused change moves nothing and the list stays right.
		if _, err := two.Projects.Create(ctx, actor, "acme", project.CreateInput{Key: "bad", Name: "x"}); err == nil {
			t.Fatal("invalid key accepted")
		}
		if n := len(list().Items); n != 0 {
			t.Fatalf("list after a refused create = %d items", n)
		}
	})
}
