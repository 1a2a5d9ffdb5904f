package account_test

import (
	"strings"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/apperr"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/testkit"
)

func validSignup() account.SignupInput {
	return account.SignupInput{Name: "Bea Costa", Email: "bea@example.com", Password: "a long enough secret", AgeConfirmed: true}
}

func TestSignupValidation(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("é", n) }
	cases := []struct {
		name   string
		change func(in *account.SignupInput)
		fields []string
	}{
		{"ErrPasswordRequired", func(in *account.SignupInput) { in.Password = "" }, []string{"password"}},
		{"ErrPasswordTooShort", func(in *account.SignupInput) { in.Password = "Xk3!pq9z" }, []string{"password"}},
		{"ErrPasswordCommon", func(in *account.SignupInput) { in.Password = "Password123" }, []string{"password"}},
		{"ErrPasswordFewDistinctCharacters", func(in *account.SignupInput) { in.Password = "abcabcabcabc" }, []string{"password"}},
		{"ErrPasswordIsTheEmail", func(in *account.SignupInput) { in.Password = "BEA@example.com" }, []string{"password"}},
		{"ErrPasswordTooLong", func(in *account.SignupInput) { in.Password = strings.Repeat("abcdefgh", 32) + "x" }, []string{"password"}},
		{"ErrPasswordInvalidUTF8", func(in *account.SignupInput) { in.Password = "abcdefghij\xff" }, []string{"password"}},
		{"ErrEmailRequired", func(in *account.SignupInput) { in.Email = "  " }, []string{"email"}},
		{"ErrEmailWithoutDotInDomain", func(in *account.SignupInput) { in.Email = "a@b" }, []string{"email"}},
		{"ErrEmailWithSpace", func(in *account.SignupInput) { in.Email = "x y@z.com" }, []string{"email"}},
		{"ErrEmailWithDisplayName", func(in *account.SignupInput) { in.Email = "Bea <bea@example.com>" }, []string{"email"}},
		{"ErrEmailWithoutLocalPart", func(in *account.SignupInput) { in.Email = "@example.com" }, []string{"email"}},
		{"ErrEmailTrailingDot", func(in *account.SignupInput) { in.Email = "bea@example.com." }, []string{"email"}},
		{"ErrEmailTooLong", func(in *account.SignupInput) {
			in.Email = strings.Repeat("b", 64) + "@" + strings.Repeat(strings.Repeat("x", 60)+".", 4) + "com"
		}, []string{"email"}},
		{"ErrEmailInvalidUTF8", func(in *account.SignupInput) { in.Email = "b\xffa@example.com" }, []string{"email"}},
		{"ErrNameRequired", func(in *account.SignupInput) { in.Name = "" }, []string{"name"}},
		{"ErrNameOnlySpaces", func(in *account.SignupInput) { in.Name = "   " }, []string{"name"}},
		{"ErrNameTooLong", func(in *account.SignupInput) { in.Name = long(101) }, []string{"name"}},
		{"ErrNameControlCharacter", func(in *account.SignupInput) { in.Name = "Bea\x00Costa" }, []string{"name"}},
		{"ErrNameNewline", func(in *account.SignupInput) { in.Name = "Bea\nCosta" }, []string{"name"}},
		{"ErrNameInvalidUTF8", func(in *account.SignupInput) { in.Name = "Bea \xc3" }, []string{"name"}},
		{"ErrCompanyTooLong", func(in *account.SignupInput) { in.Company = long(101) }, []string{"company"}},
		{"ErrJobTitleControlCharacter", func(in *account.SignupInput) { in.JobTitle = "Lead\x1b[31m" }, []string{"job_title"}},
		{"ErrAgeNotConfirmed", func(in *account.SignupInput) { in.AgeConfirmed = false }, []string{"age_confirmed"}},
		{"ErrEverythingAtOnce", func(in *account.SignupInput) { *in = account.SignupInput{} },
			[]string{"name", "email", "password", "age_confirmed"}},
	}
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.setup(t)
		if err := e.Accounts.SetSignupMode(ctx, adminPrincipal(t, e), from(""), account.SignupOpen); err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := validSignup()
				c.change(&in)
				_, err := e.Accounts.Signup(ctx, from("192.0.2.20"), in)
				wantFields(t, err, c.fields...)
			})
		}
		if n := e.userCount(t); n != 1 {
			t.Errorf("%d users after invalid sign-ups, want 1", n)
		}
	})
}

