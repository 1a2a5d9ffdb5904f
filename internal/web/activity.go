package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"shipshape/internal/audit"
	"shipshape/internal/workspace"
)

type dayGroup struct {
	Label string
	Items []activity
}

type activityData struct {
	Days     []dayGroup
	Groups   []struct{ Prefix, Label string }
	Members  []workspace.Member
	Action   string
	Actor    string
	Filtered bool
	NextURL  string
	FirstURL string // back to the newest page, when paging
}

const activityPageSize = 30

func (s *server) activityPage(w http.ResponseWriter, r *http.Request, c *call) {
	ctx := r.Context()
	q := r.URL.Query()
	ms, a, err := s.Workspaces.Members(ctx, c.uid(), r.PathValue("ws"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	names := make(map[string]string, len(ms))
	for _, m := range ms {
		names[m.UserID] = m.Name
	}
	d := activityData{Groups: actionGroups, Members: ms}
	// Only the offered filters are passed on; anything else means "all".
	for _, g := range actionGroups {
		if q.Get("action") == g.Prefix {
			d.Action = g.Prefix
		}
	}
	if names[q.Get("actor")] != "" {
		d.Actor = q.Get("actor")
	}
	d.Filtered = d.Action != "" || d.Actor != ""
	cursor := q.Get("cursor")
	page, err := s.Workspaces.Audit(ctx, c.uid(), a.Slug, audit.Filter{Action: d.Action, ActorID: d.Actor, Limit: activityPageSize, Cursor: cursor})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	base := url.Values{}
	if d.Action != "" {
		base.Set("action", d.Action)
	}
	if d.Actor != "" {
		base.Set("actor", d.Actor)
	}
	path := "/w/" + a.Slug + "/activity"
	if page.NextCursor != "" {
		nq := url.Values{"cursor": {page.NextCursor}}
		for k, v := range base {
			nq[k] = v
		}
		d.NextURL = path + "?" + nq.Encode()
	}
	if cursor != "" {
		d.FirstURL = path
		if len(base) > 0 {
			d.FirstURL += "?" + base.Encode()
		}
	}
	s.formerMembers(ctx, page.Items, names)
	now := s.Now()
	for _, e := range page.Items {
		label := dayLabel(now, e.At)
		if n := len(d.Days); n == 0 || d.Days[n-1].Label != label {
			d.Days = append(d.Days, dayGroup{Label: label})
		}
		d.Days[len(d.Days)-1].Items = append(d.Days[len(d.Days)-1].Items, describe(e, a.Slug, names))
	}
	v := &view{Title: "Activity · " + a.Name, Nav: "activity", WS: wsFromAccess(a), Data: d}
	s.render(w, r, c, "activity", v)
}

// formerMembers adds the names of people an event is about who are no
// longer members (removed, or left), so that "removed Bo Chen" still reads
// right afterwards. Erased accounts stay "a former member".
func (s *server) formerMembers(ctx context.Context, events []audit.Event, names map[string]string) {
	for _, e := range events {
		if e.TargetType != "user" || e.TargetID == "" {
			continue
		}
		if _, known := names[e.TargetID]; known {
			continue
		}
		names[e.TargetID] = ""
		if u, err := s.Accounts.User(ctx, e.TargetID); err == nil {
			names[e.TargetID] = u.Name
		}
	}
}

// dayLabel heads a day of activity: "Today", "Yesterday", "Monday, Jan 5".
func dayLabel(now, t time.Time) string {
	y1, m1, d1 := now.UTC().Date()
	y2, m2, d2 := t.UTC().Date()
	today := time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)
	day := time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC)
	switch today.Sub(day) {
	case 0:
		return "Today"
	case 24 * time.Hour:
		return "Yesterday"
	}
	if y1 == y2 {
		return t.UTC().Format("Monday, Jan 2")
	}
	return t.UTC().Format("Monday, Jan 2, 2006")
}
