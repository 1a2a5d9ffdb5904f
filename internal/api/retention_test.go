package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/db"
	"shipshape/internal/retention"
	"shipshape/internal/testkit"
)

func TestRetentionForSiteAdminsOnly(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		a := testkit.NewApp(t, d, clock)
		srv := testkit.Server(t, a)
		admin, err := a.Accounts.CreateUser(ctx, account.SignupInput{Name: "Site Admin", Email: "root@example.com", Password: testkit.Password}, true)
		if err != nil {
			t.Fatal(err)
		}
		plain := testkit.MustUser(t, a, "Plain User")
		anon := client{t: t, base: srv.URL}
		root := anon.with(testkit.MustToken(t, a, admin))
		other := anon.with(testkit.MustToken(t, a, plain))

		wantStatus(t, anon.do("GET", "/admin/retention", nil), 401, "unauthenticated")
		wantStatus(t, other.do("GET", "/admin/retention", nil), 404, "not_found")
		wantStatus(t, other.do("PUT", "/admin/retention", map[string]any{"policies": []map[string]any{{"category": "sessions", "keep_days": 1}}}), 404, "not_found")
		wantStatus(t, other.do("POST", "/admin/retention/run?dry_run=true", nil), 404, "not_found")

		r := root.do("GET", "/admin/retention", nil)
		wantStatus(t, r, 200, "")
		var o struct {
			Policies []struct {
				Category string     `json:"category"`
				KeepDays int        `json:"keep_days"`
				Action   string     `json:"action"`
				LastRun  *time.Time `json:"last_run"`
				Purged   struct{ Rows, Files int }
			} `json:"policies"`
			NextRun *time.Time        `json:"next_run"`
			Runs    []json.RawMessage `json:"runs"`
		}
		if err := json.Unmarshal(r.Body, &o); err != nil {
			t.Fatal(err)
		}
		if len(o.Policies) != len(retention.Specs()) || o.Policies[0].Category != "access_logs" || o.Policies[0].KeepDays != 90 ||
			o.Policies[0].Action != "anonymise" || o.Policies[0].LastRun != nil || o.Runs == nil {
			t.Fatalf("overview %s", r.Body)
		}

		// Bad input names the field.
		fields := wantStatus(t, root.do("PUT", "/admin/retention", map[string]any{"policies": []map[string]any{
			{"category": "access_logs", "keep_days": 0}, {"category": "audit_events", "keep_days": 7}, {"category": "sessions", "keep_days": 3, "action": "shred"}}}), 400, "invalid")
		for _, f := range []string{"policies[0].keep_days", "policies[1].keep_days", "policies[2].action"} {
			if fields[f] == nil {
				t.Errorf("no problem reported for %s: %v", f, fields)
			}
		}
		wantStatus(t, root.do("PUT", "/admin/retention", `{"policies": [{"category": "sessions", "keep_days": 3, "color": "red"}]}`), 400, "invalid")
		wantStatus(t, root.do("POST", "/admin/retention/run?dry_run=maybe", nil), 400, "invalid")

		r = root.do("PUT", "/admin/retention", map[string]any{"policies": []map[string]any{{"category": "sessions", "keep_days": 3, "action": "delete"}}})
		wantStatus(t, r, 200, "")
		if err := json.Unmarshal(r.Body, &o); err != nil || o.Policies[2].Category != "sessions" || o.Policies[2].KeepDays != 3 {
			t.Fatalf("after PUT %s", r.Body)
		}

		// A session that expired 10 days ago: a dry run counts it and
		// changes nothing, a run deletes it.
		if _, _, err := a.Accounts.Login(ctx, testkit.Actor(plain), plain.Email, testkit.Password); err != nil {
			t.Fatal(err)
		}
		clock.Advance(40 * 24 * time.Hour)
		sessions := func() int {
			var n int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		var run struct {
			ID         string     `json:"id"`
			DryRun     bool       `json:"dry_run"`
			FinishedAt *time.Time `json:"finished_at"`
			Items      []struct {
				Category string `json:"category"`
				Rows     int    `json:"rows"`
				Files    int    `json:"files"`
			} `json:"items"`
		}
		r = root.do("POST", "/admin/retention/run?dry_run=true", nil)
		wantStatus(t, r, 200, "")
		if err := json.Unmarshal(r.Body, &run); err != nil || !run.DryRun || run.FinishedAt == nil || run.Items[2].Category != "sessions" || run.Items[2].Rows != 1 {
			t.Fatalf("dry run %s", r.Body)
		}
		if sessions() != 1 {
			t.Fatal("a dry run deleted the session")
		}
		r = root.do("POST", "/admin/retention/run", nil)
		wantStatus(t, r, 200, "")
		if err := json.Unmarshal(r.Body, &run); err != nil || run.DryRun || run.Items[2].Rows != 1 {
			t.Fatalf("run %s", r.Body)
		}
		if sessions() != 0 {
			t.Error("the run left the expired session")
		}
		r = root.do("GET", "/admin/retention", nil)
		if err := json.Unmarshal(r.Body, &o); err != nil || len(o.Runs) != 2 || o.Policies[2].LastRun == nil || o.Policies[2].Purged.Rows != 1 {
			t.Fatalf("overview after the run %s", r.Body)
		}
	})
}
