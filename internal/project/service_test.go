package project_test

import (
	"context"
	"testing"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
	"shipshape/internal/project"
	"shipshape/internal/testkit"
)

func TestCreateProject(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		a := testkit.NewApp(t, d, testkit.NewClock())
		ana := testkit.MustUser(t, a, "Ana Lima")
		testkit.MustWorkspace(t, a, ana, "acme")
		ctx := context.Background()
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
