package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func TestPrivacyRequestsForSiteAdminsOnly(t *testing.T) {
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

		// Everyone but site admins: 404 (anonymous: 401).
		wantStatus(t, anon.do("GET", "/admin/privacy/requests", nil), 401, "unauthenticated")
		wantStatus(t, other.do("GET", "/admin/privacy/requests", nil), 404, "not_found")
		wantStatus(t, other.do("POST", "/admin/privacy/requests", map[string]any{"kind": "access", "subject_email": plain.Email}), 404, "not_found")

		// Bad input names the fields.
		fields := wantStatus(t, root.do("POST", "/admin/privacy/requests", map[string]any{"kind": "gossip", "subject_email": "nope", "verified_by": "telepathy"}), 400, "invalid")
		for _, f := range []string{"kind", "subject_email", "verified_by"} {
			if fields[f] == nil {
				t.Errorf("no problem for %s: %v", f, fields)
			}
		}
		wantStatus(t, root.do("POST", "/admin/privacy/requests", map[string]any{"kind": "access", "subject_email": "a@example.org", "colour": "red"}), 400, "invalid")

		type req struct {
			ID            string     `json:"id"`
			Kind          string     `json:"kind"`
			SubjectEmail  string     `json:"subject_email"`
			SubjectUserID *string    `json:"subject_user_id"`
			Status        string     `json:"status"`
			VerifiedBy    string     `json:"verified_by"`
			VerifiedAt    *time.Time `json:"verified_at"`
			DueAt         time.Time  `json:"due_at"`
			Overdue       bool       `json:"overdue"`
			Next          []string   `json:"next"`
		}
		var r req
		resp := root.do("POST", "/admin/privacy/requests", map[string]any{"kind": "access", "subject_email": plain.Email, "source": "self-service"})
		wantStatus(t, resp, 201, "")
		if err := json.Unmarshal(resp.Body, &r); err != nil {
			t.Fatal(err)
		}
		if r.Status != "received" || r.SubjectUserID == nil || *r.SubjectUserID != plain.ID || !r.DueAt.Equal(clock.Now().Add(30*24*time.Hour)) || r.VerifiedBy != "none" {
			t.Fatalf("created %s", resp.Body)
		}
		wantStatus(t, root.do("POST", "/admin/privacy/requests", map[string]any{"kind": "erasure", "subject_email": "ticket@example.org", "source": "support-tracker"}), 201, "")

		// List, with the overdue filter after the clock moves 2 days.
		clock.Advance(2 * 24 * time.Hour)
		var l struct{ Items []req }
		resp = root.do("GET", "/admin/privacy/requests?status=overdue", nil)
		wantStatus(t, resp, 200, "")
		if err := json.Unmarshal(resp.Body, &l); err != nil {
			t.Fatal(err)
		}
		if len(l.Items) != 1 || l.Items[0].Kind != "erasure" || !l.Items[0].Overdue {
			t.Errorf("overdue %s", resp.Body)
		}
		resp = root.do("GET", "/admin/privacy/requests?status=received", nil)
		if err := json.Unmarshal(resp.Body, &l); err != nil || len(l.Items) != 2 {
			t.Errorf("received %s", resp.Body)
		}
		wantStatus(t, root.do("GET", "/admin/privacy/requests?status=lost", nil), 400, "invalid")

		// Get.
		resp = root.do("GET", "/admin/privacy/requests/"+r.ID, nil)
		wantStatus(t, resp, 200, "")
		var det struct {
			req
			Notes   []json.RawMessage `json:"notes"`
			History []struct {
				Action string `json:"action"`
			} `json:"history"`
		}
		if err := json.Unmarshal(resp.Body, &det); err != nil || det.ID != r.ID || len(det.History) != 1 || det.Notes == nil {
			t.Errorf("get %s", resp.Body)
		}
		wantStatus(t, root.do("GET", "/admin/privacy/requests/nope", nil), 404, "not_found")
		wantStatus(t, other.do("GET", "/admin/privacy/requests/"+r.ID, nil), 404, "not_found")
		wantStatus(t, other.do("PATCH", "/admin/privacy/requests/"+r.ID, map[string]any{"status": "verifying"}), 404, "not_found")

		// Patch: a bad move is a 409 naming the allowed statuses.
		fields = wantStatus(t, root.do("PATCH", "/admin/privacy/requests/"+r.ID, map[string]any{"status": "fulfilled", "outcome": "sent"}), 409, "conflict")
		if fields["status"] != "allowed from received: verifying, in_progress, rejected, withdrawn" {
			t.Errorf("409 fields %v", fields)
		}
		wantStatus(t, root.do("PATCH", "/admin/privacy/requests/"+r.ID, map[string]any{"assignee_id": plain.ID}), 400, "invalid")
		wantStatus(t, root.do("PATCH", "/admin/privacy/requests/"+r.ID, map[string]any{}), 400, "invalid")
		resp = root.do("PATCH", "/admin/privacy/requests/"+r.ID, map[string]any{"verified_by": "account", "status": "in_progress", "assignee_id": admin.ID, "note": "checked"})
		wantStatus(t, resp, 200, "")
		if err := json.Unmarshal(resp.Body, &r); err != nil || r.Status != "in_progress" || r.VerifiedAt == nil || len(r.Next) != 3 {
			t.Errorf("patched %s", resp.Body)
		}
		wantStatus(t, root.do("PATCH", "/admin/privacy/requests/"+r.ID, map[string]any{"status": "rejected"}), 400, "invalid") // outcome needed
		wantStatus(t, root.do("PATCH", "/admin/privacy/requests/"+r.ID, map[string]any{"status": "rejected", "outcome": "Not the account holder"}), 200, "")
		wantStatus(t, root.do("PATCH", "/admin/privacy/requests/"+r.ID, map[string]any{"note": "late"}), 409, "conflict") // closed
	})
}
