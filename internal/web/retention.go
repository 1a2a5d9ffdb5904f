package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shipshape/internal/apperr"
	"shipshape/internal/retention"
)

// --- data retention (site admins; a 404 for everyone else): the period per
// category, the schedule, running the job now, and the last runs.

type retentionData struct {
	retention.Overview
	Me     string
	Result *retention.Run // the run the admin just started (?run=)
	Labels map[retention.Category]string
}

// Never reports whether the daily job has not run yet.
func (d retentionData) Never() bool { return d.LastScheduled == nil }

// Label is a category's name for people.
func (d retentionData) Label(c retention.Category) string {
	if l, ok := d.Labels[c]; ok {
		return l
	}
	return string(c)
}

// Purged lists the categories of a run that purged anything.
func (d retentionData) Purged(r retention.Run) []retention.Item {
	var out []retention.Item
	for _, it := range r.Items {
		if it.Rows > 0 || it.Files > 0 {
			out = append(out, it)
		}
	}
	return out
}

// Multiple reports whether a category offers a choice of action.
func (d retentionData) Multiple(p retention.Policy) bool { return len(p.Actions) > 1 }

func (s *server) retentionPage(w http.ResponseWriter, r *http.Request, c *call) {
	v := &view{}
	switch r.URL.Query().Get("done") {
	case "saved":
		v.Notice = "Retention periods saved."
	}
	s.showRetention(w, r, c, v)
}

func (s *server) showRetention(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	if s.Retention == nil || !c.p.User.SiteAdmin {
		s.fail(w, r, c, apperr.NotFoundf("not found"))
		return
	}
	ctx := r.Context()
	o, err := s.Retention.Overview(ctx, c.p.User.SiteAdmin)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d := retentionData{Overview: o, Me: c.uid(), Labels: map[retention.Category]string{}}
	vals := url.Values{}
	for _, p := range o.Policies {
		d.Labels[p.Category] = p.Label
		vals.Set("keep_days."+string(p.Category), strconv.Itoa(p.KeepDays))
		vals.Set("action."+string(p.Category), string(p.Action))
	}
	if id := r.URL.Query().Get("run"); id != "" && len(id) <= 64 {
		run, err := s.Retention.FindRun(ctx, c.p.User.SiteAdmin, id)
		if err == nil {
			d.Result = &run
		} else if !apperr.Is(err, apperr.NotFound) {
			s.fail(w, r, c, err)
			return
		}
	}
	v.seed("retention", vals)
	v.Title, v.Nav, v.Data = "Data retention · Site administration", "admin", d
	s.render(w, r, c, "admin-retention", v)
}

// saveRetention sets every category's period from the form.
func (s *server) saveRetention(w http.ResponseWriter, r *http.Request, c *call) {
	if s.Retention == nil || !c.p.User.SiteAdmin {
		s.fail(w, r, c, apperr.NotFoundf("not found"))
		return
	}
	if !s.parseForm(w, r, c) {
		return
	}
	f := r.PostForm
	var in retention.UpdateInput
	fieldOf := map[string]string{} // service field → form field
	for i, spec := range retention.Specs() {
		cat := string(spec.Category)
		days, err := strconv.Atoi(strings.TrimSpace(f.Get("keep_days." + cat)))
		if err != nil {
			days = -1 // refused by the service with the allowed range
		}
		in.Policies = append(in.Policies, retention.PolicyInput{Category: spec.Category, KeepDays: days, Action: retention.Action(f.Get("action." + cat))})
		prefix := "policies[" + strconv.Itoa(i) + "]."
		fieldOf[prefix+"keep_days"] = "keep_days." + cat
		fieldOf[prefix+"action"] = "action." + cat
		fieldOf[prefix+"category"] = "keep_days." + cat
	}
	if _, err := s.Retention.Update(r.Context(), c.actor, c.p.User.SiteAdmin, in); err != nil {
		if fs, ok := formError(err, "retention", f); ok {
			fields := map[string]string{}
			for k, msg := range fs.Fields {
				if name, ok := fieldOf[k]; ok {
					k = name
				}
				fields[k] = msg
			}
			fs.Fields = fields
			s.showRetention(w, r, c, withForm(fs))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/admin/retention?done=saved")
}

// runRetention runs the job now; dry_run=1 only counts. Either way the
// page then shows the run.
func (s *server) runRetention(w http.ResponseWriter, r *http.Request, c *call) {
	if s.Retention == nil || !c.p.User.SiteAdmin {
		s.fail(w, r, c, apperr.NotFoundf("not found"))
		return
	}
	if !s.parseForm(w, r, c) {
		return
	}
	dry := r.PostForm.Get("dry_run") == "1"
	run, err := s.Retention.Run(r.Context(), c.actor, c.p.User.SiteAdmin, dry)
	if err != nil {
		if run.ID == "" {
			s.fail(w, r, c, err)
			return
		}
		s.Log.Error("retention run", "run", run.ID, "err", err)
	}
	redirect(w, r, "/admin/retention?run="+url.QueryEscape(run.ID)+"#result")
}
