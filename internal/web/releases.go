package web

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/doc"
	"shipshape/internal/httpx"
	"shipshape/internal/owner"
	"shipshape/internal/perm"
	"shipshape/internal/project"
	"shipshape/internal/release"
)

// statusLabels are the words people see for each release status.
var statusLabels = map[release.Status]string{
	release.Planned:    "Planned",
	release.InProgress: "In progress",
	release.InReview:   "In review",
	release.Released:   "Released",
	release.Cancelled:  "Cancelled",
	release.RolledBack: "Rolled back",
}

func statusLabel(s release.Status) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

// statusClass is the badge class of a status (colour plus the label text,
// never colour alone).
func statusClass(s release.Status) string { return "status-" + strings.ReplaceAll(string(s), "_", "-") }

// dayText formats a calendar date like "Mar 31, 2026".
func dayText(d *release.Date) string {
	if d == nil {
		return ""
	}
	t, err := time.Parse("2006-01-02", string(*d))
	if err != nil {
		return string(*d)
	}
	return t.Format("Jan 2, 2006")
}

// releasePath is the page of one release; the version is escaped so that
// build metadata and other characters survive the round trip.
func releasePath(ws, key, version string) string {
	return "/w/" + ws + "/p/" + key + "/r/" + url.PathEscape(version)
}

// move is one button on the release page: a next status and its wording.
type move struct {
	To          release.Status
	Label       string
	NeedsReason bool
	Primary     bool
	Danger      bool
}

// movesFrom lists the buttons for the statuses the lifecycle allows next.
func movesFrom(from release.Status) []move {
	var out []move
	for _, to := range release.Next(from) {
		m := move{To: to}
		switch to {
		case release.InProgress:
			m.Label, m.Primary = "Start work", true
			if from == release.InReview {
				m.Label, m.Primary = "Send back", false
			}
		case release.InReview:
			m.Label, m.Primary = "Send to review", true
		case release.Released:
			m.Label, m.Primary = "Release", true
		case release.Cancelled:
			m.Label, m.NeedsReason, m.Danger = "Cancel…", true, true
		case release.RolledBack:
			m.Label, m.NeedsReason, m.Danger = "Roll back…", true, true
		default:
			m.Label = "Move to " + statusLabel(to)
		}
		out = append(out, m)
	}
	return out
}

// statusFilter is one link of the project page's release filter.
type statusFilter struct {
	Status release.Status
	Label  string
}

func releaseFilters() []statusFilter {
	out := make([]statusFilter, 0, len(release.Statuses))
	for _, s := range release.Statuses {
		out = append(out, statusFilter{Status: s, Label: statusLabel(s)})
	}
	return out
}

// projectReleases fills the project page's release card.
func (s *server) projectReleases(r *http.Request, c *call, d *projectData) error {
	st := release.Status(r.URL.Query().Get("status"))
	if !st.Valid() {
		st = ""
	}
	page, err := s.Releases.List(r.Context(), c.uid(), r.PathValue("ws"), r.PathValue("key"), release.ListFilter{Status: st, Limit: 100})
	if err != nil {
		return err
	}
	d.Releases, d.ReleaseStatus, d.ReleaseFilters, d.MoreReleases = page.Items, st, releaseFilters(), page.NextCursor != ""
	return nil
}

