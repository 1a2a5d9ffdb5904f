package web

import (
	"net/http"
	"strings"

	"shipshape/internal/perm"
	"shipshape/internal/workspace"
)

type teamView struct {
	workspace.Team
	Candidates []workspace.Member // members not yet in the team
}

type teamsData struct {
	Teams   []teamView
	Members []workspace.Member
	Manage  bool
}

func (s *server) teamsPage(w http.ResponseWriter, r *http.Request, c *call) {
	s.showTeams(w, r, c, &view{})
}

func (s *server) showTeams(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	ctx := r.Context()
	ms, a, err := s.Workspaces.Members(ctx, c.uid(), r.PathValue("ws"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	teams, err := s.Workspaces.Teams(ctx, c.uid(), a.Slug)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d := teamsData{Members: ms, Manage: a.Can(perm.ManageTeams)}
	for _, t := range teams {
		in := map[string]bool{}
		for _, m := range t.Members {
			in[m.UserID] = true
		}
		tv := teamView{Team: t}
		for _, m := range ms {
			if !in[m.UserID] {
				tv.Candidates = append(tv.Candidates, m)
			}
		}
		d.Teams = append(d.Teams, tv)
	}
	v.Title, v.Nav, v.WS, v.Data = "Teams · "+a.Name, "teams", wsFromAccess(a), d
	s.render(w, r, c, "teams", v)
}

func (s *server) createTeam(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	ws := r.PathValue("ws")
	in := workspace.TeamInput{Name: r.PostForm.Get("name"), Slug: strings.ToLower(strings.TrimSpace(r.PostForm.Get("slug")))}
	if _, err := s.Workspaces.CreateTeam(r.Context(), c.actor, ws, in); err != nil {
		if f, ok := formError(err, "new-team", r.PostForm); ok {
			s.showTeams(w, r, c, withForm(f))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/w/"+ws+"/teams?notice=team-created")
}

func (s *server) deleteTeam(w http.ResponseWriter, r *http.Request, c *call) {
	ws := r.PathValue("ws")
	if err := s.Workspaces.DeleteTeam(r.Context(), c.actor, ws, r.PathValue("team")); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/w/"+ws+"/teams?notice=team-deleted")
}

func (s *server) addTeamMember(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	ws, team := r.PathValue("ws"), r.PathValue("team")
	user := r.PostForm.Get("user_id")
	if user == "" {
		s.showTeams(w, r, c, &view{Error: "Choose a member to add.", Status: http.StatusBadRequest})
		return
	}
	if err := s.Workspaces.SetTeamMember(r.Context(), c.actor, ws, team, user, true); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/w/"+ws+"/teams?notice=team-member-added#team-"+team)
}

func (s *server) removeTeamMember(w http.ResponseWriter, r *http.Request, c *call) {
	ws, team := r.PathValue("ws"), r.PathValue("team")
	if err := s.Workspaces.SetTeamMember(r.Context(), c.actor, ws, team, r.PathValue("user"), false); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/w/"+ws+"/teams?notice=team-member-removed#team-"+team)
}
