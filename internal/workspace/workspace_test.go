package workspace_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/testkit"
	"shipshape/internal/workspace"
)

var ctx = context.Background()

// crew is a workspace "acme" with one member per role and an outsider.
type crew struct {
	*app.App
	d                         *db.DB
	clock                     *testkit.Clock
	ana, bob, cid, dee, eve   account.User // owner, admin, member, viewer, outsider
	ws                        workspace.Workspace
	owner, admin, member, vwr audit.Actor
}

func newCrew(t *testing.T, d *db.DB) *crew {
	t.Helper()
	c := &crew{d: d, clock: testkit.NewClock()}
	c.App = testkit.NewApp(t, d, c.clock)
	c.ana = testkit.MustUser(t, c.App, "Ana Lima")
	c.bob = testkit.MustUser(t, c.App, "Bob Reis")
	c.cid = testkit.MustUser(t, c.App, "Cid Dias")
	c.dee = testkit.MustUser(t, c.App, "Dee Sousa")
	c.eve = testkit.MustUser(t, c.App, "Eve Outsider")
	c.ws = testkit.MustWorkspace(t, c.App, c.ana, "acme")
	testkit.MustJoin(t, c.App, c.ana, "acme", c.bob, "admin")
	testkit.MustJoin(t, c.App, c.ana, "acme", c.cid, "member")
	testkit.MustJoin(t, c.App, c.ana, "acme", c.dee, "viewer")
	c.owner, c.admin, c.member, c.vwr = testkit.Actor(c.ana), testkit.Actor(c.bob), testkit.Actor(c.cid), testkit.Actor(c.dee)
	return c
}

func (c *crew) role(t *testing.T, u account.User) perm.Role {
	t.Helper()
	a, err := c.Workspaces.Access(ctx, c.d, "acme", u.ID)
	if apperr.Is(err, apperr.NotFound) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return a.Role
}

// auditActions lists the workspace's audit actions, oldest first.
func (c *crew) auditActions(t *testing.T) []string {
	t.Helper()
	rows, err := c.d.Query(ctx, `SELECT action FROM audit_events WHERE workspace_id = ? ORDER BY seq`, c.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// lastAudit returns the newest event of the workspace.
func (c *crew) lastAudit(t *testing.T) audit.Event {
	t.Helper()
	p, err := c.Workspaces.Audit(ctx, c.ana.ID, "acme", audit.Filter{Limit: 1})
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("audit: %v, %v", p, err)
	}
	return p.Items[0]
}

func (c *crew) wantLastAudit(t *testing.T, action, targetID, label string) {
	t.Helper()
	e := c.lastAudit(t)
	if e.Action != action || (targetID != "" && e.TargetID != targetID) || e.TargetLabel != label {
		t.Errorf("last audit event = %s %s %q, want %s %s %q", e.Action, e.TargetID, e.TargetLabel, action, targetID, label)
	}
	if v, err := c.Workspaces.VerifyAudit(ctx, c.ana.ID, "acme"); err != nil || !v.OK {
		t.Errorf("audit chain: %+v, %v", v, err)
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		a := testkit.NewApp(t, d, testkit.NewClock())
		ana := testkit.MustUser(t, a, "Ana Lima")
		create := func(slug, name string) (workspace.Workspace, error) {
			return a.Workspaces.Create(ctx, testkit.Actor(ana), workspace.CreateInput{Slug: slug, Name: name})
		}

		for _, slug := range []string{"../x", "A", "Acme", "a--b", "-ab", "ab-", "a_b", "a", "a b", "ação", strings.Repeat("a", 41), ""} {
			t.Run("ErrSlug"+slug, func(t *testing.T) {
				_, err := create(slug, "Acme")
				wantFields(t, err, "slug")
			})
		}
		t.Run("ErrName", func(t *testing.T) {
			_, err := create("acme", "  ")
			wantFields(t, err, "name")
			_, err = create("acme", "Ac\x00me")
			wantFields(t, err, "name")
		})

		t.Run("CreatorIsOwner", func(t *testing.T) {
			w, err := create(" acme-2 ", " Acme Two ")
			if err != nil {
				t.Fatal(err)
			}
			if w.Slug != "acme-2" || w.Name != "Acme Two" || w.Role != perm.Owner {
				t.Errorf("workspace = %+v", w)
			}
			ws, err := a.Workspaces.List(ctx, ana.ID)
			if err != nil || len(ws) != 1 || ws[0].ID != w.ID || ws[0].Role != perm.Owner {
				t.Errorf("List = %+v, %v", ws, err)
			}
			p, err := a.Workspaces.Audit(ctx, ana.ID, "acme-2", audit.Filter{Limit: 10})
			if err != nil || len(p.Items) != 1 || p.Items[0].Action != "workspace.create" || p.Items[0].TargetLabel != "acme-2" {
				t.Errorf("audit = %+v, %v", p.Items, err)
			}
		})

		t.Run("Slug40IsValid", func(t *testing.T) {
			if _, err := create(strings.Repeat("b", 40), "Long"); err != nil {
				t.Error(err)
			}
		})

		t.Run("ErrDuplicateSlug", func(t *testing.T) {
			bob := testkit.MustUser(t, a, "Bob Reis")
			_, err := a.Workspaces.Create(ctx, testkit.Actor(bob), workspace.CreateInput{Slug: "acme-2", Name: "Mine"})
			if ae := wantCode(t, err, apperr.Conflict); ae.Fields["slug"] == "" {
				t.Errorf("fields = %v, want slug", ae.Fields)
			}
			if ws, _ := a.Workspaces.List(ctx, bob.ID); len(ws) != 0 {
				t.Errorf("Bob has %d workspaces after a refused create", len(ws))
			}
		})
	})
}

