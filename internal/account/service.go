package account

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/blob"
	"shipshape/internal/db"
)

// Invitations is what sign-up needs from the workspace domain (app wires
// it): Check says whether token is usable by email (nil, or an Invalid
// error naming the field); AcceptForSignup accepts it for the new account
// inside the sign-up transaction, so the account and its membership are
// created together or not at all.
type Invitations interface {
	CheckInvitation(ctx context.Context, q db.Querier, token, email string) error
	AcceptForSignup(ctx context.Context, tx *db.Tx, actor audit.Actor, token, email string) error
}

// Service is the account domain's transaction and permission boundary.
type Service struct {
	DB          *db.DB
	Now         func() time.Time
	Log         *slog.Logger
	SessionIdle time.Duration
	SessionMax  time.Duration
	Invitations Invitations
	// Erasure (erase.go): how long a scheduled deletion waits, what other
	// domains remove, and the file storage that keeps the deletion ledger.
	DeletionGrace time.Duration
	GraceFrom     func(context.Context) (time.Duration, error) // the retention policy, when wired
	Erasers       []Eraser
	Blobs         blob.Store
}

const settingSignupMode = "signup_mode"

// NeedsSetup reports whether no user exists yet (the setup page is open).
func (s *Service) NeedsSetup(ctx context.Context) (bool, error) {
	n, err := countUsers(ctx, s.DB)
	return n == 0, err
}

// Setup creates the first user as site admin. It fails once any user exists.
func (s *Service) Setup(ctx context.Context, actor audit.Actor, in SignupInput) (User, error) {
	in.Invitation = ""
	return s.create(ctx, actor, in, true, true, func(ctx context.Context, q db.Querier, in SignupInput) error {
		n, err := countUsers(ctx, q)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.E(apperr.Conflict, "setup is already complete")
		}
		return nil
	})
}

// Signup creates an account when sign-up is open, or with a valid
// invitation, which it accepts in the same transaction.
func (s *Service) Signup(ctx context.Context, actor audit.Actor, in SignupInput) (User, error) {
	return s.create(ctx, actor, in, false, true, func(ctx context.Context, q db.Querier, in SignupInput) error {
		n, err := countUsers(ctx, q)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.E(apperr.Forbidden, "complete the setup first")
		}
		if in.Invitation != "" && s.Invitations != nil {
			return s.Invitations.CheckInvitation(ctx, q, in.Invitation, in.Email)
		}
		mode, err := s.signupMode(ctx, q)
		if err != nil || mode == SignupOpen {
			return err
		}
		return apperr.E(apperr.Forbidden, "sign-up is by invitation only")
	})
}

// CreateUser is the operator's `admin create-user`.
func (s *Service) CreateUser(ctx context.Context, in SignupInput, siteAdmin bool) (User, error) {
	in.AgeConfirmed = true // an operator vouches for the person
	in.Invitation = ""
	return s.create(ctx, audit.Actor{UserAgent: "shipshape-cli"}, in, siteAdmin, false,
		func(context.Context, db.Querier, SignupInput) error { return nil })
}

// maxSignupsPerIP bounds account creation from one address per throttle
// window: each costs an argon2 hash (19 MiB, tens of milliseconds).
const maxSignupsPerIP = 20