// adminPrincipal returns the principal of the site admin created by setup.
func adminPrincipal(t *testing.T, e env) account.Principal {
	t.Helper()
	u, _, err := e.Accounts.Login(ctx, from("192.0.2.10"), "admin@example.com", testkit.Password)
	if err != nil {
		t.Fatal(err)
	}
	return account.Principal{User: u}
}

func TestSignupInputValidBoundaries(t *testing.T) {
	t.Parallel()
	cases := map[string]func(in *account.SignupInput){
		"NameOf100MultibyteCharacters": func(in *account.SignupInput) { in.Name = strings.Repeat("é", 100) },
		"Password256Bytes":             func(in *account.SignupInput) { in.Password = strings.Repeat("abcdefgh", 32) },
		"PasswordOf10Characters":       func(in *account.SignupInput) { in.Password = "Xk3!pq9zR2" },
		"PlusAddressAndSubdomain":      func(in *account.SignupInput) { in.Email = "bea.costa+ship@mail.example.co.uk" },
		"EmptyOptionalFields":          func(in *account.SignupInput) { in.Company, in.JobTitle = "", "" },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			in := validSignup()
			change(&in)
			if err := in.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestSetup(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)

		t.Run("ErrSignupBeforeSetup", func(t *testing.T) {
			_, err := e.Accounts.Signup(ctx, from("192.0.2.1"), validSignup())
			wantCode(t, err, apperr.Forbidden)
			if need, _ := e.Accounts.NeedsSetup(ctx); !need {
				t.Error("NeedsSetup = false on an empty site")
			}
		})

		admin := e.setup(t)

		t.Run("FirstUserIsSiteAdminAndSignupBecomesInviteOnly", func(t *testing.T) {
			if !admin.SiteAdmin {
				t.Error("first user is not a site admin")
			}
			if need, err := e.Accounts.NeedsSetup(ctx); need || err != nil {
				t.Errorf("NeedsSetup = %v, %v after setup", need, err)
			}
			if m, err := e.Accounts.SignupMode(ctx); m != account.SignupInviteOnly || err != nil {
				t.Errorf("SignupMode = %q, %v; want invite-only", m, err)
			}
			e.wantAudit(t, "user.create", 1, admin.ID)
		})

		t.Run("ErrSetupTwice", func(t *testing.T) {
			in := validSignup()
			_, err := e.Accounts.Setup(ctx, from("192.0.2.66"), in)
			wantCode(t, err, apperr.Conflict)
			if n := e.userCount(t); n != 1 {
				t.Errorf("%d users after a second setup, want 1", n)
			}
			e.wantAudit(t, "user.create", 1, admin.ID)
		})
	})
}

