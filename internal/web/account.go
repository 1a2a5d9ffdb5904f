package web

import (
	"net/http"
	"net/url"
	"time"

	"shipshape/internal/account"
)

// --- profile

func (s *server) profilePage(w http.ResponseWriter, r *http.Request, c *call) {
	s.showProfile(w, r, c, &view{})
}

func (s *server) showProfile(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	u := c.p.User
	v.seed("profile", url.Values{"name": {u.Name}, "email": {u.Email}, "company": {u.Company}, "job_title": {u.JobTitle}})
	v.Title, v.Nav = "Profile", "profile"
	s.render(w, r, c, "profile", v)
}

func (s *server) updateProfile(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	f := r.PostForm
	name, email, company, job := f.Get("name"), f.Get("email"), f.Get("company"), f.Get("job_title")
	_, err := s.Accounts.UpdateProfile(r.Context(), c.actor, c.p,
		account.ProfilePatch{Name: &name, Email: &email, Company: &company, JobTitle: &job})
	if err != nil {
		if fs, ok := formError(err, "profile", f); ok {
			s.showProfile(w, r, c, withForm(fs))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/profile?notice=profile-updated")
}

func (s *server) changePassword(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	f := r.PostForm
	if f.Get("new_password") != f.Get("confirm_password") {
		s.showProfile(w, r, c, withForm(form{Name: "password", Status: http.StatusBadRequest,
			Error:  "Please correct the highlighted fields.",
			Fields: map[string]string{"confirm_password": "does not match the new password"}}))
		return
	}
	secret, err := s.Accounts.ChangePassword(r.Context(), c.actor, c.p, f.Get("current_password"), f.Get("new_password"))
	if err != nil {
		if fs, ok := formError(err, "password", f); ok {
			s.showProfile(w, r, c, withForm(fs))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	// Every old session ended; this browser continues on the new one.
	s.setSession(w, secret)
	redirect(w, r, "/profile?notice=password-changed")
}

// --- personal access tokens

type tokensData struct {
	Tokens  []account.Token
	Created *account.Token
	Secret  string
	APIURL  string
}

var tokenExpiries = map[string]time.Duration{
	"30": 30 * 24 * time.Hour, "90": 90 * 24 * time.Hour, "365": 365 * 24 * time.Hour, "never": 0,
}

func (s *server) tokensPage(w http.ResponseWriter, r *http.Request, c *call) {
	s.showTokens(w, r, c, &view{})
}

func (s *server) showTokens(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	ts, err := s.Accounts.Tokens(r.Context(), c.uid())
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	v.seed("new-token", url.Values{"scopes": {"read"}, "expires": {"90"}})
	v.Title, v.Nav, v.Data = "API tokens", "tokens", tokensData{Tokens: ts}
	s.render(w, r, c, "tokens", v)
}

func (s *server) createToken(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	f := r.PostForm
	exp, ok := tokenExpiries[f.Get("expires")]
	if !ok {
		s.showTokens(w, r, c, withForm(form{Name: "new-token", Values: f, Status: http.StatusBadRequest,
			Error: "Please correct the highlighted fields.", Fields: map[string]string{"expires": "choose when the token expires"}}))
		return
	}
	t, secret, err := s.Accounts.CreateToken(r.Context(), c.actor, c.uid(), account.TokenInput{Name: f.Get("name"), Scopes: f["scopes"], ExpiresIn: exp})
	if err != nil {
		if fs, ok := formError(err, "new-token", f); ok {
			s.showTokens(w, r, c, withForm(fs))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	// Rendered once, never stored in clear: there is no way to see it again.
	s.render(w, r, c, "token-created", &view{Title: "Token created", Nav: "tokens", Data: tokensData{Created: &t, Secret: secret, APIURL: s.baseURL(r) + "/api/v1/me"}})
}

func (s *server) revokeToken(w http.ResponseWriter, r *http.Request, c *call) {
	if err := s.Accounts.RevokeToken(r.Context(), c.actor, c.uid(), r.PathValue("id")); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/tokens?notice=token-revoked")
}