// create makes an account. check runs twice: first on the reader pool so
// that a refused sign-up costs no password hash, then inside the
// transaction, where it decides. public requests are throttled per address.
func (s *Service) create(ctx context.Context, actor audit.Actor, in SignupInput, siteAdmin, public bool,
	check func(context.Context, db.Querier, SignupInput) error) (User, error) {
	in.normalize()
	if err := in.Validate(); err != nil {
		return User{}, err
	}
	if err := check(ctx, s.DB, in); err != nil {
		return User{}, err
	}
	now := s.Now()
	if public && actor.IP != "" {
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			return reserve(ctx, tx, now, "too many new accounts from your network; try again later", throttleKey{"signup:" + actor.IP, maxSignupsPerIP})
		})
		if err != nil {
			return User{}, err
		}
	}
	hash := HashPassword(in.Password) // slow: outside the transaction
	u := User{ID: db.NewID(), Email: in.Email, Name: in.Name, Company: in.Company, JobTitle: in.JobTitle,
		SiteAdmin: siteAdmin, CreatedAt: now.UTC().Truncate(time.Microsecond)}
	u.UpdatedAt = u.CreatedAt
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		// Serialise account creation: "is this the first user?" must not race.
		if err := tx.Lock(ctx, "users.create"); err != nil {
			return err
		}
		if err := check(ctx, tx, in); err != nil {
			return err
		}
		n, err := countUsers(ctx, tx)
		if err != nil {
			return err
		}
		if n == 0 { // the first account closes open sign-up
			if err := putSetting(ctx, tx, settingSignupMode, string(SignupInviteOnly)); err != nil {
				return err
			}
		}
		if err := insertUser(ctx, tx, u, hash, now); err != nil {
			return err
		}
		if actor.UserID == "" {
			actor.UserID = u.ID
		}
		if err := audit.Record(ctx, tx, actor, now, audit.Entry{Action: "user.create", TargetType: "user", TargetID: u.ID}); err != nil {
			return err
		}
		if in.Invitation != "" && s.Invitations != nil {
			actor.UserID = u.ID
			return s.Invitations.AcceptForSignup(ctx, tx, actor, in.Invitation, u.Email)
		}
		return nil
	})
	return u, err
}

// SignupMode returns the site's sign-up policy.
func (s *Service) SignupMode(ctx context.Context) (SignupMode, error) { return s.signupMode(ctx, s.DB) }

func (s *Service) signupMode(ctx context.Context, q db.Querier) (SignupMode, error) {
	v, ok, err := getSetting(ctx, q, settingSignupMode)
	if err != nil || !ok {
		return SignupInviteOnly, err
	}
	return SignupMode(v), nil
}

// SiteSettings are the site-wide settings a site admin manages.
type SiteSettings struct {
	SignupMode SignupMode `json:"signup_mode"`
}

// Settings returns the site settings; site admins only.
func (s *Service) Settings(ctx context.Context, p Principal) (SiteSettings, error) {
	if !p.User.SiteAdmin {
		return SiteSettings{}, apperr.NotFoundf("not found")
	}
	mode, err := s.signupMode(ctx, s.DB)
	return SiteSettings{SignupMode: mode}, err
}

// SetSignupMode changes the policy; site admins only.
func (s *Service) SetSignupMode(ctx context.Context, p Principal, actor audit.Actor, mode SignupMode) error {
	if !p.User.SiteAdmin {
		return apperr.NotFoundf("not found")
	}
	if mode != SignupOpen && mode != SignupInviteOnly {
		return apperr.Fields(map[string]string{"signup_mode": "must be open or invite"})
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := putSetting(ctx, tx, settingSignupMode, string(mode)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, s.Now(), audit.Entry{Action: "site.signup_mode", TargetType: "site", TargetID: "signup_mode", TargetLabel: string(mode)})
	})
}

// verifyCredentials checks e-mail and password under the throttle. Every
// failure looks the same to the caller.
func (s *Service) verifyCredentials(ctx context.Context, actor audit.Actor, email, password string) (User, error) {
	email = strings.TrimSpace(email)
	now := s.Now()
	if email == "" || password == "" {
		return User{}, apperr.Fields(map[string]string{"email": "is required", "password": "is required"})
	}
	if err := s.DB.InTx(ctx, func(tx *db.Tx) error { return reserveAttempt(ctx, tx, email, actor.IP, now) }); err != nil {
		return User{}, err
	}
	u, hash, err := findUserByEmail(ctx, s.DB, email)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return User{}, err
	}
	if hash == "" {
		hash = dummyHash()
	}
	if !CheckPassword(hash, password) || err != nil {
		s.Log.Info("sign-in failed", "ip", actor.IP) // the reservation stays as the failure
		return User{}, apperr.E(apperr.Unauthenticated, "the e-mail or password is not correct")
	}
	if err := s.DB.InTx(ctx, func(tx *db.Tx) error { return releaseAttempt(ctx, tx, email, actor.IP) }); err != nil {
		return User{}, err
	}
	return u, nil
}

// Login checks credentials and opens a session. It returns the cookie value.
func (s *Service) Login(ctx context.Context, actor audit.Actor, email, password string) (User, string, error) {
	u, err := s.verifyCredentials(ctx, actor, email, password)
	if err != nil {
		return User{}, "", err
	}
	secret := db.RandomToken(32)
	now := s.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := insertSession(ctx, tx, db.HashSecret(secret), u.ID, now, now.Add(s.SessionMax), actor); err != nil {
			return err
		}
		actor.UserID = u.ID
		return audit.Record(ctx, tx, actor, now, audit.Entry{Action: "session.create", TargetType: "user", TargetID: u.ID})
	})
	if err != nil {
		return User{}, "", err
	}
	return u, secret, nil
}