func TestSignup(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		admin := e.setup(t)
		testkit.MustWorkspace(t, e.App, admin, "acme")
		invite := func(t *testing.T, email string) string {
			t.Helper()
			inv, err := e.Workspaces.Invite(ctx, testkit.Actor(admin), "acme", email, perm.Member)
			if err != nil {
				t.Fatal(err)
			}
			return inv.Token
		}

		t.Run("ErrInviteOnlyWithoutInvitation", func(t *testing.T) {
			_, err := e.Accounts.Signup(ctx, from("192.0.2.1"), validSignup())
			wantCode(t, err, apperr.Forbidden)
		})

		t.Run("ErrInvitationForAnotherEmail", func(t *testing.T) {
			in := validSignup()
			in.Invitation = invite(t, "someone.else@example.com")
			_, err := e.Accounts.Signup(ctx, from("192.0.2.1"), in)
			wantFields(t, err, "email")
		})

		t.Run("ErrUnknownInvitation", func(t *testing.T) {
			in := validSignup()
			in.Invitation = "inv_0000"
			if _, err := e.Accounts.Signup(ctx, from("192.0.2.1"), in); err == nil {
				t.Fatal("sign-up with a made-up invitation succeeded")
			}
		})

		t.Run("ErrExpiredInvitation", func(t *testing.T) {
			in := validSignup()
			in.Invitation = invite(t, in.Email)
			e.clock.Advance(8 * 24 * time.Hour)
			if _, err := e.Accounts.Signup(ctx, from("192.0.2.1"), in); err == nil {
				t.Fatal("sign-up with an expired invitation succeeded")
			}
		})

		if n := e.userCount(t); n != 1 {
			t.Fatalf("%d users after refused sign-ups, want 1", n)
		}

		t.Run("InvitationForMatchingEmailCaseInsensitive", func(t *testing.T) {
			in := validSignup()
			in.Invitation = invite(t, "Bea@Example.COM")
			u, err := e.Accounts.Signup(ctx, from("192.0.2.1"), in)
			if err != nil {
				t.Fatal(err)
			}
			if u.SiteAdmin || u.Email != "bea@example.com" {
				t.Errorf("user = %+v", u)
			}
			e.wantAudit(t, "user.create", 2, u.ID)
			// Sign-up joined the workspace in the same transaction; the
			// invitation is used up.
			e.wantAudit(t, "invitation.accept", 1, "")
			if _, err := e.Workspaces.Accept(ctx, testkit.Actor(u), u.Email, in.Invitation); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("second accept after sign-up: %v, want not_found", err)
			}
		})

		t.Run("ErrSiteSettingsHiddenFromNonAdmins", func(t *testing.T) {
			bea, _, err := e.Accounts.Login(ctx, from("192.0.2.1"), "bea@example.com", validSignup().Password)
			if err != nil {
				t.Fatal(err)
			}
			err = e.Accounts.SetSignupMode(ctx, account.Principal{User: bea}, from("192.0.2.1"), account.SignupOpen)
			wantCode(t, err, apperr.NotFound)
			_, err = e.Accounts.Settings(ctx, account.Principal{User: bea})
			wantCode(t, err, apperr.NotFound)
			err = e.Accounts.SetSignupMode(ctx, adminPrincipal(t, e), from("192.0.2.1"), "everyone")
			wantFields(t, err, "signup_mode")
			if m, _ := e.Accounts.SignupMode(ctx); m != account.SignupInviteOnly {
				t.Errorf("mode = %q after refused changes", m)
			}
			e.wantAudit(t, "site.signup_mode", 0, "")
		})

		t.Run("OpenSignupNeedsNoInvitation", func(t *testing.T) {
			if err := e.Accounts.SetSignupMode(ctx, adminPrincipal(t, e), from("192.0.2.1"), account.SignupOpen); err != nil {
				t.Fatal(err)
			}
			e.wantAudit(t, "site.signup_mode", 1, "signup_mode")
			if st, err := e.Accounts.Settings(ctx, adminPrincipal(t, e)); err != nil || st.SignupMode != account.SignupOpen {
				t.Errorf("Settings = %+v, %v; want open", st, err)
			}
			in := validSignup()
			in.Name, in.Email = "Cid Dias", "cid@example.com"
			if _, err := e.Accounts.Signup(ctx, from("192.0.2.1"), in); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("ErrDuplicateEmailIgnoresCase", func(t *testing.T) {
			in := validSignup()
			in.Email = "  CID@example.com "
			_, err := e.Accounts.Signup(ctx, from("192.0.2.1"), in)
			ae := wantCode(t, err, apperr.Conflict)
			if ae.Fields["email"] == "" {
				t.Errorf("conflict fields = %v, want email", ae.Fields)
			}
			if n := e.userCount(t); n != 3 {
				t.Errorf("%d users, want 3", n)
			}
			e.wantAudit(t, "user.create", 3, "")
		})
	})
}

// TestSignupWithInvitationTrimsEmail: sign-up trims the e-mail before it
// stores it, so the invitation check must compare the trimmed address too.
func TestSignupWithInvitationTrimsEmail(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		admin := e.setup(t)
		testkit.MustWorkspace(t, e.App, admin, "acme")
		inv, err := e.Workspaces.Invite(ctx, testkit.Actor(admin), "acme", "dan@example.com", perm.Member)
		if err != nil {
			t.Fatal(err)
		}
		in := validSignup()
		in.Name, in.Email, in.Invitation = "Dan Melo", "  dan@example.com ", inv.Token
		u, err := e.Accounts.Signup(ctx, from("192.0.2.1"), in)
		if err != nil {
			t.Fatalf("Signup with the invited address typed with spaces: %v", err)
		}
		if u.Email != "dan@example.com" {
			t.Errorf("stored e-mail %q", u.Email)
		}
	})
}
