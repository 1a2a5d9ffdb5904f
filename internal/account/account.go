// Package account owns people: users, passwords, sessions, personal access
// tokens, sign-up policy and login throttling.
package account

import (
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/validate"
)

// User is a person with an account.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Company   string    `json:"company"`
	JobTitle  string    `json:"job_title"`
	SiteAdmin bool      `json:"site_admin"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// DeletionScheduledFor is when the account will be erased, if its owner
	// asked for that (cancellable until then).
	DeletionScheduledFor *time.Time `json:"deletion_scheduled_for"`
	// RestrictedAt is set while the person has restricted the processing
	// of their data (see restrict.go).
	RestrictedAt *time.Time `json:"restricted_at"`
}

// SignupInput is what a person gives to create an account.
type SignupInput struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	Password     string `json:"password"`
	Company      string `json:"company"`
	JobTitle     string `json:"job_title"`
	AgeConfirmed bool   `json:"age_confirmed"`
	// Invitation lets a person sign up while sign-up is invitation-only.
	Invitation string `json:"invitation,omitempty"`
}

func (in *SignupInput) normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	in.Company = strings.TrimSpace(in.Company)
	in.JobTitle = strings.TrimSpace(in.JobTitle)
}

// Validate reports every problem with the input at once.
func (in SignupInput) Validate() error {
	v := apperr.Validator{}
	validate.Text(v, "name", in.Name, 1, 100)
	validate.Email(v, "email", in.Email)
	checkPassword(v, "password", in.Password, in.Email)
	validate.Text(v, "company", in.Company, 0, 100)
	validate.Text(v, "job_title", in.JobTitle, 0, 100)
	v.Check(in.AgeConfirmed, "age_confirmed", "you must confirm that you are 13 or older")
	return v.Err()
}

// ProfilePatch changes some profile fields; nil means unchanged.
type ProfilePatch struct {
	Name     *string `json:"name"`
	Email    *string `json:"email"`
	Company  *string `json:"company"`
	JobTitle *string `json:"job_title"`
}

// Apply validates the patch and applies it to u.
func (p ProfilePatch) Apply(u *User) error {
	v := apperr.Validator{}
	if p.Name != nil {
		u.Name = strings.TrimSpace(*p.Name)
		validate.Text(v, "name", u.Name, 1, 100)
	}
	if p.Email != nil {
		u.Email = strings.TrimSpace(*p.Email)
		validate.Email(v, "email", u.Email)
	}
	if p.Company != nil {
		u.Company = strings.TrimSpace(*p.Company)
		validate.Text(v, "company", u.Company, 0, 100)
	}
	if p.JobTitle != nil {
		u.JobTitle = strings.TrimSpace(*p.JobTitle)
		validate.Text(v, "job_title", u.JobTitle, 0, 100)
	}
	return v.Err()
}

// Scope of a personal access token.
type Scope string

const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
)

// Token is a personal access token without its secret.
type Token struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Scopes     []Scope    `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// TokenInput asks for a new token.
type TokenInput struct {
	Name      string
	Scopes    []string
	ExpiresIn time.Duration // 0 means never
}

func (in TokenInput) validate() ([]Scope, error) {
	v := apperr.Validator{}
	validate.Text(v, "name", in.Name, 1, 100)
	var scopes []Scope
	seen := map[Scope]bool{}
	for _, s := range in.Scopes {
		sc := Scope(s)
		if sc != ScopeRead && sc != ScopeWrite {
			v.Check(false, "scopes", "must be read and/or write")
			continue
		}
		if !seen[sc] {
			seen[sc] = true
			scopes = append(scopes, sc)
		}
	}
	v.Check(len(in.Scopes) > 0, "scopes", "at least one scope is required")
	v.Check(in.ExpiresIn >= 0 && in.ExpiresIn <= 366*24*time.Hour, "expires_in_hours", "must be between 0 (never) and 8784 hours")
	return scopes, v.Err()
}

// Principal is an authenticated caller.
type Principal struct {
	User   User
	Scopes []Scope // nil for a browser session (all scopes)
	// SessionID is the hashed session id for cookie sessions.
	SessionID string
	// TokenExpires is when the caller's token expires (nil: a session, or
	// a token that never expires).
	TokenExpires *time.Time
}

// Can reports whether the principal's token allows scope.
func (p Principal) Can(s Scope) bool {
	if p.Scopes == nil {
		return true
	}
	for _, have := range p.Scopes {
		if have == s {
			return true
		}
	}
	return false
}

// SignupMode is the site policy for new accounts.
type SignupMode string

const (
	SignupOpen       SignupMode = "open"
	SignupInviteOnly SignupMode = "invite"
)