func TestNonMemberSeesNothing(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		c := newCrew(t, d)
		eve := c.eve.ID
		checks := map[string]error{}
		_, checks["Access"] = c.Workspaces.Access(ctx, d, "acme", eve)
		_, checks["Get"] = c.Workspaces.Get(ctx, eve, "acme")
		_, _, checks["Members"] = c.Workspaces.Members(ctx, eve, "acme")
		_, checks["Teams"] = c.Workspaces.Teams(ctx, eve, "acme")
		_, checks["Audit"] = c.Workspaces.Audit(ctx, eve, "acme", audit.Filter{Limit: 10})
		_, checks["VerifyAudit"] = c.Workspaces.VerifyAudit(ctx, eve, "acme")
		_, checks["Invitations"] = c.Workspaces.Invitations(ctx, eve, "acme")
		_, checks["Invite"] = c.Workspaces.Invite(ctx, testkit.Actor(c.eve), "acme", "x@example.com", perm.Member)
		_, checks["Rename"] = c.Workspaces.Rename(ctx, testkit.Actor(c.eve), "acme", "Mine")
		checks["RemoveMember"] = c.Workspaces.RemoveMember(ctx, testkit.Actor(c.eve), "acme", c.cid.ID)
		_, checks["CreateTeam"] = c.Workspaces.CreateTeam(ctx, testkit.Actor(c.eve), "acme", workspace.TeamInput{Slug: "x", Name: "X"})
		_, checks["UnknownSlug"] = c.Workspaces.Get(ctx, c.ana.ID, "no-such-workspace")
		for name, err := range checks {
			t.Run(name, func(t *testing.T) { wantCode(t, err, apperr.NotFound) })
		}
		if ws, err := c.Workspaces.List(ctx, eve); err != nil || len(ws) != 0 {
			t.Errorf("outsider lists %v, %v", ws, err)
		}
	})
}

func TestRename(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		c := newCrew(t, d)
		t.Run("ErrAdminCannotRename", func(t *testing.T) {
			_, err := c.Workspaces.Rename(ctx, c.admin, "acme", "Bob's")
			wantCode(t, err, apperr.Forbidden)
		})
		t.Run("OwnerRenames", func(t *testing.T) {
			w, err := c.Workspaces.Rename(ctx, c.owner, "acme", " Acme Corp ")
			if err != nil || w.Name != "Acme Corp" || w.Slug != "acme" {
				t.Fatalf("Rename = %+v, %v", w, err)
			}
			c.wantLastAudit(t, "workspace.update", c.ws.ID, "acme")
		})
	})
}

