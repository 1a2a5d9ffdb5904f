package web

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"shipshape/internal/audit"
	"shipshape/internal/project"
	"shipshape/internal/workspace"
)

type dashboardData struct {
	Workspaces []workspace.Workspace
	Projects   []dashProject
	Activity   []activity
	// Owned counts the targets the caller owns per workspace slug.
	Owned map[string]int
	MyID  string
}

// dashProject is a recently updated project in one of the caller's workspaces.
type dashProject struct {
	project.Project
	WSSlug, WSName string
}

// dashboard is "/": the caller's workspaces and what happened in them lately.
func (s *server) dashboard(w http.ResponseWriter, r *http.Request, c *call) {
	s.showDashboard(w, r, c, &view{})
}

func (s *server) showDashboard(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	ctx := r.Context()
	wss, err := s.Workspaces.List(ctx, c.uid())
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	// Recent activity: the newest events of each workspace, merged by time.
	// Fine for a handful of workspaces; a cross-workspace feed query would
	// replace this once people belong to many.
	var acts []activity
	var projects []dashProject
	owned := map[string]int{}
	for _, ws := range wss {
		n, err := s.myOwnership(r, c, ws.Slug)
		if err != nil {
			s.fail(w, r, c, err)
			return
		}
		owned[ws.Slug] = n
		pp, err := s.Projects.List(ctx, c.uid(), ws.Slug, project.ListFilter{Limit: 50})
		if err != nil {
			s.fail(w, r, c, err)
			return
		}
		for _, p := range pp.Items {
			projects = append(projects, dashProject{Project: p, WSSlug: ws.Slug, WSName: ws.Name})
		}
		p, err := s.Workspaces.Audit(ctx, c.uid(), ws.Slug, audit.Filter{Limit: 10})
		if err != nil {
			s.fail(w, r, c, err)
			return
		}
		for _, e := range p.Items {
			a := describe(e, ws.Slug, nil)
			a.WSName, a.WSSlug = ws.Name, ws.Slug
			acts = append(acts, a)
		}
	}
	sort.SliceStable(acts, func(i, j int) bool { return acts[i].At.After(acts[j].At) })
	if len(acts) > 10 {
		acts = acts[:10]
	}
	sort.SliceStable(projects, func(i, j int) bool { return projects[i].UpdatedAt.After(projects[j].UpdatedAt) })
	if len(projects) > 6 {
		projects = projects[:6]
	}
	v.Title, v.Nav, v.Workspaces = "Home", "home", wss
	v.Data = dashboardData{Workspaces: wss, Projects: projects, Activity: acts, Owned: owned, MyID: c.uid()}
	s.render(w, r, c, "dashboard", v)
}

func (s *server) createWorkspace(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	in := workspace.CreateInput{Name: r.PostForm.Get("name"), Slug: strings.ToLower(strings.TrimSpace(r.PostForm.Get("slug")))}
	ws, err := s.Workspaces.Create(r.Context(), c.actor, in)
	if err != nil {
		if f, ok := formError(err, "new-workspace", r.PostForm); ok {
			s.showDashboard(w, r, c, withForm(f))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/w/"+ws.Slug+"?notice=workspace-created")
}

// --- projects list

type projectsData struct {
	Projects  []project.Project
	Archived  bool
	NextURL   string
	FirstPage bool
}

func (s *server) projectsPage(w http.ResponseWriter, r *http.Request, c *call) {
	s.showProjects(w, r, c, &view{})
}

func (s *server) showProjects(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	ctx := r.Context()
	slug := r.PathValue("ws")
	ws, err := s.Workspaces.Get(ctx, c.uid(), slug)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	q := r.URL.Query()
	archived := q.Get("archived") == "1"
	cursor := q.Get("cursor")
	page, err := s.Projects.List(ctx, c.uid(), slug, project.ListFilter{IncludeArchived: archived, Limit: 50, Cursor: cursor})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d := projectsData{Projects: page.Items, Archived: archived, FirstPage: cursor == ""}
	if page.NextCursor != "" {
		nq := url.Values{"cursor": {page.NextCursor}}
		if archived {
			nq.Set("archived", "1")
		}
		d.NextURL = "/w/" + ws.Slug + "?" + nq.Encode()
	}
	v.Title, v.Nav, v.Data = "Projects · "+ws.Name, "projects", d
	v.WS = &wsView{Slug: ws.Slug, Name: ws.Name, Role: ws.Role}
	s.render(w, r, c, "projects", v)
}

func (s *server) createProject(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	slug := r.PathValue("ws")
	in := project.CreateInput{Key: strings.ToUpper(strings.TrimSpace(r.PostForm.Get("key"))), Name: r.PostForm.Get("name"),
		Description: normalizeNewlines(r.PostForm.Get("description"))}
	p, err := s.Projects.Create(r.Context(), c.actor, slug, in)
	if err != nil {
		if f, ok := formError(err, "new-project", r.PostForm); ok {
			s.showProjects(w, r, c, withForm(f))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/w/"+slug+"/p/"+p.Key+"?notice=project-created")
}

// normalizeNewlines stores text with \n line ends whatever the browser sent.
func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
