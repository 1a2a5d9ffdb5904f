package web

import (
	"net/http"
	"net/url"
	"strings"

	"shipshape/internal/owner"
	"shipshape/internal/perm"
	"shipshape/internal/project"
	"shipshape/internal/release"
)

type projectData struct {
	Project    project.Project
	Components []project.Component

	Releases       []release.Release
	ReleaseStatus  release.Status // the filter, "" for all
	ReleaseFilters []statusFilter
	MoreReleases   bool

	Owners *ownersCard
}

func (s *server) projectPage(w http.ResponseWriter, r *http.Request, c *call) {
	s.showProject(w, r, c, &view{})
}

func (s *server) showProject(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	ctx := r.Context()
	ws, key := r.PathValue("ws"), r.PathValue("key")
	p, a, err := s.Projects.Get(ctx, c.uid(), ws, key)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	comps, err := s.Projects.Components(ctx, c.uid(), ws, key)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d := projectData{Project: p, Components: comps}
	if err := s.projectReleases(r, c, &d); err != nil {
		s.fail(w, r, c, err)
		return
	}
	if d.Owners, err = s.loadOwnersCard(r, c, a.Slug, owner.TargetRef{Type: owner.Project, ID: p.ID}, "/w/"+a.Slug+"/p/"+p.Key, a.Can(perm.AssignOwners)); err != nil {
		s.fail(w, r, c, err)
		return
	}
	v.seed("edit-project", url.Values{"name": {p.Name}, "description": {p.Description}})
	v.Title, v.Nav, v.WS = p.Key+" · "+p.Name, "projects", wsFromAccess(a)
	v.Data = d
	s.render(w, r, c, "project", v)
}

func (s *server) projectURL(r *http.Request) string {
	return "/w/" + r.PathValue("ws") + "/p/" + r.PathValue("key")
}

func (s *server) updateProject(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	name, desc := r.PostForm.Get("name"), normalizeNewlines(r.PostForm.Get("description"))
	_, err := s.Projects.Update(r.Context(), c.actor, r.PathValue("ws"), r.PathValue("key"), project.Patch{Name: &name, Description: &desc})
	if err != nil {
		if f, ok := formError(err, "edit-project", r.PostForm); ok {
			s.showProject(w, r, c, withForm(f))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, s.projectURL(r)+"?notice=project-updated")
}

func (s *server) archiveProject(archive bool) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, c *call) {
		_, err := s.Projects.Update(r.Context(), c.actor, r.PathValue("ws"), r.PathValue("key"), project.Patch{Archived: &archive})
		if err != nil {
			s.fail(w, r, c, err)
			return
		}
		notice := "project-unarchived"
		if archive {
			notice = "project-archived"
		}
		redirect(w, r, s.projectURL(r)+"?notice="+notice)
	}
}

func (s *server) deleteProject(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	ws, key := r.PathValue("ws"), r.PathValue("key")
	if strings.TrimSpace(r.PostForm.Get("confirm")) != key {
		// Check access first so that a stranger still gets a 404.
		if _, _, err := s.Projects.Get(r.Context(), c.uid(), ws, key); err != nil {
			s.fail(w, r, c, err)
			return
		}
		f := form{Name: "delete-project", Values: r.PostForm, Status: http.StatusBadRequest,
			Fields: map[string]string{"confirm": "type " + key + " to confirm"}, Error: "The project was not deleted."}
		s.showProject(w, r, c, withForm(f))
		return
	}
	if err := s.Projects.Delete(r.Context(), c.actor, ws, key); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/w/"+ws+"?notice=project-deleted")
}

// --- components

func (s *server) createComponent(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	in := project.ComponentInput{Slug: strings.ToLower(strings.TrimSpace(r.PostForm.Get("slug"))), Name: r.PostForm.Get("name"),
		Description: normalizeNewlines(r.PostForm.Get("description"))}
	_, err := s.Projects.CreateComponent(r.Context(), c.actor, r.PathValue("ws"), r.PathValue("key"), in)
	if err != nil {
		if f, ok := formError(err, "new-component", r.PostForm); ok {
			s.showProject(w, r, c, withForm(f))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, s.projectURL(r)+"?notice=component-created#components")
}

type componentData struct {
	Project   project.Project
	Component project.Component
}

func (s *server) componentPage(w http.ResponseWriter, r *http.Request, c *call) {
	s.showComponent(w, r, c, &view{})
}

func (s *server) showComponent(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	ctx := r.Context()
	ws, key, slug := r.PathValue("ws"), r.PathValue("key"), r.PathValue("slug")
	p, a, err := s.Projects.Get(ctx, c.uid(), ws, key)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	comp, err := s.Projects.Component(ctx, c.uid(), ws, key, slug)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	v.seed("edit-component", url.Values{"name": {comp.Name}, "description": {comp.Description}})
	v.Title, v.Nav, v.WS = comp.Name+" · "+p.Key, "projects", wsFromAccess(a)
	v.Data = componentData{Project: p, Component: comp}
	s.render(w, r, c, "component", v)
}

func (s *server) updateComponent(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	name, desc := r.PostForm.Get("name"), normalizeNewlines(r.PostForm.Get("description"))
	_, err := s.Projects.UpdateComponent(r.Context(), c.actor, r.PathValue("ws"), r.PathValue("key"), r.PathValue("slug"),
		project.ComponentPatch{Name: &name, Description: &desc})
	if err != nil {
		if f, ok := formError(err, "edit-component", r.PostForm); ok {
			s.showComponent(w, r, c, withForm(f))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, s.projectURL(r)+"/c/"+r.PathValue("slug")+"?notice=component-updated")
}

func (s *server) deleteComponent(w http.ResponseWriter, r *http.Request, c *call) {
	if err := s.Projects.DeleteComponent(r.Context(), c.actor, r.PathValue("ws"), r.PathValue("key"), r.PathValue("slug")); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, s.projectURL(r)+"?notice=component-deleted#components")
}