func TestRoles(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		c := newCrew(t, d)

		t.Run("ErrAdminCannotGrantOwner", func(t *testing.T) {
			_, err := c.Workspaces.ChangeRole(ctx, c.admin, "acme", c.cid.ID, perm.Owner)
			wantCode(t, err, apperr.Forbidden)
		})
		t.Run("ErrAdminCannotDemoteOwner", func(t *testing.T) {
			_, err := c.Workspaces.ChangeRole(ctx, c.admin, "acme", c.ana.ID, perm.Admin)
			wantCode(t, err, apperr.Forbidden)
		})
		t.Run("ErrAdminCannotRemoveOwner", func(t *testing.T) {
			wantCode(t, c.Workspaces.RemoveMember(ctx, c.admin, "acme", c.ana.ID), apperr.Forbidden)
		})
		t.Run("ErrMemberCannotChangeRoles", func(t *testing.T) {
			_, err := c.Workspaces.ChangeRole(ctx, c.member, "acme", c.dee.ID, perm.Member)
			wantCode(t, err, apperr.Forbidden)
			_, err = c.Workspaces.ChangeRole(ctx, c.member, "acme", c.cid.ID, perm.Admin)
			wantCode(t, err, apperr.Forbidden)
		})
		t.Run("ErrViewerCannotRemoveOthers", func(t *testing.T) {
			wantCode(t, c.Workspaces.RemoveMember(ctx, c.vwr, "acme", c.cid.ID), apperr.Forbidden)
		})
		t.Run("ErrInvalidRole", func(t *testing.T) {
			_, err := c.Workspaces.ChangeRole(ctx, c.owner, "acme", c.cid.ID, "superuser")
			wantFields(t, err, "role")
		})
		t.Run("ErrTargetNotAMember", func(t *testing.T) {
			_, err := c.Workspaces.ChangeRole(ctx, c.owner, "acme", c.eve.ID, perm.Member)
			wantCode(t, err, apperr.NotFound)
		})
		t.Run("ErrLastOwnerCannotStepDown", func(t *testing.T) {
			_, err := c.Workspaces.ChangeRole(ctx, c.owner, "acme", c.ana.ID, perm.Admin)
			wantCode(t, err, apperr.Conflict)
		})
		t.Run("ErrLastOwnerCannotLeave", func(t *testing.T) {
			wantCode(t, c.Workspaces.RemoveMember(ctx, c.owner, "acme", c.ana.ID), apperr.Conflict)
		})
		t.Run("RefusedChangesChangeNothing", func(t *testing.T) {
			want := map[string]perm.Role{"ana": perm.Owner, "bob": perm.Admin, "cid": perm.Member, "dee": perm.Viewer}
			for name, u := range map[string]account.User{"ana": c.ana, "bob": c.bob, "cid": c.cid, "dee": c.dee} {
				if got := c.role(t, u); got != want[name] {
					t.Errorf("%s is %q, want %q", name, got, want[name])
				}
			}
			for _, a := range c.auditActions(t) {
				if a == "member.role_change" || a == "member.remove" {
					t.Errorf("refused change audited as %s", a)
				}
			}
		})

		t.Run("AdminChangesMemberRole", func(t *testing.T) {
			m, err := c.Workspaces.ChangeRole(ctx, c.admin, "acme", c.dee.ID, perm.Member)
			if err != nil || m.Role != perm.Member {
				t.Fatalf("ChangeRole = %+v, %v", m, err)
			}
			if c.role(t, c.dee) != perm.Member {
				t.Error("role not stored")
			}
			c.wantLastAudit(t, "member.role_change", c.dee.ID, "member")
		})

		t.Run("OwnerHandsOverOwnership", func(t *testing.T) {
			if _, err := c.Workspaces.ChangeRole(ctx, c.owner, "acme", c.bob.ID, perm.Owner); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Workspaces.ChangeRole(ctx, c.owner, "acme", c.ana.ID, perm.Admin); err != nil {
				t.Fatalf("owner stepping down with another owner present: %v", err)
			}
			if c.role(t, c.ana) != perm.Admin || c.role(t, c.bob) != perm.Owner {
				t.Errorf("roles ana=%s bob=%s", c.role(t, c.ana), c.role(t, c.bob))
			}
			// Bob is now the last owner.
			_, err := c.Workspaces.ChangeRole(ctx, testkit.Actor(c.bob), "acme", c.bob.ID, perm.Member)
			wantCode(t, err, apperr.Conflict)
		})

		t.Run("MemberLeaves", func(t *testing.T) {
			if err := c.Workspaces.RemoveMember(ctx, c.member, "acme", c.cid.ID); err != nil {
				t.Fatal(err)
			}
			if c.role(t, c.cid) != "" {
				t.Error("Cid is still a member after leaving")
			}
			c.wantLastAudit(t, "member.remove", c.cid.ID, "")
		})

		t.Run("AdminRemovesMember", func(t *testing.T) {
			// Ana is an admin now; Dee a member.
			if err := c.Workspaces.RemoveMember(ctx, c.owner, "acme", c.dee.ID); err != nil {
				t.Fatal(err)
			}
			if c.role(t, c.dee) != "" {
				t.Error("Dee is still a member")
			}
			wantCode(t, c.Workspaces.RemoveMember(ctx, c.owner, "acme", c.dee.ID), apperr.NotFound)
		})
	})
}

