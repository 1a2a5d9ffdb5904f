package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/httpx"
	"shipshape/internal/privreq"
)

// --- the privacy-request desk (site admins; a 404 for everyone else), and
// the public page where a person confirms a request with the link the desk
// made.

type privreqListData struct {
	Items  []privreq.Request
	Filter string
	Views  []string
}

type privreqNewData struct {
	Kinds   []privreq.Kind
	Sources []privreq.Source
	Admins  []privreq.Admin
}

type privreqDetailData struct {
	privreq.Detail
	Admins   []privreq.Admin
	Link     string // a confirmation link just made: shown once
	Statuses []privreq.Status
}

func (s *server) deskAllowed(w http.ResponseWriter, r *http.Request, c *call) bool {
	if s.PrivacyRequests == nil || !c.p.User.SiteAdmin {
		s.fail(w, r, c, apperr.NotFoundf("not found"))
		return false
	}
	return true
}

func requestPath(id string) string { return "/admin/privacy/requests/" + url.PathEscape(id) }

func (s *server) privacyRequestsPage(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.deskAllowed(w, r, c) {
		return
	}
	filter := r.URL.Query().Get("filter")
	if filter == "" {
		filter = "open"
	}
	if filter == "all" {
		filter = ""
	}
	items, err := s.PrivacyRequests.List(r.Context(), true, privreq.Filter{Status: filter})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if filter == "" {
		filter = "all"
	}
	v := &view{Title: "Privacy requests · Site administration", Nav: "admin",
		Data: privreqListData{Items: items, Filter: filter, Views: append(append([]string{}, privreq.Views...), "all")}}
	s.render(w, r, c, "admin-requests", v)
}

func (s *server) newPrivacyRequestPage(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.deskAllowed(w, r, c) {
		return
	}
	s.showNewPrivacyRequest(w, r, c, &view{})
}

func (s *server) showNewPrivacyRequest(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	admins, err := s.PrivacyRequests.Admins(r.Context(), true)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	v.seed("request", url.Values{"kind": {"access"}, "source": {"email"}, "verified_by": {"none"}})
	v.Title, v.Nav = "New privacy request · Site administration", "admin"
	v.Data = privreqNewData{Kinds: privreq.Kinds, Sources: privreq.Sources, Admins: admins}
	s.render(w, r, c, "admin-request-new", v)
}

func (s *server) createPrivacyRequest(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.deskAllowed(w, r, c) || !s.parseForm(w, r, c) {
		return
	}
	f := r.PostForm
	in := privreq.CreateInput{Kind: privreq.Kind(f.Get("kind")), SubjectEmail: f.Get("subject_email"), Source: privreq.Source(f.Get("source")),
		VerifiedBy: privreq.Verification(f.Get("verified_by")), AssigneeID: f.Get("assignee_id"), Note: f.Get("note")}
	if d := strings.TrimSpace(f.Get("due_at")); d != "" {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			s.showNewPrivacyRequest(w, r, c, withForm(form{Name: "request", Values: f, Status: http.StatusBadRequest,
				Error: "Please correct the highlighted fields.", Fields: map[string]string{"due_at": "must be a date (YYYY-MM-DD)"}}))
			return
		}
		t = t.Add(23*time.Hour + 59*time.Minute) // the end of the day, UTC
		in.DueAt = &t
	}
	req, err := s.PrivacyRequests.Create(r.Context(), c.actor, true, in)
	if err != nil {
		if fs, ok := formError(err, "request", f); ok {
			s.showNewPrivacyRequest(w, r, c, withForm(fs))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, requestPath(req.ID)+"?done=created")
}

var privreqNotices = map[string]string{
	"created":    "Request recorded.",
	"saved":      "Saved.",
	"uploaded":   "Authorization uploaded.",
	"fulfilled":  "Request fulfilled.",
	"verified":   "Identity marked as verified.",
	"noted":      "Note added.",
	"moved":      "Status changed.",
	"assigned":   "Assignee changed.",
	"due-change": "Due date changed.",
}

