package web

import (
	"net/http"
	"net/url"
	"strconv"

	"shipshape/internal/apperr"
	"shipshape/internal/policy"
)

// --- the privacy policy and the cookie notice: public pages, readable
// before signing up; signed-in people see them inside the app.

type policyData struct {
	Policy  policy.Policy
	History []policy.Summary
	Latest  int // the version in force
	Pending int // the version the caller has to acknowledge, if any
}

// publicView is the frame of a page anyone may read: the app's chrome when
// signed in, the centred card otherwise.
func publicView(c *call, title string) *view {
	return &view{Title: title, Bare: c == nil}
}

func (s *server) privacyPolicyPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c := s.optionalCall(r)
	cur, err := s.Policies.Current(ctx)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d := policyData{Policy: cur, Latest: cur.Version}
	if q := r.URL.Query().Get("version"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 0 {
			s.fail(w, r, c, apperr.NotFoundf("policy version not found"))
			return
		}
		if d.Policy, err = s.Policies.Version(ctx, n); err != nil {
			s.fail(w, r, c, err)
			return
		}
	}
	if d.History, err = s.Policies.History(ctx); err != nil {
		s.fail(w, r, c, err)
		return
	}
	if c != nil {
		st, err := s.Policies.Status(ctx, c.uid(), c.p.User.CreatedAt)
		if err != nil {
			s.fail(w, r, c, err)
			return
		}
		d.Pending = st.Pending
	}
	v := publicView(c, "Privacy policy")
	v.Nav, v.Data = "privacy-policy", d
	s.render(w, r, c, "privacy-policy", v)
}

type cookiesData struct {
	Name   string
	Secure bool
}

func (s *server) cookiesPage(w http.ResponseWriter, r *http.Request) {
	c := s.optionalCall(r)
	v := publicView(c, "Cookies")
	v.Data = cookiesData{Name: cookieName, Secure: s.SecureCookie}
	s.render(w, r, c, "cookies", v)
}

// acceptPolicy records the caller's acknowledgement of the current policy
// and returns to the page they were on.
func (s *server) acceptPolicy(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	n, err := strconv.Atoi(r.PostForm.Get("version"))
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "Which version of the policy? The form lost it; open the policy and try again.")
		return
	}
	if _, err := s.Policies.Accept(r.Context(), c.actor, policy.AcceptInput{Version: n}); err != nil {
		s.fail(w, r, c, err)
		return
	}
	back := safeNext(r.PostForm.Get("back"))
	if back == "" {
		back = "/"
	}
	redirect(w, r, withNotice(back, "policy-accepted", ""))
}

// --- publishing (site admins; a 404 for everyone else)

func (s *server) adminPolicyPage(w http.ResponseWriter, r *http.Request, c *call) {
	s.showAdminPolicy(w, r, c, &view{})
}

func (s *server) showAdminPolicy(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	if !c.p.User.SiteAdmin {
		s.fail(w, r, c, apperr.NotFoundf("not found"))
		return
	}
	ctx := r.Context()
	cur, err := s.Policies.Current(ctx)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	hist, err := s.Policies.History(ctx)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	v.seed("publish", url.Values{"body": {cur.Body}})
	v.Title, v.Nav, v.Data = "Privacy policy · Site administration", "admin", policyData{Policy: cur, History: hist, Latest: cur.Version}
	s.render(w, r, c, "admin-policy", v)
}

func (s *server) publishPolicy(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	f := r.PostForm
	in := policy.PublishInput{Body: f.Get("body"), Changelog: f.Get("changelog"), Material: f.Get("material") == "on"}
	if _, err := s.Policies.Publish(r.Context(), c.actor, c.p.User.SiteAdmin, in); err != nil {
		if fs, ok := formError(err, "publish", f); ok {
			s.showAdminPolicy(w, r, c, withForm(fs))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/admin/policy?notice=policy-published")
}