func TestInvitations(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		c := newCrew(t, d)
		fay := testkit.MustUser(t, c.App, "Fay Nunes")
		invite := func(t *testing.T, by audit.Actor, email string, role perm.Role) workspace.Invitation {
			t.Helper()
			inv, err := c.Workspaces.Invite(ctx, by, "acme", email, role)
			if err != nil {
				t.Fatal(err)
			}
			return inv
		}

		t.Run("ErrMemberAndViewerCannotInvite", func(t *testing.T) {
			for _, a := range []audit.Actor{c.member, c.vwr} {
				_, err := c.Workspaces.Invite(ctx, a, "acme", fay.Email, perm.Viewer)
				wantCode(t, err, apperr.Forbidden)
				_, err = c.Workspaces.Invitations(ctx, a.UserID, "acme")
				wantCode(t, err, apperr.Forbidden)
			}
		})
		t.Run("ErrAdminCannotInviteOwner", func(t *testing.T) {
			_, err := c.Workspaces.Invite(ctx, c.admin, "acme", fay.Email, perm.Owner)
			wantCode(t, err, apperr.Forbidden)
		})
		t.Run("ErrInvalidInput", func(t *testing.T) {
			_, err := c.Workspaces.Invite(ctx, c.owner, "acme", "a@b", "boss")
			wantFields(t, err, "email", "role")
		})
		t.Run("ErrAlreadyMember", func(t *testing.T) {
			_, err := c.Workspaces.Invite(ctx, c.owner, "acme", strings.ToUpper(c.cid.Email), perm.Member)
			if ae := wantCode(t, err, apperr.Conflict); ae.Fields["email"] == "" {
				t.Errorf("fields = %v, want email", ae.Fields)
			}
		})

		t.Run("ErrAcceptWithAnotherEmail", func(t *testing.T) {
			inv := invite(t, c.admin, fay.Email, perm.Member)
			_, err := c.Workspaces.Accept(ctx, testkit.Actor(c.eve), c.eve.Email, inv.Token)
			wantCode(t, err, apperr.Forbidden)
			if c.role(t, c.eve) != "" {
				t.Error("Eve joined with Fay's invitation")
			}
		})

		t.Run("ErrExpired", func(t *testing.T) {
			inv := invite(t, c.admin, fay.Email, perm.Member)
			info, err := c.Workspaces.InvitationInfo(ctx, inv.Token)
			if err != nil || info.WorkspaceSlug != "acme" || info.Email != fay.Email || info.Role != perm.Member {
				t.Errorf("InvitationInfo = %+v, %v", info, err)
			}
			c.clock.Advance(8 * 24 * time.Hour)
			_, err = c.Workspaces.Accept(ctx, testkit.Actor(fay), fay.Email, inv.Token)
			wantCode(t, err, apperr.NotFound)
			_, err = c.Workspaces.InvitationInfo(ctx, inv.Token)
			wantCode(t, err, apperr.NotFound)
			pending, err := c.Workspaces.Invitations(ctx, c.bob.ID, "acme")
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range pending {
				if p.ID == inv.ID {
					t.Error("expired invitation still listed as pending")
				}
			}
		})

		t.Run("ErrRevoked", func(t *testing.T) {
			inv := invite(t, c.admin, fay.Email, perm.Member)
			wantCode(t, c.Workspaces.RevokeInvitation(ctx, c.member, "acme", inv.ID), apperr.Forbidden)
			if err := c.Workspaces.RevokeInvitation(ctx, c.admin, "acme", inv.ID); err != nil {
				t.Fatal(err)
			}
			c.wantLastAudit(t, "invitation.revoke", inv.ID, "")
			_, err := c.Workspaces.Accept(ctx, testkit.Actor(fay), fay.Email, inv.Token)
			wantCode(t, err, apperr.NotFound)
			wantCode(t, c.Workspaces.RevokeInvitation(ctx, c.admin, "acme", inv.ID), apperr.NotFound)
		})

		t.Run("ErrUnknownToken", func(t *testing.T) {
			_, err := c.Workspaces.Accept(ctx, testkit.Actor(fay), fay.Email, "inv_nope")
			wantCode(t, err, apperr.NotFound)
		})

		if c.role(t, fay) != "" {
			t.Fatal("Fay joined through a refused invitation")
		}

		t.Run("AcceptOnceWithMatchingEmail", func(t *testing.T) {
			inv := invite(t, c.admin, strings.ToUpper(fay.Email), perm.Viewer)
			pending, err := c.Workspaces.Invitations(ctx, c.bob.ID, "acme")
			if err != nil || !slices.ContainsFunc(pending, func(p workspace.Invitation) bool { return p.ID == inv.ID && p.Token == "" }) {
				t.Errorf("pending invitations = %+v, %v; want the new one without its token", pending, err)
			}
			w, err := c.Workspaces.Accept(ctx, testkit.Actor(fay), fay.Email, inv.Token)
			if err != nil {
				t.Fatal(err)
			}
			if w.Slug != "acme" || w.Role != perm.Viewer || c.role(t, fay) != perm.Viewer {
				t.Errorf("accepted into %+v, role %q", w, c.role(t, fay))
			}
			c.wantLastAudit(t, "invitation.accept", inv.ID, "viewer")
			_, err = c.Workspaces.Accept(ctx, testkit.Actor(fay), fay.Email, inv.Token)
			wantCode(t, err, apperr.NotFound)
			wantCode(t, c.Workspaces.RevokeInvitation(ctx, c.admin, "acme", inv.ID), apperr.NotFound)
		})

		t.Run("ErrSecondInvitationAfterJoiningLeavesItPending", func(t *testing.T) {
			gil := testkit.MustUser(t, c.App, "Gil Rocha")
			first := invite(t, c.admin, gil.Email, perm.Member)
			second := invite(t, c.admin, gil.Email, perm.Admin)
			if _, err := c.Workspaces.Accept(ctx, testkit.Actor(gil), gil.Email, first.Token); err != nil {
				t.Fatal(err)
			}
			before := len(c.auditActions(t))
			_, err := c.Workspaces.Accept(ctx, testkit.Actor(gil), gil.Email, second.Token)
			wantCode(t, err, apperr.Conflict)
			if c.role(t, gil) != perm.Member {
				t.Errorf("role = %q after a refused second accept, want member", c.role(t, gil))
			}
			if after := len(c.auditActions(t)); after != before {
				t.Errorf("refused accept wrote %d audit events", after-before)
			}
			// Rolled back: the second invitation is still unused.
			if _, err := c.Workspaces.InvitationInfo(ctx, second.Token); err != nil {
				t.Errorf("second invitation was consumed by a failed accept: %v", err)
			}
		})

		wantCreates := 0
		for _, a := range c.auditActions(t) {
			if a == "invitation.create" {
				wantCreates++
			}
		}
		if wantCreates != 3+6 { // 3 from newCrew, 6 here
			t.Errorf("%d invitation.create events, want 9", wantCreates)
		}
	})
}