// Session returns the principal for a cookie value, enforcing idle and
// absolute expiry. last_seen_at is written at most once a minute.
func (s *Service) Session(ctx context.Context, secret string) (Principal, error) {
	if secret == "" {
		return Principal{}, apperr.E(apperr.Unauthenticated, "sign in to continue")
	}
	id := db.HashSecret(secret)
	row, u, err := findSession(ctx, s.DB, id)
	if err != nil {
		return Principal{}, err
	}
	now := s.Now()
	if !now.Before(row.expiresAt) || !now.Before(row.lastSeen.Add(s.SessionIdle)) {
		_, _ = s.DB.Exec(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		return Principal{}, apperr.E(apperr.Unauthenticated, "your session has expired; sign in again")
	}
	if now.Sub(row.lastSeen) > time.Minute {
		if _, err := s.DB.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?`, now, id, now.Add(-time.Minute)); err != nil {
			s.Log.Warn("touch session", "err", err)
		}
	}
	return Principal{User: u, SessionID: id}, nil
}

// Logout ends the session (idempotent).
func (s *Service) Logout(ctx context.Context, actor audit.Actor, p Principal) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id = ?`, p.SessionID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, s.Now(), audit.Entry{Action: "session.delete", TargetType: "user", TargetID: p.User.ID})
	})
}

// ChangePassword checks the current password, sets the new one, ends every
// session of the user and returns a fresh session for the caller.
func (s *Service) ChangePassword(ctx context.Context, actor audit.Actor, p Principal, current, next string) (string, error) {
	if _, err := s.verifyCredentials(ctx, actor, p.User.Email, current); err != nil {
		if apperr.Is(err, apperr.Unauthenticated) || apperr.Is(err, apperr.Invalid) {
			return "", apperr.Fields(map[string]string{"current_password": "is not correct"})
		}
		return "", err
	}
	v := apperr.Validator{}
	checkPassword(v, "new_password", next, p.User.Email)
	if err := v.Err(); err != nil {
		return "", err
	}
	hash := HashPassword(next)
	secret := db.RandomToken(32)
	now := s.Now()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := setPassword(ctx, tx, p.User.ID, hash, now); err != nil {
			return err
		}
		if err := insertSession(ctx, tx, db.HashSecret(secret), p.User.ID, now, now.Add(s.SessionMax), actor); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{Action: "user.password_change", TargetType: "user", TargetID: p.User.ID})
	})
	return secret, err
}

// ResetPassword is the operator's `admin reset-password`; it ends sessions.
func (s *Service) ResetPassword(ctx context.Context, email, password string) error {
	u, _, err := findUserByEmail(ctx, s.DB, strings.TrimSpace(email))
	if err != nil {
		return err
	}
	v := apperr.Validator{}
	checkPassword(v, "password", password, u.Email)
	if err := v.Err(); err != nil {
		return err
	}
	hash := HashPassword(password)
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := setPassword(ctx, tx, u.ID, hash, now); err != nil {
			return err
		}
		if err := releaseAttempt(ctx, tx, u.Email, ""); err != nil { // an operator's reset lifts the lockout
			return err
		}
		// A reset is account recovery: whoever had the account may hold its
		// tokens too, so they end with the sessions.
		if _, err := tx.Exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, now, u.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Actor{UserAgent: "shipshape-cli"}, now, audit.Entry{Action: "user.password_reset", TargetType: "user", TargetID: u.ID})
	})
}

// User returns a user by id.
func (s *Service) User(ctx context.Context, id string) (User, error) { return findUser(ctx, s.DB, id) }

// UpdateProfile applies a patch to the caller's profile.
func (s *Service) UpdateProfile(ctx context.Context, actor audit.Actor, p Principal, patch ProfilePatch) (User, error) {
	var u User
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if u, err = findUser(ctx, tx, p.User.ID); err != nil {
			return err
		}
		if err := patch.Apply(&u); err != nil {
			return err
		}
		now := s.Now()
		u.UpdatedAt = now.UTC().Truncate(time.Microsecond)
		if err := updateProfile(ctx, tx, u); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{Action: "user.update", TargetType: "user", TargetID: u.ID})
	})
	return u, err
}

