package consent_test

import (
	"context"
	"testing"

	"shipshape/internal/consent"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func TestPreferencesAndLedger(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		a := testkit.NewApp(t, d, clock)
		ana := testkit.MustUser(t, a, "Ana Lima")
		svc := a.Consent

		// Defaults: product e-mails on, marketing and analytics off.
		pr, err := svc.Preferences(ctx, ana.ID, false)
		if err != nil || !pr.ProductEmail || pr.MarketingEmail || pr.ProductAnalytics || pr.GPC {
			t.Fatalf("defaults %+v %v", pr, err)
		}
		yes, no := true, false
		pr, err = svc.Set(ctx, testkit.Actor(ana), consent.Patch{MarketingEmail: &yes, ProductAnalytics: &yes}, consent.Web, false)
		if err != nil || !pr.MarketingEmail || !pr.ProductAnalytics || !pr.Effective.MarketingEmail || !pr.Effective.ProductAnalytics {
			t.Fatalf("opt in %+v %v", pr, err)
		}
		// A privacy signal: stored choices stay, effective ones are off.
		pr, err = svc.Preferences(ctx, ana.ID, true)
		if err != nil || !pr.MarketingEmail || !pr.GPC || pr.Effective.MarketingEmail || pr.Effective.ProductAnalytics || !pr.Effective.ProductEmail {
			t.Fatalf("with GPC %+v %v", pr, err)
		}
		clock.Advance(1)
		// Withdrawing is one call; repeating a choice records nothing.
		if _, err := svc.Set(ctx, testkit.Actor(ana), consent.Patch{MarketingEmail: &no, ProductAnalytics: &yes, ProductEmail: &no}, consent.API, true); err != nil {
			t.Fatal(err)
		}
		events, err := svc.Ledger(ctx, ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 4 {
			t.Fatalf("ledger has %d entries, want 4: %+v", len(events), events)
		}
		newest := events[0]
		if newest.Source != consent.API || !newest.GPC || newest.Granted || events[3].Source != consent.Web || events[3].GPC {
			t.Errorf("ledger %+v", events)
		}
		seen := map[consent.Purpose]bool{}
		for _, e := range events[:2] {
			seen[e.Purpose] = true
		}
		if !seen[consent.ProductEmail] || !seen[consent.MarketingEmail] {
			t.Errorf("the second change recorded %+v", events[:2])
		}
		var audited int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'consent.change' AND target_id = ?`, ana.ID).Scan(&audited); err != nil || audited != 4 {
			t.Errorf("audit events %d %v, want 4", audited, err)
		}
		// Choices are per person.
		bo := testkit.MustUser(t, a, "Bo Chen")
		if pr, _ := svc.Preferences(ctx, bo.ID, false); pr.MarketingEmail || !pr.ProductEmail {
			t.Errorf("Bo's defaults %+v", pr)
		}
	})
}
