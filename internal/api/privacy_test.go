package api_test

import (
	"context"
	"encoding/json"
	"testing"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/db"
	"shipshape/internal/privacy"
	"shipshape/internal/testkit"
)

func TestPrivacyInventoryForSiteAdminsOnly(t *testing.T) {
	d := testkit.OpenDB(t, db.SQLite)
	a := testkit.NewApp(t, d, testkit.NewClock())
	srv := testkit.Server(t, a)
	admin, err := a.Accounts.CreateUser(context.Background(), account.SignupInput{Name: "Site Admin", Email: "root@example.com", Password: testkit.Password}, true)
	if err != nil {
		t.Fatal(err)
	}
	plain := testkit.MustUser(t, a, "Plain User")
	api := client{t: t, base: srv.URL}

	t.Run("AnonymousIsUnauthenticated", func(t *testing.T) {
		wantStatus(t, api.do("GET", "/admin/privacy/inventory", nil), 401, "unauthenticated")
	})

	t.Run("NotFoundForOthers", func(t *testing.T) {
		r := api.with(testkit.MustToken(t, a, plain)).do("GET", "/admin/privacy/inventory", nil)
		wantStatus(t, r, 404, "not_found")
	})

	t.Run("SiteAdminReadsTheInventory", func(t *testing.T) {
		r := api.with(testkit.MustToken(t, a, admin)).do("GET", "/admin/privacy/inventory", nil)
		wantStatus(t, r, 200, "")
		var inv privacy.Inventory
		if err := json.Unmarshal(r.Body, &inv); err != nil {
			t.Fatalf("body is not an inventory: %v: %s", err, r.Body)
		}
		_, f, ok := inv.Lookup("users", "email")
		if !ok || !f.Personal || f.Category != privacy.Contact || f.Basis == "" || f.Retention == "" || f.Erasure == "" {
			t.Errorf("users.email = %+v (found %t), want personal contact data with basis, retention and erasure", f, ok)
		}
		if _, f, ok := inv.Lookup("users", "site_admin"); !ok || f.Category != privacy.Account {
			t.Errorf("users.site_admin = %+v (found %t)", f, ok)
		}
		if _, f, ok := inv.Lookup("audit_chains", "hash"); !ok || f.Personal || f.Reason == "" {
			t.Errorf("audit_chains.hash = %+v (found %t), want not personal with a reason", f, ok)
		}
		want, _ := json.Marshal(app.PrivacyInventory())
		got, _ := json.Marshal(inv)
		if string(got) != string(want) {
			t.Error("the API's inventory differs from app.PrivacyInventory()")
		}
		// The JSON names are the stable snake_case ones.
		var raw map[string][]map[string]any
		if err := json.Unmarshal(r.Body, &raw); err != nil {
			t.Fatal(err)
		}
		if len(raw["tables"]) == 0 || raw["tables"][0]["fields"] == nil || raw["tables"][0]["domain"] == nil {
			t.Errorf("unexpected JSON shape: %.300s", r.Body)
		}
	})
}
