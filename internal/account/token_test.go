package account_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/apperr"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

var tokenRE = regexp.MustCompile(`^ssp_[0-9a-f]{64}$`)

func TestTokens(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ana := testkit.MustUser(t, e.App, "Ana Lima")
		bob := testkit.MustUser(t, e.App, "Bob Reis")
		create := func(t *testing.T, u account.User, in account.TokenInput) (account.Token, string) {
			t.Helper()
			tok, secret, err := e.Accounts.CreateToken(ctx, testkit.Actor(u), u.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			return tok, secret
		}
		listed := func(t *testing.T, u account.User, id string) *account.Token {
			t.Helper()
			ts, err := e.Accounts.Tokens(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			for i := range ts {
				if ts[i].ID == id {
					return &ts[i]
				}
			}
			return nil
		}

		rw, rwSecret := create(t, ana, account.TokenInput{Name: " deploy bot ", Scopes: []string{"read", "write", "read"}})

		t.Run("CreateReturnsSecretOnceAndStoresHash", func(t *testing.T) {
			if !tokenRE.MatchString(rwSecret) {
				t.Errorf("secret %q does not look like ssp_<64 hex>", rwSecret)
			}
			if rw.Name != "deploy bot" || !slices.Equal(rw.Scopes, []account.Scope{account.ScopeRead, account.ScopeWrite}) || rw.ExpiresAt != nil {
				t.Errorf("token = %+v", rw)
			}
			var hash string
			if err := d.QueryRow(ctx, `SELECT token_hash FROM tokens WHERE id = ?`, rw.ID).Scan(&hash); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(hash, rwSecret[4:]) || hash == rwSecret {
				t.Error("the token secret is stored in clear")
			}
			e.wantAudit(t, "token.create", 1, rw.ID)
		})

		t.Run("ListHasNoSecret", func(t *testing.T) {
			ts, err := e.Accounts.Tokens(ctx, ana.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 1 || ts[0].ID != rw.ID {
				t.Fatalf("Tokens = %+v, want the one token", ts)
			}
			b, _ := json.Marshal(ts)
			if strings.Contains(string(b), rwSecret[4:]) || strings.Contains(string(b), "hash") {
				t.Errorf("token list leaks the secret or its hash: %s", b)
			}
			if other, _ := e.Accounts.Tokens(ctx, bob.ID); len(other) != 0 {
				t.Errorf("Bob sees %d tokens, want 0", len(other))
			}
		})

		t.Run("AuthenticatesAndRecordsUse", func(t *testing.T) {
			p, err := e.Accounts.TokenPrincipal(ctx, rwSecret)
			if err != nil {
				t.Fatal(err)
			}
			if p.User.ID != ana.ID || !p.Can(account.ScopeRead) || !p.Can(account.ScopeWrite) {
				t.Errorf("principal = %+v", p)
			}
			if got := listed(t, ana, rw.ID); got == nil || got.LastUsedAt == nil || !got.LastUsedAt.Equal(e.clock.Now()) {
				t.Errorf("last used = %+v, want now", got)
			}
		})

		t.Run("ReadOnlyTokenCannotWrite", func(t *testing.T) {
			_, secret := create(t, ana, account.TokenInput{Name: "dashboard", Scopes: []string{"read"}})
			p, err := e.Accounts.TokenPrincipal(ctx, secret)
			if err != nil {
				t.Fatal(err)
			}
			if !p.Can(account.ScopeRead) || p.Can(account.ScopeWrite) {
				t.Errorf("read-only principal: read=%v write=%v", p.Can(account.ScopeRead), p.Can(account.ScopeWrite))
			}
		})

		t.Run("ErrInvalidInput", func(t *testing.T) {
			cases := []struct {
				name   string
				in     account.TokenInput
				fields []string
			}{
				{"ErrNoScopes", account.TokenInput{Name: "x"}, []string{"scopes"}},
				{"ErrUnknownScope", account.TokenInput{Name: "x", Scopes: []string{"read", "admin"}}, []string{"scopes"}},
				{"ErrNameRequired", account.TokenInput{Name: " ", Scopes: []string{"read"}}, []string{"name"}},
				{"ErrExpiryTooLong", account.TokenInput{Name: "x", Scopes: []string{"read"}, ExpiresIn: 367 * 24 * time.Hour}, []string{"expires_in_hours"}},
				{"ErrNegativeExpiry", account.TokenInput{Name: "x", Scopes: []string{"read"}, ExpiresIn: -time.Hour}, []string{"expires_in_hours"}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					_, _, err := e.Accounts.CreateToken(ctx, testkit.Actor(ana), ana.ID, c.in)
					wantFields(t, err, c.fields...)
				})
			}
		})

		t.Run("ErrUnknownSecrets", func(t *testing.T) {
			for _, s := range []string{"", "abc", rwSecret[4:], "ssp_" + strings.Repeat("0", 64), strings.ToUpper(rwSecret)} {
				_, err := e.Accounts.TokenPrincipal(ctx, s)
				wantCode(t, err, apperr.Unauthenticated)
			}
		})

		t.Run("ErrRevokeAnotherUsersToken", func(t *testing.T) {
			wantCode(t, e.Accounts.RevokeToken(ctx, testkit.Actor(bob), bob.ID, rw.ID), apperr.NotFound)
			if _, err := e.Accounts.TokenPrincipal(ctx, rwSecret); err != nil {
				t.Errorf("token stopped working after someone else's revoke attempt: %v", err)
			}
			e.wantAudit(t, "token.revoke", 0, "")
		})

		t.Run("RevokeEndsToken", func(t *testing.T) {
			if err := e.Accounts.RevokeToken(ctx, testkit.Actor(ana), ana.ID, rw.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Accounts.TokenPrincipal(ctx, rwSecret); !apperr.Is(err, apperr.Unauthenticated) {
				t.Errorf("revoked token: %v, want unauthenticated", err)
			}
			if listed(t, ana, rw.ID) != nil {
				t.Error("revoked token still listed")
			}
			wantCode(t, e.Accounts.RevokeToken(ctx, testkit.Actor(ana), ana.ID, rw.ID), apperr.NotFound)
			e.wantAudit(t, "token.revoke", 1, rw.ID)
			var label string
			// The token's name is the person's words: it stays out of the
			// trail, which outlives an account erasure.
			if err := d.QueryRow(ctx, `SELECT target_label FROM audit_events WHERE action = 'token.revoke'`).Scan(&label); err != nil || label != "" {
				t.Errorf("revoke event label = %q (%v), want none", label, err)
			}
		})

		t.Run("ExpiredTokenRefused", func(t *testing.T) {
			tok, secret := create(t, ana, account.TokenInput{Name: "short", Scopes: []string{"read"}, ExpiresIn: time.Hour})
			if tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(e.clock.Now().Add(time.Hour)) {
				t.Fatalf("ExpiresAt = %v", tok.ExpiresAt)
			}
			e.clock.Advance(time.Hour - time.Second)
			if _, err := e.Accounts.TokenPrincipal(ctx, secret); err != nil {
				t.Fatalf("token refused before expiry: %v", err)
			}
			e.clock.Advance(time.Second)
			if _, err := e.Accounts.TokenPrincipal(ctx, secret); !apperr.Is(err, apperr.Unauthenticated) {
				t.Errorf("expired token: %v, want unauthenticated", err)
			}
			if listed(t, ana, tok.ID) != nil {
				t.Error("expired token still listed")
			}
		})
	})
}

func TestTokenWithPassword(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ana := testkit.MustUser(t, e.App, "Ana Lima")
		in := account.TokenInput{Name: "ci", Scopes: []string{"read", "write"}, ExpiresIn: 24 * time.Hour}

		t.Run("ErrInvalidInputBeforeCredentials", func(t *testing.T) {
			_, _, err := e.Accounts.TokenWithPassword(ctx, from("192.0.2.1"), anaEmail, "wrong password", account.TokenInput{Name: "ci"})
			wantFields(t, err, "scopes")
			var n int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM login_throttle`).Scan(&n); err != nil || n != 0 {
				t.Errorf("an invalid request counted as a failed sign-in (%d rows, %v)", n, err)
			}
		})

		t.Run("ErrWrongPassword", func(t *testing.T) {
			_, _, err := e.Accounts.TokenWithPassword(ctx, from("192.0.2.1"), anaEmail, "wrong password", in)
			wantCode(t, err, apperr.Unauthenticated)
			e.wantAudit(t, "token.create", 0, "")
		})

		t.Run("IssuesTokenForTheUser", func(t *testing.T) {
			tok, secret, err := e.Accounts.TokenWithPassword(ctx, from("192.0.2.1"), anaEmail, testkit.Password, in)
			if err != nil {
				t.Fatal(err)
			}
			p, err := e.Accounts.TokenPrincipal(ctx, secret)
			if err != nil || p.User.ID != ana.ID {
				t.Fatalf("principal = %+v, %v", p, err)
			}
			e.wantAudit(t, "token.create", 1, tok.ID)
			var actorID string
			if err := d.QueryRow(ctx, `SELECT actor_id FROM audit_events WHERE action = 'token.create'`).Scan(&actorID); err != nil || actorID != ana.ID {
				t.Errorf("token.create actor = %q (%v), want Ana", actorID, err)
			}
		})
	})
}