// Token secrets look like "ssp_<64 hex>"; only their SHA-256 is stored.
const tokenPrefix = "ssp_"

// CreateToken issues a token for the caller and returns it with its secret.
func (s *Service) CreateToken(ctx context.Context, actor audit.Actor, userID string, in TokenInput) (Token, string, error) {
	scopes, err := in.validate()
	if err != nil {
		return Token{}, "", err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	t := Token{ID: db.NewID(), Name: strings.TrimSpace(in.Name), Scopes: scopes, CreatedAt: now}
	if in.ExpiresIn > 0 {
		exp := now.Add(in.ExpiresIn)
		t.ExpiresAt = &exp
	}
	secret := tokenPrefix + db.RandomToken(32)
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := insertToken(ctx, tx, userID, t, db.HashSecret(secret)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{Action: "token.create", TargetType: "token", TargetID: t.ID}) // no name: the trail outlives an erasure
	})
	return t, secret, err
}

// CreateTokenAs issues a token for the caller. A token may only mint
// tokens that expire no later than itself, so an expiring token cannot be
// turned into a permanent one.
func (s *Service) CreateTokenAs(ctx context.Context, actor audit.Actor, p Principal, in TokenInput) (Token, string, error) {
	if p.Scopes != nil && p.TokenExpires != nil {
		left := p.TokenExpires.Sub(s.Now())
		if in.ExpiresIn == 0 || in.ExpiresIn > left {
			return Token{}, "", apperr.Fields(map[string]string{"expires_in_hours": "a token can only create tokens that expire no later than itself"})
		}
	}
	return s.CreateToken(ctx, actor, p.User.ID, in)
}

// TokenWithPassword is POST /auth/token: credentials in, token out.
func (s *Service) TokenWithPassword(ctx context.Context, actor audit.Actor, email, password string, in TokenInput) (Token, string, error) {
	if _, err := in.validate(); err != nil {
		return Token{}, "", err
	}
	u, err := s.verifyCredentials(ctx, actor, email, password)
	if err != nil {
		return Token{}, "", err
	}
	actor.UserID = u.ID
	return s.CreateToken(ctx, actor, u.ID, in)
}

// CreateTokenFor is the operator's `admin create-token`.
func (s *Service) CreateTokenFor(ctx context.Context, email string, in TokenInput) (Token, string, error) {
	u, _, err := findUserByEmail(ctx, s.DB, strings.TrimSpace(email))
	if err != nil {
		return Token{}, "", err
	}
	return s.CreateToken(ctx, audit.Actor{UserID: u.ID, UserAgent: "shipshape-cli"}, u.ID, in)
}

// Tokens lists the caller's live tokens.
func (s *Service) Tokens(ctx context.Context, userID string) ([]Token, error) {
	return listTokens(ctx, s.DB, userID, s.Now())
}

// RevokeToken revokes one of the caller's tokens; another user's is a 404.
func (s *Service) RevokeToken(ctx context.Context, actor audit.Actor, userID, tokenID string) error {
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var name string
		err := tx.QueryRow(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL RETURNING name`,
			now, tokenID, userID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("token not found")
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{Action: "token.revoke", TargetType: "token", TargetID: tokenID})
	})
}

// TokenPrincipal authenticates a bearer token.
func (s *Service) TokenPrincipal(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return Principal{}, apperr.E(apperr.Unauthenticated, "the token is not valid")
	}
	t, u, err := findToken(ctx, s.DB, db.HashSecret(secret))
	if err != nil {
		return Principal{}, err
	}
	now := s.Now()
	if t.revoked != nil || (t.expires != nil && !now.Before(*t.expires)) {
		return Principal{}, apperr.E(apperr.Unauthenticated, "the token has expired or was revoked")
	}
	if t.lastUsed == nil || now.Sub(*t.lastUsed) > time.Minute {
		// Conditional, so requests in flight together write once.
		if _, err := s.DB.Exec(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
			now, t.id, now.Add(-time.Minute)); err != nil {
			s.Log.Warn("touch token", "err", err)
		}
	}
	return Principal{User: u, Scopes: t.scopes, TokenExpires: t.expires}, nil
}
