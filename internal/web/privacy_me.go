package web

import (
	"net/http"
	"strings"

	"shipshape/internal/consent"
	"shipshape/internal/export"
	"shipshape/internal/httpx"
)

// purposeView is one choice on the privacy page.
type purposeView struct {
	Purpose   consent.Purpose
	Title     string
	Help      string
	On        bool // the stored choice
	Effective bool // what applies to this request
	Signalled bool // off because of the browser's privacy signal
}

var purposeText = map[consent.Purpose][2]string{
	consent.ProductEmail:     {"Product e-mails", "Messages about your own work: invitations, releases you own, documents shared with you. On unless you object."},
	consent.MarketingEmail:   {"Marketing e-mails", "News about Shipshape from the people who run this server. Off unless you opt in."},
	consent.ProductAnalytics: {"Product analytics", "Counting which features are used, on this server only — nothing leaves it. Off unless you opt in."},
}

type privacyMeData struct {
	// Resume lists what starts again when a restriction is lifted.
	Resume   string
	GPC      bool
	Purposes []purposeView
	Ledger   []consent.Event
	// Export is the person's latest "Download my data" archive (nil: never asked).
	Export *export.Export
}

// privacyPage shows the caller's choices, with one button each to give or
// withdraw, and their consent history.
func (s *server) privacyPage(w http.ResponseWriter, r *http.Request, c *call) {
	ctx := r.Context()
	gpc := consent.SignalFrom(r)
	pr, err := s.Consent.Preferences(ctx, c.uid(), gpc)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	ledger, err := s.Consent.Ledger(ctx, c.uid())
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if len(ledger) > 20 {
		ledger = ledger[:20]
	}
	latest, err := s.Exports.Latest(ctx, c.uid())
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d := privacyMeData{GPC: gpc, Ledger: ledger, Export: latest}
	eff := consent.Preferences{ProductEmail: pr.Effective.ProductEmail, MarketingEmail: pr.Effective.MarketingEmail, ProductAnalytics: pr.Effective.ProductAnalytics}
	for _, p := range consent.Purposes() {
		d.Purposes = append(d.Purposes, purposeView{Purpose: p, Title: purposeText[p][0], Help: purposeText[p][1],
			On: pr.Get(p), Effective: eff.Get(p), Signalled: gpc && p.Signalled()})
	}
	var resume []string
	for _, p := range d.Purposes {
		if p.On && !p.Signalled {
			resume = append(resume, strings.ToLower(p.Title))
		}
	}
	d.Resume = strings.Join(resume, ", ")
	v := &view{Title: "Privacy", Nav: "privacy", Data: d}
	// "Notified when ready": there is no e-mail yet, so the page says it in
	// the flash, and keeps reloading itself (meta refresh) while building.
	if latest != nil && latest.Status.Active() {
		v.Refresh, v.RefreshURL = 3, "/profile/privacy"
	}
	switch {
	case latest != nil && latest.Status == export.Ready:
		v.Notice = "Your data archive is ready to download."
	case latest != nil && latest.Status.Active() && r.URL.Query().Get("export") == "requested":
		v.Notice = "We are preparing your archive. This page updates itself until it is ready."
	}
	s.render(w, r, c, "privacy-me", v)
}

// setConsent gives or withdraws one choice: one click either way.
func (s *server) setConsent(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	on := r.PostForm.Get("on") == "true"
	var p consent.Patch
	switch consent.Purpose(r.PostForm.Get("purpose")) {
	case consent.ProductEmail:
		p.ProductEmail = &on
	case consent.MarketingEmail:
		p.MarketingEmail = &on
	case consent.ProductAnalytics:
		p.ProductAnalytics = &on
	default:
		s.errorPage(w, r, http.StatusBadRequest, "Choose one of product e-mails, marketing e-mails or product analytics.")
		return
	}
	if _, err := s.Consent.Set(r.Context(), c.actor, p, consent.Web, consent.SignalFrom(r)); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/profile/privacy?notice=consent-saved")
}

// requestExport asks for an archive of the caller's data ("Download my
// data"); while one is being prepared, asking again shows that one.
func (s *server) requestExport(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	if _, err := s.Exports.Request(r.Context(), c.actor); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/profile/privacy?export=requested#export")
}

// downloadExport serves a ready archive to its owner only (404 otherwise,
// and once it expired).
func (s *server) downloadExport(w http.ResponseWriter, r *http.Request, c *call) {
	e, rd, err := s.Exports.Open(r.Context(), c.actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	defer rd.Close()
	httpx.ServeDownload(w, r, e.FileName(), "application/zip", e.SHA256, *e.FinishedAt, rd)
}

// restrict and liftRestriction set and clear the caller's restriction of
// processing; the page says what resumes before the lift button.
func (s *server) restrict(w http.ResponseWriter, r *http.Request, c *call) {
	if _, err := s.Accounts.Restrict(r.Context(), c.actor, c.p); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/profile/privacy?notice=restricted#restriction")
}

func (s *server) liftRestriction(w http.ResponseWriter, r *http.Request, c *call) {
	if _, err := s.Accounts.LiftRestriction(r.Context(), c.actor, c.p); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/profile/privacy?notice=restriction-lifted#restriction")
}