func (s *server) createRelease(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	in := release.CreateInput{Version: r.PostForm.Get("version"), Name: r.PostForm.Get("name"),
		TargetDate: r.PostForm.Get("target_date"), Description: normalizeNewlines(r.PostForm.Get("description"))}
	rel, err := s.Releases.Create(r.Context(), c.actor, r.PathValue("ws"), r.PathValue("key"), in)
	if err != nil {
		if f, ok := formError(err, "new-release", r.PostForm); ok {
			s.showProject(w, r, c, withForm(f))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, releasePath(r.PathValue("ws"), r.PathValue("key"), rel.Version)+"?notice=release-created")
}

// --- one release

type timelineEntry struct {
	release.Transition
	ActorName string
}

type releaseData struct {
	Project  project.Project
	Release  release.Release
	Path     string
	Timeline []timelineEntry
	Moves    []move
	Creator  string
	Files    []fileRow
	// FilesOpen: files can still change (the release is not released,
	// cancelled or rolled back).
	FilesOpen bool
	MaxUpload string
	Owners    *ownersCard
	Documents []doc.Summary // attached to the release, those the caller may see
	Activity  []activity    // the newest events about the release
}

func (s *server) releasePage(w http.ResponseWriter, r *http.Request, c *call) {
	s.showRelease(w, r, c, &view{})
}

func (s *server) showRelease(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	ctx := r.Context()
	ws, key, version := r.PathValue("ws"), r.PathValue("key"), r.PathValue("version")
	p, a, err := s.Projects.Get(ctx, c.uid(), ws, key)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	rel, err := s.Releases.Get(ctx, c.uid(), ws, key, version)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	hist, err := s.Releases.Transitions(ctx, c.uid(), ws, key, version)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	names, _, err := s.memberNames(ctx, c, ws)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	nameOf := names.of
	files, err := s.Releases.Files(ctx, c.uid(), ws, key, version)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d := releaseData{Project: p, Release: rel, Path: releasePath(a.Slug, p.Key, rel.Version), Moves: movesFrom(rel.Status), Creator: nameOf(rel.CreatedBy),
		FilesOpen: filesOpen(rel.Status), MaxUpload: byteSize(s.maxUpload())}
	if d.Owners, err = s.loadOwnersCard(r, c, a.Slug, owner.TargetRef{Type: owner.Release, ID: rel.ID}, d.Path, a.Can(perm.AssignOwners)); err != nil {
		s.fail(w, r, c, err)
		return
	}
	docs, err := s.Docs.List(ctx, c.uid(), ws, doc.ListFilter{Project: p.Key, Release: rel.Version, Limit: 200})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d.Documents = docs.Items
	events, err := s.Workspaces.Audit(ctx, c.uid(), ws, audit.Filter{TargetType: "release", TargetID: rel.ID, Limit: 8})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	for _, e := range events.Items {
		d.Activity = append(d.Activity, describe(e, a.Slug, names))
	}
	for _, f := range files {
		d.Files = append(d.Files, fileRow{File: f, UploaderName: nameOf(f.UploadedBy), Href: d.Path + "/files/" + url.PathEscape(f.Name)})
	}
	// Newest first: the timeline reads like the activity feed.
	for i := len(hist) - 1; i >= 0; i-- {
		d.Timeline = append(d.Timeline, timelineEntry{Transition: hist[i], ActorName: nameOf(hist[i].ActorID)})
	}
	target := ""
	if rel.TargetDate != nil {
		target = string(*rel.TargetDate)
	}
	v.seed("edit-release", url.Values{"name": {rel.Name}, "target_date": {target}, "description": {rel.Description}})
	v.Title, v.Nav, v.WS = rel.Version+" · "+p.Key, "projects", wsFromAccess(a)
	v.Data = d
	s.render(w, r, c, "release", v)
}

func (s *server) updateRelease(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	name, desc, target := r.PostForm.Get("name"), normalizeNewlines(r.PostForm.Get("description")), r.PostForm.Get("target_date")
	rel, err := s.Releases.Update(r.Context(), c.actor, r.PathValue("ws"), r.PathValue("key"), r.PathValue("version"),
		release.Patch{Name: &name, Description: &desc, TargetDate: &target})
	if err != nil {
		if f, ok := formError(err, "edit-release", r.PostForm); ok {
			s.showRelease(w, r, c, withForm(f))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, releasePath(r.PathValue("ws"), r.PathValue("key"), rel.Version)+"?notice=release-updated")
}

// moveRelease changes a release's status. A missing reason goes back to
// its form; a move the lifecycle refuses shows the service's message.
func (s *server) moveRelease(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	to := release.Status(r.PostForm.Get("to"))
	in := release.TransitionInput{To: to, Reason: normalizeNewlines(r.PostForm.Get("reason"))}
	rel, err := s.Releases.Transition(r.Context(), c.actor, r.PathValue("ws"), r.PathValue("key"), r.PathValue("version"), in)
	if err != nil {
		ae := httpx.AsAppError(err)
		switch {
		case ae.Code == apperr.Invalid && ae.Fields["reason"] != "":
			f, _ := formError(err, "move-"+string(to), r.PostForm)
			f.Error = "The release was not moved."
			s.showRelease(w, r, c, withForm(f))
			return
		case ae.Code == apperr.Invalid || ae.Code == apperr.Conflict:
			msg := ae.Message
			if ae.Code == apperr.Invalid && ae.Fields["to"] != "" {
				msg = "the new status " + ae.Fields["to"]
			}
			s.showRelease(w, r, c, &view{Error: "The release was not moved: " + msg + ".", Status: apperr.Status(ae.Code)})
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, releasePath(r.PathValue("ws"), r.PathValue("key"), rel.Version)+"?notice=release-"+string(rel.Status))
}

func (s *server) deleteRelease(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	ws, key, version := r.PathValue("ws"), r.PathValue("key"), r.PathValue("version")
	rel, err := s.Releases.Get(r.Context(), c.uid(), ws, key, version)
	if err != nil { // a stranger gets a 404 whatever they typed
		s.fail(w, r, c, err)
		return
	}
	if strings.TrimSpace(r.PostForm.Get("confirm")) != rel.Version {
		f := form{Name: "delete-release", Values: r.PostForm, Status: http.StatusBadRequest,
			Fields: map[string]string{"confirm": "type " + rel.Version + " to confirm"}, Error: "The release was not deleted."}
		s.showRelease(w, r, c, withForm(f))
		return
	}
	if err := s.Releases.Delete(r.Context(), c.actor, ws, key, version); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, s.projectURL(r)+"?notice=release-deleted#releases")
}

// filesOpen mirrors the release service's rule: files change only while
// the release is planned, in progress or in review.
func filesOpen(st release.Status) bool {
	return st == release.Planned || st == release.InProgress || st == release.InReview
}

// --- the workspace board

// boardCard is one release on the board, with the project it belongs to.
type boardCard struct {
	Project project.Project
	Release release.Release
	Path    string
}

type boardColumn struct {
	Status release.Status
	Title  string
	Hint   string
	Cards  []boardCard
}

type boardData struct {
	Columns  []boardColumn
	Projects int
	Total    int
}

// recentlyReleased is how far back the board's "Released" column looks.
const recentlyReleased = 30 * 24 * time.Hour

func (s *server) releasesBoard(w http.ResponseWriter, r *http.Request, c *call) {
	ctx := r.Context()
	slug := r.PathValue("ws")
	ws, err := s.Workspaces.Get(ctx, c.uid(), slug)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	cols := []boardColumn{
		{Status: release.Planned, Title: "Planned"},
		{Status: release.InProgress, Title: "In progress"},
		{Status: release.InReview, Title: "In review"},
		{Status: release.Released, Title: "Released", Hint: "Released in the last 30 days"},
	}
	idx := map[release.Status]int{}
	for i, col := range cols {
		idx[col.Status] = i
	}
	d := boardData{}
	since := s.Now().Add(-recentlyReleased)
	// N+1: one release query per project. Fine for workspaces with tens of
	// projects; a workspace-wide release query belongs in internal/release
	// when boards get big.
	projects, err := s.workspaceProjects(ctx, c, ws.Slug)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	for _, p := range projects {
		d.Projects++
		rels, err := s.Releases.List(ctx, c.uid(), ws.Slug, p.Key, release.ListFilter{Limit: 200})
		if err != nil {
			s.fail(w, r, c, err)
			return
		}
		for _, rel := range rels.Items {
			i, ok := idx[rel.Status]
			if !ok || (rel.Status == release.Released && (rel.ReleasedAt == nil || rel.ReleasedAt.Before(since))) {
				continue
			}
			cols[i].Cards = append(cols[i].Cards, boardCard{Project: p, Release: rel, Path: releasePath(ws.Slug, p.Key, rel.Version)})
			d.Total++
		}
	}
	// Open releases by target date (soonest first, undated last); released
	// ones newest first.
	for i := range cols {
		cards := cols[i].Cards
		sort.SliceStable(cards, func(a, b int) bool {
			ra, rb := cards[a].Release, cards[b].Release
			if cols[i].Status == release.Released {
				return ra.ReleasedAt != nil && rb.ReleasedAt != nil && ra.ReleasedAt.After(*rb.ReleasedAt)
			}
			switch {
			case ra.TargetDate == nil:
				return false
			case rb.TargetDate == nil:
				return true
			}
			return *ra.TargetDate < *rb.TargetDate
		})
	}
	d.Columns = cols
	v := &view{Title: "Releases · " + ws.Name, Nav: "releases", Data: d}
	v.WS = &wsView{Slug: ws.Slug, Name: ws.Name, Role: ws.Role}
	s.render(w, r, c, "releases", v)
}