func (s *server) privacyRequestPage(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.deskAllowed(w, r, c) {
		return
	}
	v := &view{Notice: privreqNotices[r.URL.Query().Get("done")]}
	s.showPrivacyRequest(w, r, c, v, "")
}

func (s *server) showPrivacyRequest(w http.ResponseWriter, r *http.Request, c *call, v *view, link string) {
	ctx := r.Context()
	det, err := s.PrivacyRequests.Get(ctx, true, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	admins, err := s.PrivacyRequests.Admins(ctx, true)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	assignee := ""
	if det.AssigneeID != nil {
		assignee = *det.AssigneeID
	}
	v.seed("update", url.Values{"outcome": {det.Outcome}, "assignee_id": {assignee}, "due_at": {det.DueAt.UTC().Format("2006-01-02")}})
	v.Title, v.Nav = "Privacy request · Site administration", "admin"
	v.Data = privreqDetailData{Detail: det, Admins: admins, Link: link, Statuses: privreq.Statuses}
	s.render(w, r, c, "admin-request", v)
}

// updatePrivacyRequest applies one of the detail page's forms: each sends
// the fields it owns (action says which), so a status button does not
// also resend the outcome unless it is the close form.
func (s *server) updatePrivacyRequest(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.deskAllowed(w, r, c) || !s.parseForm(w, r, c) {
		return
	}
	f := r.PostForm
	var p privreq.Patch
	done := "saved"
	switch f.Get("action") {
	case "verify":
		m := privreq.Verification(f.Get("verified_by"))
		p.VerifiedBy, done = &m, "verified"
	case "assign":
		a := f.Get("assignee_id")
		p.AssigneeID, done = &a, "assigned"
	case "due":
		t, err := time.Parse("2006-01-02", strings.TrimSpace(f.Get("due_at")))
		if err != nil {
			s.privreqFormError(w, r, c, f, apperr.Fields(map[string]string{"due_at": "must be a date (YYYY-MM-DD)"}))
			return
		}
		t = t.Add(23*time.Hour + 59*time.Minute)
		p.DueAt, done = &t, "due-change"
	case "note":
		p.Note, done = f.Get("note"), "noted"
		if strings.TrimSpace(p.Note) == "" {
			s.privreqFormError(w, r, c, f, apperr.Fields(map[string]string{"note": "write a note"}))
			return
		}
	case "status":
		st := privreq.Status(f.Get("status"))
		p.Status, done = &st, "moved"
		if f.Has("outcome") {
			o := f.Get("outcome")
			p.Outcome = &o
		}
	default:
		s.fail(w, r, c, apperr.E(apperr.Invalid, "unknown action"))
		return
	}
	id := r.PathValue("id")
	if _, err := s.PrivacyRequests.Update(r.Context(), c.actor, true, id, p); err != nil {
		s.privreqFormError(w, r, c, f, err)
		return
	}
	redirect(w, r, requestPath(id)+"?done="+done)
}

// privreqFormError shows a refused change on the detail page: field
// problems next to their fields, a conflict as the page's error.
func (s *server) privreqFormError(w http.ResponseWriter, r *http.Request, c *call, f url.Values, err error) {
	if ae := httpx.AsAppError(err); ae.Code == apperr.Conflict {
		s.showPrivacyRequest(w, r, c, &view{Error: ae.Message, Status: http.StatusConflict}, "")
		return
	}
	if fs, ok := formError(err, "update", f); ok {
		s.showPrivacyRequest(w, r, c, withForm(fs), "")
		return
	}
	s.fail(w, r, c, err)
}

// issuePrivacyLink makes a confirmation link and shows it once (only its
// hash is stored), so the page is rendered rather than redirected to.
func (s *server) issuePrivacyLink(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.deskAllowed(w, r, c) || !s.parseForm(w, r, c) {
		return
	}
	l, err := s.PrivacyRequests.IssueLink(r.Context(), c.actor, true, r.PathValue("id"))
	if err != nil {
		s.privreqFormError(w, r, c, r.PostForm, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.showPrivacyRequest(w, r, c, &view{Notice: "Confirmation link made. Copy it now: it is shown only once."}, s.absURL(r, "/privacy/confirm/"+l.Token))
}

func (s *server) absURL(r *http.Request, path string) string {
	if s.BaseURL != "" {
		return strings.TrimRight(s.BaseURL, "/") + path
	}
	scheme := "http"
	if r.TLS != nil || s.SecureCookie {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

func (s *server) uploadPrivacyAuthorization(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.deskAllowed(w, r, c) {
		return
	}
	id := r.PathValue("id")
	part, name, err := filePart(r)
	if err != nil {
		s.privreqUploadRefused(w, r, c, err)
		return
	}
	body := &httpx.UploadBody{R: part}
	_, err = s.PrivacyRequests.PutAuthorization(r.Context(), c.actor, true, id, name, body, -1)
	part.Close()
	if err != nil {
		if body.Failed {
			err = uploadReadError(err)
		}
		s.privreqUploadRefused(w, r, c, err)
		return
	}
	redirect(w, r, requestPath(id)+"?done=uploaded#verification")
}

func (s *server) privreqUploadRefused(w http.ResponseWriter, r *http.Request, c *call, err error) {
	ae := httpx.AsAppError(err)
	if ae.Code == apperr.Invalid && ae.Fields["name"] != "" {
		f := form{Name: "upload", Status: http.StatusBadRequest, Error: "The file was not uploaded.", Fields: map[string]string{"file": "the file name " + ae.Fields["name"]}}
		s.showPrivacyRequest(w, r, c, withForm(f), "")
		return
	}
	s.privreqFormError(w, r, c, nil, err)
}

func (s *server) downloadPrivacyAuthorization(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.deskAllowed(w, r, c) {
		return
	}
	a, rd, err := s.PrivacyRequests.OpenAuthorization(r.Context(), true, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	defer rd.Close()
	httpx.ServeDownload(w, r, a.Name, a.ContentType, a.SHA256, a.UploadedAt, rd)
}

func (s *server) fulfilPrivacyRequest(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.deskAllowed(w, r, c) || !s.parseForm(w, r, c) {
		return
	}
	id := r.PathValue("id")
	in := privreq.FulfilInput{EraseNow: r.PostForm.Get("erase_now") == "1", Outcome: r.PostForm.Get("outcome")}
	if _, err := s.PrivacyRequests.Fulfil(r.Context(), c.actor, true, id, in); err != nil {
		s.privreqFormError(w, r, c, r.PostForm, err)
		return
	}
	redirect(w, r, requestPath(id)+"?done=fulfilled")
}

// --- the public confirmation page: GET shows what the link is for and a
// button (link checkers and previews must not confirm), POST confirms.

type privacyConfirmData struct {
	privreq.Confirmation
	Token string
	Done  bool
}

func (s *server) privacyConfirmPage(w http.ResponseWriter, r *http.Request) {
	c := s.optionalCall(r)
	if s.PrivacyRequests == nil {
		s.fail(w, r, c, apperr.NotFoundf("not found"))
		return
	}
	conf, err := s.PrivacyRequests.Confirmation(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	v := publicView(c, "Confirm your privacy request")
	v.Data = privacyConfirmData{Confirmation: conf, Token: r.PathValue("token")}
	s.render(w, r, c, "privacy-confirm", v)
}

func (s *server) privacyConfirm(w http.ResponseWriter, r *http.Request) {
	c := s.optionalCall(r)
	if s.PrivacyRequests == nil {
		s.fail(w, r, c, apperr.NotFoundf("not found"))
		return
	}
	actor := s.actor(r, "")
	conf, err := s.PrivacyRequests.Confirm(r.Context(), actor, r.PathValue("token"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	v := publicView(c, "Privacy request confirmed")
	v.Data = privacyConfirmData{Confirmation: conf, Done: true}
	s.render(w, r, c, "privacy-confirm", v)
}
