package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
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
	// Support: the grants (admins only, who may grant and revoke) and the
	// recent requests site admins made under them (everyone who sees the
	// activity feed).
	CanGrantSupport bool
	SupportGrants   []workspace.SupportGrant
	ActiveSupport   *workspace.SupportGrant
	SupportAccesses []activity
	// Support is true when the caller sees the workspace through support access.
	Support bool
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
	if err := s.supportSettings(r, c, ws, &d); err != nil {
		s.fail(w, r, c, err)
		return
	}
	v.seed("rename", url.Values{"name": {ws.Name}})
	v.seed("support", url.Values{"scope": {"read"}, "days": {"3"}})
	v.Title, v.Nav, v.Data = "Settings · "+ws.Name, "settings", d
	v.WS = &wsView{Slug: ws.Slug, Name: ws.Name, Role: ws.Role}
	s.render(w, r, c, "settings", v)
}

func (s *server) renameWorkspace(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	switch r.PostForm.Get("do") { // the support access forms post here too
	case "support-grant":
		s.grantSupport(w, r, c)
		return
	case "support-revoke":
		s.revokeSupport(w, r, c)
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

// --- support access: grants (admins) and what was done under them (everyone)

func (s *server) supportSettings(r *http.Request, c *call, ws workspace.Workspace, d *settingsData) error {
	ctx := r.Context()
	// Only members manage grants; a site admin in through support access
	// has a viewer or member role and no GrantSupport anyway.
	if perm.Can(ws.Role, perm.GrantSupport) {
		gs, err := s.Workspaces.SupportGrants(ctx, c.uid(), ws.Slug)
		if err != nil && !apperr.Is(err, apperr.Forbidden) {
			return err
		}
		d.CanGrantSupport, d.SupportGrants = err == nil, gs
		for i := range gs {
			if gs[i].Active {
				d.ActiveSupport = &gs[i]
				break
			}
		}
	}
	if perm.Can(ws.Role, perm.ViewAudit) {
		p, err := s.Workspaces.Audit(ctx, c.uid(), ws.Slug, audit.Filter{Action: "support.", Limit: 20})
		if err != nil {
			return err
		}
		for _, e := range p.Items {
			if e.Action == "support.access" {
				d.SupportAccesses = append(d.SupportAccesses, describe(e, ws.Slug, nil))
			}
		}
	}
	d.Support = c.support.Used()
	return nil
}

// grantSupport: scope, reason and days (1–30) from the settings page.
func (s *server) grantSupport(w http.ResponseWriter, r *http.Request, c *call) {
	slug := r.PathValue("ws")
	in := workspace.SupportGrantInput{Scope: workspace.SupportScope(r.PostForm.Get("scope")), Reason: r.PostForm.Get("reason")}
	days, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("days")))
	if err != nil || days < 1 || days > 30 {
		err = apperr.Fields(map[string]string{"days": "must be a whole number of days from 1 to 30"})
	} else {
		in.ExpiresAt = s.Now().Add(time.Duration(days) * 24 * time.Hour)
		_, err = s.Workspaces.GrantSupport(r.Context(), c.actor, slug, in)
	}
	if err != nil {
		if f, ok := formError(err, "support", r.PostForm); ok {
			if msg, ok := f.Fields["expires_at"]; ok { // the form asks for days
				delete(f.Fields, "expires_at")
				f.Fields["days"] = msg
			}
			s.showSettings(w, r, c, withForm(f))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/w/"+slug+"/settings?notice=support-granted#support")
}

func (s *server) revokeSupport(w http.ResponseWriter, r *http.Request, c *call) {
	slug := r.PathValue("ws")
	if err := s.Workspaces.RevokeSupport(r.Context(), c.actor, slug); err != nil && !apperr.Is(err, apperr.NotFound) {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/w/"+slug+"/settings?notice=support-revoked#support")
}
