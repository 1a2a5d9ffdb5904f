package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strings"
	"time"

	"shipshape/internal/httpx"
	"shipshape/internal/owner"
)

// --- release notes and evidence downloads

// downloadNotes serves a release's notes as a Markdown attachment. Any
// member may read them; everyone else gets the 404 the service returns.
func (s *server) downloadNotes(w http.ResponseWriter, r *http.Request, c *call) {
	n, err := s.Releases.Notes(r.Context(), c.uid(), r.PathValue("ws"), r.PathValue("key"), r.PathValue("version"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	body := []byte(n.Markdown)
	sum := sha256.Sum256(body)
	httpx.ServeDownload(w, r, n.Filename, "text/markdown; charset=utf-8", hex.EncodeToString(sum[:]), time.Time{}, bytes.NewReader(body))
}

// downloadEvidence serves the evidence snapshot exactly as stored, with its
// recorded SHA-256 in the digest headers. Not found before the release is
// released.
func (s *server) downloadEvidence(w http.ResponseWriter, r *http.Request, c *call) {
	ev, err := s.Releases.Evidence(r.Context(), c.uid(), r.PathValue("ws"), r.PathValue("key"), r.PathValue("version"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	httpx.ServeDownload(w, r, ev.Filename, "application/json", ev.SHA256, ev.CreatedAt, bytes.NewReader(ev.Body))
}

// --- ownership map

var ownerRoles = []owner.Role{owner.Accountable, owner.Technical, owner.Security, owner.Privacy}

// ownerView is an owner as shown: the name or a stand-in, and what is
// wrong with it, if anything.
type ownerView struct {
	owner.Owner
	Display string
	Problem string
}

// roleOwners is one role's column of a row.
type roleOwners struct {
	Role   owner.Role
	Owners []ownerView
}

// ownershipRow is one target of the map.
type ownershipRow struct {
	Target  owner.Target
	Href    string
	Kind    string // Project, Component, Release
	Roles   []roleOwners
	Unowned bool
	HasGap  bool
}

type gapView struct {
	Target      owner.Target
	Href        string
	Kind        string
	Owner       ownerView
	Explanation string
}

type ownershipData struct {
	Rows    []ownershipRow
	Unowned []ownershipRow
	Gaps    []gapView
	Mine    bool
	MineURL string
	AllURL  string
	Roles   []owner.Role
}

// targetHref links a target's page from its label: "PAY", "PAY/api",
// "PAY 1.2.0".
func targetHref(ws string, t owner.Target) string {
	base := "/w/" + ws + "/p/"
	switch t.Type {
	case owner.Project:
		return base + t.Label
	case owner.Component:
		if key, slug, ok := strings.Cut(t.Label, "/"); ok {
			return base + key + "/c/" + slug
		}
	case owner.Release:
		if key, version, ok := strings.Cut(t.Label, " "); ok {
			return releasePath(ws, key, version)
		}
	}
	return ""
}

func targetKind(t owner.TargetType) string {
	switch t {
	case owner.Project:
		return "Project"
	case owner.Component:
		return "Component"
	case owner.Release:
		return "Release"
	}
	return string(t)
}

func targetOrder(t owner.TargetType) int {
	switch t {
	case owner.Project:
		return 0
	case owner.Component:
		return 1
	}
	return 2
}

func gapExplanation(o owner.Owner, problem string) string {
	switch problem {
	case owner.OwnerLeft:
		return "left the workspace; transfer or replace their ownership"
	case owner.TeamDeleted:
		return "the team was deleted; assign another owner"
	}
	return problem
}

func ownerDisplay(o owner.Owner) string {
	if o.Name != "" {
		return o.Name
	}
	if o.Kind == owner.Team {
		return "A deleted team"
	}
	return "A former member"
}

type ownerKey struct {
	t    owner.TargetType
	tid  string
	kind owner.Kind
	id   string
	role owner.Role
}

func (s *server) ownershipPage(w http.ResponseWriter, r *http.Request, c *call) {
	ctx := r.Context()
	ws := r.PathValue("ws")
	a, err := s.Workspaces.Get(ctx, c.uid(), ws)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	ownerID := r.URL.Query().Get("owner")
	m, err := s.Owners.Map(ctx, c.uid(), a.Slug, ownerID)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	problems := map[ownerKey]string{}
	d := ownershipData{Mine: ownerID != "" && ownerID == c.uid(), Roles: ownerRoles,
		AllURL: "/w/" + a.Slug + "/ownership", MineURL: "/w/" + a.Slug + "/ownership?owner=" + c.uid()}
	for _, g := range m.Gaps {
		problems[ownerKey{g.Target.Type, g.Target.ID, g.Owner.Kind, g.Owner.ID, g.Owner.Role}] = g.Problem
		ov := ownerView{Owner: g.Owner, Display: ownerDisplay(g.Owner), Problem: g.Problem}
		d.Gaps = append(d.Gaps, gapView{Target: g.Target, Href: targetHref(a.Slug, g.Target), Kind: targetKind(g.Target.Type),
			Owner: ov, Explanation: gapExplanation(g.Owner, g.Problem)})
	}
	unowned := map[owner.TargetType]map[string]bool{}
	for _, t := range m.Unowned {
		if unowned[t.Type] == nil {
			unowned[t.Type] = map[string]bool{}
		}
		unowned[t.Type][t.ID] = true
	}
	seen := map[owner.TargetType]map[string]bool{}
	row := func(t owner.Target, os []owner.Owner) ownershipRow {
		rw := ownershipRow{Target: t, Href: targetHref(a.Slug, t), Kind: targetKind(t.Type), Unowned: unowned[t.Type][t.ID]}
		for _, role := range ownerRoles {
			ro := roleOwners{Role: role}
			for _, o := range os {
				if o.Role != role {
					continue
				}
				p := problems[ownerKey{t.Type, t.ID, o.Kind, o.ID, o.Role}]
				if p != "" {
					rw.HasGap = true
				}
				ro.Owners = append(ro.Owners, ownerView{Owner: o, Display: ownerDisplay(o), Problem: p})
			}
			rw.Roles = append(rw.Roles, ro)
		}
		return rw
	}
	for _, it := range m.Items {
		if seen[it.Target.Type] == nil {
			seen[it.Target.Type] = map[string]bool{}
		}
		seen[it.Target.Type][it.Target.ID] = true
		d.Rows = append(d.Rows, row(it.Target, it.Owners))
	}
	for _, t := range m.Unowned {
		rw := row(t, nil)
		if !seen[t.Type][t.ID] {
			d.Rows = append(d.Rows, rw)
		}
		d.Unowned = append(d.Unowned, rw)
	}
	sort.SliceStable(d.Rows, func(i, j int) bool {
		x, y := d.Rows[i].Target, d.Rows[j].Target
		if x.Type != y.Type {
			return targetOrder(x.Type) < targetOrder(y.Type)
		}
		return x.Label < y.Label
	})
	v := &view{}
	v.Title, v.Nav, v.Data = "Ownership · "+a.Name, "ownership", d
	v.WS = &wsView{Slug: a.Slug, Name: a.Name, Role: a.Role}
	s.render(w, r, c, "ownership", v)
}

// myOwnership counts what the caller owns in a workspace (0 without the
// owner service).
func (s *server) myOwnership(r *http.Request, c *call, ws string) (int, error) {
	if s.Owners == nil {
		return 0, nil
	}
	return s.Owners.Count(r.Context(), c.uid(), ws, c.uid())
}

// --- the accountable owner of a project

// ownerChoice is one option of the owner select.
type ownerChoice struct {
	Value, Label string
	Selected     bool
}

// ownersCard is the owners card of a project, release or document page:
// each role's owners, and for those who may assign, the form that sets a
// role's owner.
type ownersCard struct {
	Target  owner.TargetRef
	Back    string // the page the form returns to
	Roles   []roleOwners
	Choices []ownerChoice // members and teams; empty when the caller may not assign
	Current string        // "user:<id>" or "team:<id>" of the accountable owner
}

// loadOwnersCard reads a target's owners and, for those who may assign,
// the members and teams to choose from.
func (s *server) loadOwnersCard(r *http.Request, c *call, ws string, ref owner.TargetRef, back string, canAssign bool) (*ownersCard, error) {
	ctx := r.Context()
	to, err := s.Owners.Get(ctx, c.uid(), ws, ref)
	if err != nil {
		return nil, err
	}
	oc := &ownersCard{Target: ref, Back: back}
	for _, role := range ownerRoles {
		ro := roleOwners{Role: role}
		for _, o := range to.Owners {
			if o.Role == role {
				ro.Owners = append(ro.Owners, ownerView{Owner: o, Display: ownerDisplay(o)})
				if role == owner.Accountable && oc.Current == "" {
					oc.Current = string(o.Kind) + ":" + o.ID
				}
			}
		}
		oc.Roles = append(oc.Roles, ro)
	}
	if !canAssign {
		return oc, nil
	}
	ms, _, err := s.Workspaces.Members(ctx, c.uid(), ws)
	if err != nil {
		return nil, err
	}
	teams, err := s.Workspaces.Teams(ctx, c.uid(), ws)
	if err != nil {
		return nil, err
	}
	oc.Choices = append(oc.Choices, ownerChoice{Value: "", Label: "Nobody"})
	for _, m := range ms {
		v := "user:" + m.UserID
		oc.Choices = append(oc.Choices, ownerChoice{Value: v, Label: m.Name, Selected: v == oc.Current})
	}
	for _, t := range teams {
		v := "team:" + t.ID
		oc.Choices = append(oc.Choices, ownerChoice{Value: v, Label: "Team " + t.Name, Selected: v == oc.Current})
	}
	return oc, nil
}

// setRoleOwner makes the chosen member or team (or nobody) the owner in one
// role of a target, keeping the other roles, and returns to the page the
// form was on.
func (s *server) setRoleOwner(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	ctx := r.Context()
	ws, f := r.PathValue("ws"), r.PostForm
	ref := owner.TargetRef{Type: owner.TargetType(f.Get("target_type")), ID: f.Get("target_id")}
	role := owner.Role(f.Get("role"))
	back := safeNext(f.Get("back"))
	if !strings.HasPrefix(back, "/w/"+ws+"/") {
		back = "/w/" + ws + "/ownership" // only pages of this workspace
	}
	if !role.Valid() {
		s.errorPage(w, r, http.StatusBadRequest, "Choose a role: accountable, technical, security or privacy.")
		return
	}
	cur, err := s.Owners.Get(ctx, c.uid(), ws, ref)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	var as []owner.Assignment
	for _, o := range cur.Owners {
		if o.Role != role {
			as = append(as, owner.Assignment{Kind: o.Kind, ID: o.ID, Role: o.Role})
		}
	}
	if v := f.Get("owner"); v != "" {
		kind, id, _ := strings.Cut(v, ":")
		as = append(as, owner.Assignment{Kind: owner.Kind(kind), ID: id, Role: role})
	}
	if _, err := s.Owners.Set(ctx, c.actor, ws, owner.SetInput{Target: ref, Owners: as}); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, withNotice(back, "owner-updated", "owners"))
}
