package web

import (
	"net/http"
	"net/url"
	"strings"

	"shipshape/internal/account"
	"shipshape/internal/apperr"
	"shipshape/internal/httpx"
	"shipshape/internal/workspace"
)

// parseForm reads a posted form; an oversized or malformed body gets its
// error page and false.
func (s *server) parseForm(w http.ResponseWriter, r *http.Request, c *call) bool {
	if err := r.ParseForm(); err != nil {
		ae := httpx.AsAppError(err)
		if ae.Code == apperr.Internal {
			ae = apperr.E(apperr.Invalid, "the form could not be read")
		}
		s.fail(w, r, c, ae)
		return false
	}
	return true
}

func redirect(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// withNotice adds ?notice= (or &notice=) to a local path, before its
// fragment; fragment, when given, replaces the path's own.
func withNotice(target, notice, fragment string) string {
	path, frag, _ := strings.Cut(target, "#")
	if fragment != "" {
		frag = fragment
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	out := path + sep + "notice=" + notice
	if frag != "" {
		out += "#" + frag
	}
	return out
}

func signupInput(f url.Values) account.SignupInput {
	return account.SignupInput{
		Name: f.Get("name"), Email: f.Get("email"), Password: f.Get("password"),
		Company: f.Get("company"), JobTitle: f.Get("job_title"), AgeConfirmed: f.Get("age_confirmed") != "",
		Invitation: f.Get("invitation"),
	}
}

// --- setup

func (s *server) setupPage(w http.ResponseWriter, r *http.Request) {
	s.showSetup(w, r, &view{})
}

func (s *server) showSetup(w http.ResponseWriter, r *http.Request, v *view) {
	need, err := s.Accounts.NeedsSetup(r.Context())
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	if !need {
		redirect(w, r, "/login")
		return
	}
	v.Title, v.Bare = "Set up Shipshape", true
	s.render(w, r, nil, "setup", v)
}

func (s *server) setup(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r, nil) {
		return
	}
	in := signupInput(r.PostForm)
	in.Invitation = ""
	actor := s.actor(r, "")
	if _, err := s.Accounts.Setup(r.Context(), actor, in); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			redirect(w, r, "/login") // someone finished setup first
			return
		}
		if f, ok := formError(err, "setup", r.PostForm); ok {
			s.showSetup(w, r, withForm(f))
			return
		}
		s.fail(w, r, nil, err)
		return
	}
	_, secret, err := s.Accounts.Login(r.Context(), actor, in.Email, in.Password)
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	s.setSession(w, secret)
	redirect(w, r, "/?notice=welcome")
}

// --- sign-up

type signupData struct {
	InviteOnly bool
	Token      string
	Invitation *workspace.InvitationInfo
	BadToken   bool
}

func (s *server) signupPage(w http.ResponseWriter, r *http.Request) {
	s.showSignup(w, r, &view{}, r.URL.Query().Get("invitation"))
}

func (s *server) showSignup(w http.ResponseWriter, r *http.Request, v *view, token string) {
	ctx := r.Context()
	if need, err := s.Accounts.NeedsSetup(ctx); err != nil || need {
		if err != nil {
			s.fail(w, r, nil, err)
			return
		}
		redirect(w, r, "/setup")
		return
	}
	if s.optionalCall(r) != nil {
		// Signed in already: an invitation is accepted on its own page.
		if token != "" {
			redirect(w, r, "/invite/"+url.PathEscape(token))
			return
		}
		redirect(w, r, "/")
		return
	}
	mode, err := s.Accounts.SignupMode(ctx)
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	d := signupData{Token: token}
	if token != "" {
		info, err := s.Workspaces.InvitationInfo(ctx, token)
		switch {
		case err == nil:
			d.Invitation = &info
			v.seed("signup", url.Values{"email": {info.Email}})
		case apperr.Is(err, apperr.NotFound):
			d.BadToken, d.Token = true, ""
		default:
			s.fail(w, r, nil, err)
			return
		}
	}
	d.InviteOnly = mode != account.SignupOpen && d.Invitation == nil
	if d.InviteOnly && v.Status == 0 && r.Method == http.MethodPost {
		v.Status = http.StatusForbidden
	}
	v.Title, v.Bare, v.Data = "Create your account", true, d
	s.render(w, r, nil, "signup", v)
}

