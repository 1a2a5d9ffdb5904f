package web

import (
	"net/http"
	"net/url"

	"shipshape/internal/account"
)

// --- site administration (site admins only; everyone else gets the 404
// the account service answers with, so the page's existence is not shown)

type adminData struct {
	Settings  account.SiteSettings
	SignupURL string
}

// Open reports whether anyone may create an account.
func (d adminData) Open() bool { return d.Settings.SignupMode == account.SignupOpen }

func (s *server) adminPage(w http.ResponseWriter, r *http.Request, c *call) {
	s.showAdmin(w, r, c, &view{})
}

func (s *server) showAdmin(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	st, err := s.Accounts.Settings(r.Context(), c.p)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	v.seed("signup", url.Values{"signup_mode": {string(st.SignupMode)}})
	v.Title, v.Nav = "Site administration", "admin"
	v.Data = adminData{Settings: st, SignupURL: s.baseURL(r) + "/signup"}
	s.render(w, r, c, "admin", v)
}

func (s *server) setSignupMode(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	f := r.PostForm
	mode := account.SignupMode(f.Get("signup_mode"))
	if err := s.Accounts.SetSignupMode(r.Context(), c.p, c.actor, mode); err != nil {
		if fs, ok := formError(err, "signup", f); ok {
			if _, bad := fs.Fields["signup_mode"]; bad {
				fs.Fields = map[string]string{"signup_mode": "choose who can create an account"}
			}
			s.showAdmin(w, r, c, withForm(fs))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	notice := "signup-invite"
	if mode == account.SignupOpen {
		notice = "signup-open"
	}
	redirect(w, r, "/admin?notice="+notice)
}
