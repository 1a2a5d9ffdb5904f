package web

import (
	"net/http"
	"net/url"
	"strings"

	"shipshape/internal/apperr"
	"shipshape/internal/httpx"
	"shipshape/internal/perm"
	"shipshape/internal/workspace"
)

// --- workspace settings: rename (owners) and leave (everyone)

type settingsData struct {
	Workspace workspace.Workspace
	// CanRename is true for owners; others see the settings read-only.
	CanRename bool
	// Owners are the people to ask for a rename or for the owner role.
	Owners []workspace.Member
	// OnlyOwner is true when the caller is the workspace's one owner, who
	// cannot leave until someone else is owner.
	OnlyOwner bool
}

// OwnerNames lists the owners for a sentence: "Ana Lima or Bo Chen".
func (d settingsData) OwnerNames() string {
	names := make([]string, len(d.Owners))
	for i, m := range d.Owners {
		names[i] = m.Name
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func (s *server) settingsPage(w http.ResponseWriter, r *http.Request, c *call) {
	s.showSettings(w, r, c, &view{})
}

func (s *server) showSettings(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	ctx := r.Context()
	ws, err := s.Workspaces.Get(ctx, c.uid(), r.PathValue("ws"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	ms, _, err := s.Workspaces.Members(ctx, c.uid(), ws.Slug)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d := settingsData{Workspace: ws, CanRename: perm.Can(ws.Role, perm.UpdateWorkspace)}
	for _, m := range ms {
		if m.Role == perm.Owner {
			d.Owners = append(d.Owners, m)
		}
	}
	d.OnlyOwner = ws.Role == perm.Owner && len(d.Owners) == 1
	v.seed("rename", url.Values{"name": {ws.Name}})
	v.Title, v.Nav, v.Data = "Settings · "+ws.Name, "settings", d
	v.WS = &wsView{Slug: ws.Slug, Name: ws.Name, Role: ws.Role}
	s.render(w, r, c, "settings", v)
}

func (s *server) renameWorkspace(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	slug := r.PathValue("ws")
	if _, err := s.Workspaces.Rename(r.Context(), c.actor, slug, r.PostForm.Get("name")); err != nil {
		if f, ok := formError(err, "rename", r.PostForm); ok {
			s.showSettings(w, r, c, withForm(f))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/w/"+slug+"/settings?notice=workspace-renamed")
}

// leaveWorkspace removes the caller from the workspace. The last owner is
// refused; the page then says why, next to the button.
func (s *server) leaveWorkspace(w http.ResponseWriter, r *http.Request, c *call) {
	if err := s.Workspaces.RemoveMember(r.Context(), c.actor, r.PathValue("ws"), c.uid()); err != nil {
		if ae := httpx.AsAppError(err); ae.Code == apperr.Conflict {
			s.showSettings(w, r, c, withForm(form{Name: "leave", Error: capFirst(ae.Message), Status: http.StatusConflict}))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/?notice=left-workspace")
}