func (s *server) signup(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r, nil) {
		return
	}
	ctx := r.Context()
	in := signupInput(r.PostForm)
	actor := s.actor(r, "")
	var joined string // the workspace the invitation leads to, if any
	if in.Invitation != "" {
		if info, err := s.Workspaces.InvitationInfo(ctx, in.Invitation); err == nil {
			joined = info.WorkspaceSlug
		}
	}
	// With an invitation, sign-up also joins the workspace, in one transaction.
	_, err := s.Accounts.Signup(ctx, actor, in)
	if err != nil {
		if apperr.Is(err, apperr.Forbidden) {
			s.showSignup(w, r, &view{Status: http.StatusForbidden}, in.Invitation)
			return
		}
		if f, ok := formError(err, "signup", r.PostForm); ok {
			s.showSignup(w, r, withForm(f), in.Invitation)
			return
		}
		s.fail(w, r, nil, err)
		return
	}
	_, secret, err := s.Accounts.Login(ctx, actor, in.Email, in.Password)
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	s.setSession(w, secret)
	if in.Invitation == "" || joined == "" {
		redirect(w, r, "/?notice=welcome")
		return
	}
	redirect(w, r, "/w/"+url.PathEscape(joined)+"?notice=invitation-accepted")
}

// --- sign-in and sign-out

type loginData struct {
	Next       string
	SignupOpen bool
}

func (s *server) loginPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if s.optionalCall(r) != nil {
		if next == "" {
			next = "/"
		}
		redirect(w, r, next)
		return
	}
	s.showLogin(w, r, &view{}, next)
}

func (s *server) showLogin(w http.ResponseWriter, r *http.Request, v *view, next string) {
	ctx := r.Context()
	need, err := s.Accounts.NeedsSetup(ctx)
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	if need {
		redirect(w, r, "/setup")
		return
	}
	mode, err := s.Accounts.SignupMode(ctx)
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	v.Title, v.Bare, v.Data = "Sign in", true, loginData{Next: next, SignupOpen: mode == account.SignupOpen}
	s.render(w, r, nil, "login", v)
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r, nil) {
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	email := strings.TrimSpace(r.PostForm.Get("email"))
	_, secret, err := s.Accounts.Login(r.Context(), s.actor(r, ""), email, r.PostForm.Get("password"))
	if err != nil {
		if apperr.Is(err, apperr.Unauthenticated) {
			f := form{Name: "login", Values: url.Values{"email": {email}}, Error: "The e-mail or password is not correct.",
				Status: http.StatusUnauthorized}
			s.showLogin(w, r, withForm(f), next)
			return
		}
		if f, ok := formError(err, "login", url.Values{"email": {email}}); ok {
			s.showLogin(w, r, withForm(f), next)
			return
		}
		s.fail(w, r, nil, err)
		return
	}
	s.setSession(w, secret)
	if next == "" {
		next = "/"
	}
	redirect(w, r, next)
}

func (s *server) logout(w http.ResponseWriter, r *http.Request, c *call) {
	if err := s.Accounts.Logout(r.Context(), c.actor, c.p); err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.clearSession(w)
	redirect(w, r, "/login?notice=signed-out")
}

// --- invitations

type inviteData struct {
	Token        string
	Info         workspace.InvitationInfo
	Invalid      bool
	SignedIn     bool
	EmailMatches bool
	Member       bool
	LoginURL     string
	SignupURL    string
}

func (s *server) invitePage(w http.ResponseWriter, r *http.Request) {
	s.showInvite(w, r, s.optionalCall(r), &view{})
}

func (s *server) showInvite(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	ctx := r.Context()
	token := r.PathValue("token")
	d := inviteData{Token: token, SignedIn: c != nil,
		LoginURL:  "/login?next=" + url.QueryEscape("/invite/"+token),
		SignupURL: "/signup?invitation=" + url.QueryEscape(token)}
	info, err := s.Workspaces.InvitationInfo(ctx, token)
	switch {
	case apperr.Is(err, apperr.NotFound):
		d.Invalid = true
		if v.Status == 0 {
			v.Status = http.StatusNotFound
		}
	case err != nil:
		s.fail(w, r, c, err)
		return
	default:
		d.Info = info
		if c != nil {
			d.EmailMatches = strings.EqualFold(c.p.User.Email, info.Email)
			if _, err := s.Workspaces.Get(ctx, c.uid(), info.WorkspaceSlug); err == nil {
				d.Member = true
			}
		}
	}
	v.Title, v.Bare, v.Data = "Invitation", true, d
	if c != nil {
		v.User = c.user()
	}
	s.render(w, r, c, "invite", v)
}

func (s *server) acceptInvite(w http.ResponseWriter, r *http.Request, c *call) {
	ws, err := s.Workspaces.Accept(r.Context(), c.actor, c.p.User.Email, r.PathValue("token"))
	if err != nil {
		ae := httpx.AsAppError(err)
		if ae.Code == apperr.Internal {
			s.fail(w, r, c, err)
			return
		}
		s.showInvite(w, r, c, &view{Error: capFirst(ae.Message), Status: apperr.Status(ae.Code)})
		return
	}
	redirect(w, r, "/w/"+ws.Slug+"?notice=invitation-accepted")
}