func TestMembersHidesEmails(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		c := newCrew(t, d)
		for _, tc := range []struct {
			who        account.User
			seesOthers bool
		}{{c.ana, true}, {c.bob, true}, {c.cid, false}, {c.dee, false}} {
			t.Run(tc.who.Name, func(t *testing.T) {
				ms, a, err := c.Workspaces.Members(ctx, tc.who.ID, "acme")
				if err != nil {
					t.Fatal(err)
				}
				if len(ms) != 4 || a.UserID != tc.who.ID {
					t.Fatalf("%d members, access %+v", len(ms), a)
				}
				for _, m := range ms {
					switch {
					case m.UserID == tc.who.ID && m.Email != tc.who.Email:
						t.Errorf("own e-mail hidden: %q", m.Email)
					case m.UserID != tc.who.ID && tc.seesOthers && m.Email == "":
						t.Errorf("%s's e-mail hidden from an admin", m.Name)
					case m.UserID != tc.who.ID && !tc.seesOthers && m.Email != "":
						t.Errorf("%s's e-mail %q shown to a %s", m.Name, m.Email, a.Role)
					}
					if m.Name == "" || m.Role == "" {
						t.Errorf("member without name or role: %+v", m)
					}
				}
			})
		}
	})
}

func TestTeams(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		c := newCrew(t, d)
		members := func(t *testing.T, slug string) []string {
			t.Helper()
			ts, err := c.Workspaces.Teams(ctx, c.dee.ID, "acme") // viewers may look
			if err != nil {
				t.Fatal(err)
			}
			for _, tm := range ts {
				if tm.Slug == slug {
					ids := []string{}
					for _, m := range tm.Members {
						ids = append(ids, m.UserID)
					}
					sort.Strings(ids)
					return ids
				}
			}
			return nil
		}

		t.Run("ErrMemberCannotCreate", func(t *testing.T) {
			_, err := c.Workspaces.CreateTeam(ctx, c.member, "acme", workspace.TeamInput{Slug: "core", Name: "Core"})
			wantCode(t, err, apperr.Forbidden)
		})
		t.Run("ErrInvalidInput", func(t *testing.T) {
			_, err := c.Workspaces.CreateTeam(ctx, c.admin, "acme", workspace.TeamInput{Slug: "Core Team", Name: ""})
			wantFields(t, err, "slug", "name")
		})
		t.Run("AdminCreates", func(t *testing.T) {
			tm, err := c.Workspaces.CreateTeam(ctx, c.admin, "acme", workspace.TeamInput{Slug: "core", Name: "Core"})
			if err != nil {
				t.Fatal(err)
			}
			if got := members(t, "core"); got == nil || len(got) != 0 {
				t.Errorf("new team members = %v, want an empty team", got)
			}
			c.wantLastAudit(t, "team.create", tm.ID, "core")
		})
		t.Run("ErrDuplicateSlug", func(t *testing.T) {
			_, err := c.Workspaces.CreateTeam(ctx, c.owner, "acme", workspace.TeamInput{Slug: "core", Name: "Core 2"})
			if ae := wantCode(t, err, apperr.Conflict); ae.Fields["slug"] == "" {
				t.Errorf("fields = %v, want slug", ae.Fields)
			}
		})
		t.Run("SameSlugInAnotherWorkspace", func(t *testing.T) {
			testkit.MustWorkspace(t, c.App, c.eve, "other")
			if _, err := c.Workspaces.CreateTeam(ctx, testkit.Actor(c.eve), "other", workspace.TeamInput{Slug: "core", Name: "Core"}); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("AddMembers", func(t *testing.T) {
			for _, u := range []account.User{c.cid, c.dee, c.cid} { // adding twice is harmless
				if err := c.Workspaces.SetTeamMember(ctx, c.admin, "acme", "core", u.ID, true); err != nil {
					t.Fatal(err)
				}
			}
			want := []string{c.cid.ID, c.dee.ID}
			sort.Strings(want)
			if got := members(t, "core"); !slices.Equal(got, want) {
				t.Errorf("members = %v, want %v", got, want)
			}
			// The event is about the person; adding Cid again changed nothing
			// and recorded nothing.
			c.wantLastAudit(t, "team.member_add", c.dee.ID, "core")
		})
		t.Run("ErrAddNonMember", func(t *testing.T) {
			wantCode(t, c.Workspaces.SetTeamMember(ctx, c.admin, "acme", "core", c.eve.ID, true), apperr.NotFound)
		})
		t.Run("ErrUnknownTeam", func(t *testing.T) {
			wantCode(t, c.Workspaces.SetTeamMember(ctx, c.admin, "acme", "nope", c.cid.ID, true), apperr.NotFound)
			wantCode(t, c.Workspaces.DeleteTeam(ctx, c.admin, "acme", "nope"), apperr.NotFound)
		})
		t.Run("ErrMemberCannotChangeTeams", func(t *testing.T) {
			wantCode(t, c.Workspaces.SetTeamMember(ctx, c.member, "acme", "core", c.cid.ID, false), apperr.Forbidden)
			wantCode(t, c.Workspaces.DeleteTeam(ctx, c.member, "acme", "core"), apperr.Forbidden)
		})
		t.Run("RemoveMember", func(t *testing.T) {
			if err := c.Workspaces.SetTeamMember(ctx, c.admin, "acme", "core", c.dee.ID, false); err != nil {
				t.Fatal(err)
			}
			if got := members(t, "core"); !slices.Equal(got, []string{c.cid.ID}) {
				t.Errorf("members = %v, want only Cid", got)
			}
			c.wantLastAudit(t, "team.member_remove", c.dee.ID, "core")
		})
		t.Run("LeavingWorkspaceLeavesTeams", func(t *testing.T) {
			if _, err := c.Workspaces.CreateTeam(ctx, c.admin, "acme", workspace.TeamInput{Slug: "ops", Name: "Ops"}); err != nil {
				t.Fatal(err)
			}
			if err := c.Workspaces.SetTeamMember(ctx, c.admin, "acme", "ops", c.cid.ID, true); err != nil {
				t.Fatal(err)
			}
			if err := c.Workspaces.RemoveMember(ctx, c.admin, "acme", c.cid.ID); err != nil {
				t.Fatal(err)
			}
			if got := members(t, "core"); len(got) != 0 {
				t.Errorf("core members after Cid left = %v", got)
			}
			if got := members(t, "ops"); len(got) != 0 {
				t.Errorf("ops members after Cid left = %v", got)
			}
			var n int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM team_members WHERE user_id = ?`, c.cid.ID).Scan(&n); err != nil || n != 0 {
				t.Errorf("team_members rows for Cid = %d (%v)", n, err)
			}
		})
		t.Run("Delete", func(t *testing.T) {
			if err := c.Workspaces.DeleteTeam(ctx, c.admin, "acme", "core"); err != nil {
				t.Fatal(err)
			}
			if members(t, "core") != nil {
				t.Error("deleted team still listed")
			}
			c.wantLastAudit(t, "team.delete", "", "core")
			if c.role(t, c.dee) != perm.Viewer {
				t.Error("deleting a team changed a membership")
			}
		})
	})
}

func TestAuditAccess(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		c := newCrew(t, d)
		for _, tc := range []struct {
			who         account.User
			seesDetails bool
		}{{c.ana, true}, {c.bob, true}, {c.cid, false}, {c.dee, false}} {
			t.Run("List"+strings.Fields(tc.who.Name)[0], func(t *testing.T) {
				p, err := c.Workspaces.Audit(ctx, tc.who.ID, "acme", audit.Filter{Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Items) != 7 { // create + 3 × (invite, accept)
					t.Errorf("%d events, want 7", len(p.Items))
				}
				for _, e := range p.Items {
					if tc.seesDetails && (e.IP != "192.0.2.1" || e.UserAgent != "testkit") {
						t.Errorf("admin sees ip=%q ua=%q", e.IP, e.UserAgent)
					}
					if !tc.seesDetails && (e.IP != "" || e.UserAgent != "") {
						t.Errorf("non-admin sees ip=%q ua=%q", e.IP, e.UserAgent)
					}
				}
			})
		}
		t.Run("ErrVerifyForMemberAndViewer", func(t *testing.T) {
			for _, u := range []account.User{c.cid, c.dee} {
				_, err := c.Workspaces.VerifyAudit(ctx, u.ID, "acme")
				wantCode(t, err, apperr.Forbidden)
			}
		})
		t.Run("AdminVerifiesAndSeesTampering", func(t *testing.T) {
			v, err := c.Workspaces.VerifyAudit(ctx, c.bob.ID, "acme")
			if err != nil || !v.OK || v.Checked != 7 {
				t.Fatalf("VerifyAudit = %+v, %v", v, err)
			}
			if _, err := d.Exec(ctx, `UPDATE audit_events SET target_label = 'x' WHERE workspace_id = ? AND seq = 2`, c.ws.ID); err != nil {
				t.Fatal(err)
			}
			if v, err := c.Workspaces.VerifyAudit(ctx, c.bob.ID, "acme"); err != nil || v.OK {
				t.Errorf("VerifyAudit after tampering = %+v, %v", v, err)
			}
		})
	})
}

var wantCode = testkit.WantCode

var wantFields = testkit.WantFields
