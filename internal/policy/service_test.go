package policy_test

import (
	"context"
	"testing"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
	"shipshape/internal/policy"
	"shipshape/internal/testkit"
)

func TestPublishAndAcknowledge(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		a := testkit.NewApp(t, d, clock)
		svc := a.Policies
		admin := testkit.MustUser(t, a, "Ada Admin")
		early := testkit.MustUser(t, a, "Eli Early")

		cur, err := svc.Current(ctx)
		if err != nil || cur.Version != 0 || cur.Body == "" {
			t.Fatalf("built-in policy %+v %v", cur, err)
		}
		if st, err := svc.Status(ctx, early.ID, early.CreatedAt); err != nil || st.Pending != 0 {
			t.Fatalf("nothing to acknowledge yet: %+v %v", st, err)
		}
		_, err = svc.Publish(ctx, testkit.Actor(early), false, policy.PublishInput{Body: "x", Changelog: "y"})
		testkit.WantCode(t, err, apperr.NotFound)
		_, err = svc.Publish(ctx, testkit.Actor(admin), true, policy.PublishInput{Body: "  ", Changelog: ""})
		testkit.WantFields(t, err, "body", "changelog")

		clock.Advance(time.Hour)
		v1, err := svc.Publish(ctx, testkit.Actor(admin), true, policy.PublishInput{Body: "# Policy v1", Changelog: "First version", Material: true})
		if err != nil || v1.Version != 1 || !v1.Material {
			t.Fatalf("publish %+v %v", v1, err)
		}
		// Someone who joined before a material change must acknowledge it;
		// someone who joins after it need not.
		if st, _ := svc.Status(ctx, early.ID, early.CreatedAt); st.Pending != 1 || st.Current != 1 {
			t.Fatalf("early user's status %+v", st)
		}
		clock.Advance(time.Hour)
		late := testkit.MustUser(t, a, "Lou Late")
		if st, _ := svc.Status(ctx, late.ID, late.CreatedAt); st.Pending != 0 {
			t.Errorf("a user who joined after the change must not be asked: %+v", st)
		}
		// A minor change asks nobody.
		if _, err := svc.Publish(ctx, testkit.Actor(admin), true, policy.PublishInput{Body: "# Policy v2", Changelog: "Typo", Material: false}); err != nil {
			t.Fatal(err)
		}
		if st, _ := svc.Status(ctx, late.ID, late.CreatedAt); st.Pending != 0 || st.Current != 2 {
			t.Errorf("minor change: %+v", st)
		}
		// Only the current version can be acknowledged; it covers version 1.
		_, err = svc.Accept(ctx, testkit.Actor(early), policy.AcceptInput{Version: 1})
		testkit.WantFields(t, err, "version")
		if _, err := svc.Accept(ctx, testkit.Actor(early), policy.AcceptInput{Version: 2}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Accept(ctx, testkit.Actor(early), policy.AcceptInput{Version: 2}); err != nil {
			t.Fatalf("acknowledging twice: %v", err)
		}
		if st, _ := svc.Status(ctx, early.ID, early.CreatedAt); st.Pending != 0 {
			t.Errorf("after acknowledging: %+v", st)
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE action IN ('policy.publish', 'policy.accept')`).Scan(&n); err != nil || n != 3 {
			t.Errorf("audit events %d %v, want 3 (two publications, one acknowledgement)", n, err)
		}
		h, err := svc.History(ctx)
		if err != nil || len(h) != 2 || h[0].Version != 2 || h[1].Changelog != "First version" {
			t.Errorf("history %+v %v", h, err)
		}
		if _, err := svc.Version(ctx, 9); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown version: %v", err)
		}
	})
}
