package retention_test

import (
	"context"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/db"
	"shipshape/internal/retention"
	"shipshape/internal/testkit"
)

// TestPeriodsApplyToGraceAndArchives: the "deleted accounts" and "export
// archives" periods set on the retention page are the ones in force.
func TestPeriodsApplyToGraceAndArchives(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testkit.NewApp(t, d, testkit.NewClock())
		root, err := a.Accounts.CreateUser(ctx, account.SignupInput{Name: "Root", Email: "root@example.com", Password: testkit.Password}, true)
		if err != nil {
			t.Fatal(err)
		}
		if g := a.Accounts.Grace(ctx); g != account.DefaultDeletionGrace {
			t.Fatalf("default grace %s", g)
		}
		if _, err := a.Retention.Update(ctx, testkit.Actor(root), true, retention.UpdateInput{Policies: []retention.PolicyInput{
			{Category: retention.DeletedAccounts, KeepDays: 14, Action: retention.Delete}}}); err != nil {
			t.Fatal(err)
		}
		if g := a.Accounts.Grace(ctx); g != 14*24*time.Hour {
			t.Errorf("grace after setting 14 days: %s", g)
		}
		if p, err := a.Retention.Period(ctx, retention.ExportArchives); err != nil || p != 48*time.Hour {
			t.Errorf("export archives %s %v", p, err)
		}
	})
}
