package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"shipshape/internal/apperr"
	"shipshape/internal/httpx"
	"shipshape/internal/owner"
	"shipshape/internal/perm"
	"shipshape/internal/workspace"
)

type membersData struct {
	Members     []workspace.Member
	Invitations []workspace.Invitation
	Me          string
	Manage      bool
	access      workspace.Access
	// Invited is the invitation just created; its link is shown only now.
	Invited   *workspace.Invitation
	InviteURL string
	// Owned counts each member's ownerships; the removal form offers to
	// transfer them to one of Heirs (members and teams).
	Owned map[string]int
	Heirs []ownerChoice
}

// RolesFor lists the roles the caller may grant (rules in workspace.Access).
func (d membersData) RolesFor() []perm.Role { return d.access.GrantableRoles() }

// CanChange reports whether the caller may change or remove m.
func (d membersData) CanChange(m workspace.Member) bool { return d.access.CanManage(m) }

func (s *server) membersPage(w http.ResponseWriter, r *http.Request, c *call) {
	s.showMembers(w, r, c, &view{}, nil)
}

func (s *server) showMembers(w http.ResponseWriter, r *http.Request, c *call, v *view, invited *workspace.Invitation) {
	ctx := r.Context()
	ms, a, err := s.Workspaces.Members(ctx, c.uid(), r.PathValue("ws"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d := membersData{Members: ms, Me: c.uid(), Manage: a.Can(perm.ManageMembers), access: a, Invited: invited}
	if d.Manage {
		if d.Invitations, err = s.Workspaces.Invitations(ctx, c.uid(), a.Slug); err != nil {
			s.fail(w, r, c, err)
			return
		}
		v.seed("invite", url.Values{"role": {string(perm.Member)}})
		if d.Owned, err = s.Owners.Counts(ctx, c.uid(), a.Slug); err != nil {
			s.fail(w, r, c, err)
			return
		}
		teams, err := s.Workspaces.Teams(ctx, c.uid(), a.Slug)
		if err != nil {
			s.fail(w, r, c, err)
			return
		}
		for _, m := range ms {
			d.Heirs = append(d.Heirs, ownerChoice{Value: "user:" + m.UserID, Label: m.Name})
		}
		for _, t := range teams {
			d.Heirs = append(d.Heirs, ownerChoice{Value: "team:" + t.ID, Label: "Team " + t.Name})
		}
	}
	if invited != nil {
		d.InviteURL = s.baseURL(r) + "/invite/" + url.PathEscape(invited.Token)
	}
	v.Title, v.Nav, v.WS, v.Data = "Members · "+a.Name, "members", wsFromAccess(a), d
	s.render(w, r, c, "members", v)
}

// baseURL is the configured public URL, or the one the request came in on.
func (s *server) baseURL(r *http.Request) string {
	if s.BaseURL != "" {
		return strings.TrimRight(s.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || (s.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// pageError re-renders a page with the service's message for errors that
// belong on the page (a refused role change), and the error page otherwise.
func (s *server) pageError(w http.ResponseWriter, r *http.Request, c *call, err error, show func(*view)) {
	ae := httpx.AsAppError(err)
	switch ae.Code {
	case apperr.Invalid, apperr.Conflict:
		msg := ae.Message
		for _, m := range ae.Fields {
			msg = m
		}
		show(&view{Error: capFirst(msg), Status: apperr.Status(ae.Code)})
	default:
		s.fail(w, r, c, err)
	}
}

func (s *server) changeRole(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	ws := r.PathValue("ws")
	_, err := s.Workspaces.ChangeRole(r.Context(), c.actor, ws, r.PathValue("user"), perm.Role(r.PostForm.Get("role")))
	if err != nil {
		s.pageError(w, r, c, err, func(v *view) { s.showMembers(w, r, c, v, nil) })
		return
	}
	redirect(w, r, "/w/"+ws+"/members?notice=role-changed")
}

// correctName corrects a member's name (rectification by an admin).
func (s *server) correctName(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	ws, user := r.PathValue("ws"), r.PathValue("user")
	if _, err := s.Workspaces.CorrectName(r.Context(), c.actor, ws, user, workspace.NameInput{Name: r.PostForm.Get("name")}); err != nil {
		s.pageError(w, r, c, err, func(v *view) { s.showMembers(w, r, c, v, nil) })
		return
	}
	redirect(w, r, "/w/"+ws+"/members?notice=name-corrected")
}

// removeMember removes a member and, when the form names an heir,
// transfers the member's ownerships to them afterwards (ownerships of
// someone who left can still be transferred, so a failed transfer leaves
// gaps on the ownership map, never a half-removed member).
func (s *server) removeMember(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	ws, user := r.PathValue("ws"), r.PathValue("user")
	if err := s.Workspaces.RemoveMember(r.Context(), c.actor, ws, user); err != nil {
		s.pageError(w, r, c, err, func(v *view) { s.showMembers(w, r, c, v, nil) })
		return
	}
	if user == c.uid() {
		redirect(w, r, "/?notice=left-workspace")
		return
	}
	if heir := r.PostForm.Get("transfer_to"); heir != "" && heir != "user:"+user {
		kind, id, _ := strings.Cut(heir, ":")
		in := owner.TransferInput{FromUser: user, To: owner.OwnerRef{Kind: owner.Kind(kind), ID: id}}
		if _, err := s.Owners.Transfer(r.Context(), c.actor, ws, in); err != nil {
			v := &view{Error: "The member was removed, but their ownerships were not transferred: " + httpx.AsAppError(err).Message +
				". They show as gaps on the ownership map, where you can transfer them."}
			s.showMembers(w, r, c, v, nil)
			return
		}
		redirect(w, r, "/w/"+ws+"/members?notice=member-removed-transferred")
		return
	}
	redirect(w, r, "/w/"+ws+"/members?notice=member-removed")
}

func (s *server) invite(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	inv, err := s.Workspaces.Invite(r.Context(), c.actor, r.PathValue("ws"), r.PostForm.Get("email"), perm.Role(r.PostForm.Get("role")))
	if err != nil {
		if f, ok := formError(err, "invite", r.PostForm); ok {
			s.showMembers(w, r, c, withForm(f), nil)
			return
		}
		s.fail(w, r, c, err)
		return
	}
	// Rendered, not redirected: the link carries the one-time token, which
	// must not end up in a URL or be shown twice.
	s.showMembers(w, r, c, &view{}, &inv)
}

func (s *server) revokeInvitation(w http.ResponseWriter, r *http.Request, c *call) {
	ws := r.PathValue("ws")
	if err := s.Workspaces.RevokeInvitation(r.Context(), c.actor, ws, r.PathValue("id")); err != nil {
		s.pageError(w, r, c, err, func(v *view) { s.showMembers(w, r, c, v, nil) })
		return
	}
	redirect(w, r, "/w/"+ws+"/members?notice=invitation-revoked")
}

// memberDir maps a workspace's members' ids to their names.
type memberDir map[string]string

// of is the name of id, or "A former member" for someone no longer in the
// workspace (or erased).
func (m memberDir) of(id string) string {
	if n := m[id]; n != "" {
		return n
	}
	return "A former member"
}

// memberNames reads the workspace's members (and the caller's access).
func (s *server) memberNames(ctx context.Context, c *call, ws string) (memberDir, workspace.Access, error) {
	ms, a, err := s.Workspaces.Members(ctx, c.uid(), ws)
	if err != nil {
		return nil, a, err
	}
	names := make(memberDir, len(ms))
	for _, m := range ms {
		names[m.UserID] = m.Name
	}
	return names, a, nil
}
