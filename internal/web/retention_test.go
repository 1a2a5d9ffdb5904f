package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func TestRetentionPage(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		bo := testkit.MustUser(t, s.app, "Bo Chen")

		// Site admins only; a 404 for everyone else.
		bob := s.browser(t)
		bob.mustLogin(bo.Email, testkit.Password)
		expectStatus(t, bob.get("/admin/retention"), http.StatusNotFound)
		expectStatus(t, bob.post("/admin/retention/run", url.Values{"dry_run": {"1"}}), http.StatusNotFound)
		expectStatus(t, bob.post("/admin/retention", url.Values{"keep_days.sessions": {"1"}}), http.StatusNotFound)

		expectText(t, b.get("/admin"), "Data retention")
		p := b.get("/admin/retention")
		expectStatus(t, p, http.StatusOK)
		expectCSPClean(t, p)
		expectText(t, p, "Data retention", "Access logs", "Audit events", "Expired sessions", "Export archives",
			"Last scheduled run", "Never", "Within a minute of the server's start", "No runs yet.")

		// Every category's period in one form; a bad one is named.
		form := url.Values{}
		for cat, days := range map[string]string{"access_logs": "90", "audit_events": "5", "sessions": "30", "login_throttle": "1",
			"export_archives": "2", "deleted_accounts": "7", "backups": "seven"} {
			form.Set("keep_days."+cat, days)
		}
		p = b.post("/admin/retention", form)
		expectStatus(t, p, http.StatusBadRequest)
		expectText(t, p, "Please correct the highlighted fields.", "Must be a whole number of days from 365 to 3650", "from 1 to 3650")
		expectCSPClean(t, p)
		form.Set("keep_days.audit_events", "400")
		form.Set("keep_days.backups", "14")
		p = b.post("/admin/retention", form)
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Retention periods saved.")
		if p.URL.Path != "/admin/retention" {
			t.Errorf("after saving at %s", p.URL)
		}
		o, err := s.app.Retention.Overview(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, pol := range o.Policies {
			if (pol.Category == "audit_events" && pol.KeepDays != 400) || (pol.Category == "backups" && pol.KeepDays != 14) {
				t.Errorf("%s kept %d days", pol.Category, pol.KeepDays)
			}
		}

		// A dry run shows what would go and changes nothing; a run purges.
		// Ana's, Bo's and a second of Bo's sessions idle out after 7 days.
		if _, _, err := s.app.Accounts.Login(ctx, testkit.Actor(bo), bo.Email, testkit.Password); err != nil {
			t.Fatal(err)
		}
		s.clock.Advance(40 * 24 * time.Hour)
		b.mustLogin("ana@example.com", adminPassword) // Ana's own session idled out too
		sessions := func() int {
			var n int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE expires_at < ?`, s.clock.Now()).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := sessions()
		p = b.post("/admin/retention/run", url.Values{"dry_run": {"1"}})
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Dry run", "Nothing was changed. A run now would purge:", "Expired sessions 3 rows (delete after 30 days)")
		expectCSPClean(t, p)
		if sessions() != before {
			t.Error("a dry run deleted sessions")
		}
		p = b.post("/admin/retention/run", url.Values{})
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Purged:", "Run · ", "by you", "Expired sessions 3 rows", "Expired sessions: 3 rows")
		var left int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE last_seen_at < ?`, s.clock.Now().Add(-37*24*time.Hour)).Scan(&left); err != nil || left != 0 {
			t.Errorf("expired sessions left: %d %v", left, err)
		}

		// The job's schedule shows up.
		if err := s.app.Retention.RunDue(ctx, s.clock.Now()); err != nil {
			t.Fatal(err)
		}
		p = b.get("/admin/retention")
		expectText(t, p, "scheduled", "in 24 hours")
		expectNoText(t, p, "No runs yet.")
	})
}
