package web

import (
	"strings"
	"time"

	"shipshape/internal/audit"
	"shipshape/internal/doc"
	"shipshape/internal/release"
)

// activity is one audit event told as a sentence: "<Actor> <Verb>
// <Object><Tail>", e.g. "Ana Lima created project PAY".
type activity struct {
	ActorID   string
	ActorName string
	Verb      string
	Object    string
	ObjectURL string
	Tail      string
	At        time.Time
	WSName    string
	WSSlug    string
}

// Text is the plain sentence without the time, for tests and titles.
func (a activity) Text() string {
	s := a.ActorName + " " + a.Verb
	if a.Object != "" {
		s += " " + a.Object
	}
	return s + a.Tail
}

// actionGroups are the filters of the activity page, by action prefix.
var actionGroups = []struct{ Prefix, Label string }{
	{"project.", "Projects"},
	{"component.", "Components"},
	{"member.", "Members"},
	{"invitation.", "Invitations"},
	{"team.", "Teams"},
	{"workspace.", "Workspace"},
	{"release.", "Releases"},
	{"document.", "Documents"},
	{"ownership.", "Ownership"},
	{"support.", "Support access"},
}

// docTypePhrases name a document of each type in a sentence.
var docTypePhrases = map[doc.Type]string{
	doc.Design: "a design doc", doc.PRD: "a PRD", doc.RFC: "an RFC", doc.ThreatModel: "a threat model",
	doc.SecurityRequirements: "a security requirements document", doc.Runbook: "a runbook", doc.Other: "a document",
}

// describe turns an event into a sentence. names resolves user ids to
// display names for events about a person (role changes, removals); it may
// be nil. Every action string the services record has a case here; an
// unknown one still reads sensibly.
func describe(e audit.Event, wsSlug string, names map[string]string) activity {
	a := activity{ActorID: e.ActorID, ActorName: e.ActorName, At: e.At}
	if a.ActorName == "" {
		if e.ActorID == "" {
			a.ActorName = "Shipshape"
		} else {
			a.ActorName = "A former user"
		}
	}
	label := e.TargetLabel
	person := func() string {
		if n := names[e.TargetID]; n != "" {
			return n
		}
		return "a former member"
	}
	projectURL := func(key string) string {
		if wsSlug == "" || key == "" {
			return ""
		}
		return "/w/" + wsSlug + "/p/" + key
	}
	switch e.Action {
	// Workspaces and people in them.
	case "workspace.create":
		a.Verb, a.Object = "created the workspace", label
	case "workspace.update":
		a.Verb = "renamed the workspace"
	case "member.role_change":
		a.Verb, a.Object, a.Tail = "changed the role of", person(), " to "+label
		if e.TargetID == e.ActorID {
			a.Verb, a.Object, a.Tail = "changed their own role to", label, ""
		}
	case "member.rename":
		a.Verb, a.Object = "corrected the name of", person()
	case "member.remove":
		a.Verb, a.Object, a.Tail = "removed", person(), " from the workspace"
		if e.TargetID == e.ActorID {
			a.Verb, a.Object, a.Tail = "left the workspace", "", ""
		}
	case "invitation.create":
		a.Verb, a.Object, a.Tail = "invited someone to join as", label, ""
	case "invitation.revoke":
		a.Verb = "withdrew an invitation"
	case "invitation.accept":
		a.Verb, a.Object = "joined the workspace as", label
	case "team.create":
		a.Verb, a.Object = "created team", label
	case "team.delete":
		a.Verb, a.Object = "deleted team", label
	case "team.member_add":
		a.Verb, a.Object, a.Tail = "added", person(), " to team "+label
	case "team.member_remove":
		a.Verb, a.Object, a.Tail = "removed", person(), " from team "+label
	// Projects and components.
	case "project.create":
		a.Verb, a.Object, a.ObjectURL = "created project", label, projectURL(label)
	case "project.update":
		a.Verb, a.Object, a.ObjectURL = "edited project", label, projectURL(label)
	case "project.archive":
		a.Verb, a.Object, a.ObjectURL = "archived project", label, projectURL(label)
	case "project.unarchive":
		a.Verb, a.Object, a.ObjectURL = "restored project", label, projectURL(label)
	case "project.delete":
		a.Verb, a.Object = "deleted project", label
	case "component.create", "component.update", "component.delete":
		verb := map[string]string{"component.create": "added component", "component.update": "edited component", "component.delete": "deleted component"}[e.Action]
		key, comp, ok := strings.Cut(label, "/")
		if !ok {
			a.Verb, a.Object = verb, label
			break
		}
		a.Verb, a.Object, a.Tail = verb, comp, " in "+key
		if e.Action != "component.delete" {
			a.ObjectURL = projectURL(key) + "/c/" + comp
		}
	// Releases: the label is "PAY 1.2.0", with "/file.name" for files,
	// " → status" for moves and " sha256:…" for evidence.
	case "release.create", "release.update", "release.delete", "release.transition", "release.evidence", "release.file_upload", "release.file_delete":
		rel, extra := label, ""
		switch e.Action {
		case "release.transition":
			rel, extra, _ = strings.Cut(label, " → ")
		case "release.evidence":
			rel, _, _ = strings.Cut(label, " sha256:")
		case "release.file_upload", "release.file_delete":
			rel, extra, _ = strings.Cut(label, "/")
		}
		if e.Action != "release.delete" {
			if key, version, ok := strings.Cut(rel, " "); ok && projectURL(key) != "" {
				a.ObjectURL = releasePath(wsSlug, key, version)
			}
		}
		a.Object = rel
		switch e.Action {
		case "release.create":
			a.Verb = "planned release"
		case "release.update":
			a.Verb = "edited release"
		case "release.delete":
			a.Verb = "deleted release"
		case "release.transition":
			a.Verb, a.Tail = "moved release", " to "+statusLabel(release.Status(extra))
		case "release.evidence":
			a.Verb = "froze the evidence of release"
		case "release.file_upload":
			a.Verb, a.Object, a.Tail = "uploaded", extra, " to release "+rel
		case "release.file_delete":
			a.Verb, a.Object, a.Tail, a.ObjectURL = "deleted", extra, " from release "+rel, ""
		}
	// Documents: the trail keeps only the type (and hashes), never a title.
	case "document.create", "document.update", "document.delete", "document.file.upload", "document.file.delete":
		typ, _, _ := strings.Cut(label, " ")
		what := docTypePhrases[doc.Type(typ)]
		if what == "" {
			what = "a document"
		}
		if e.Action != "document.delete" && wsSlug != "" {
			a.ObjectURL = docPath(wsSlug, e.TargetID)
		}
		a.Verb, a.Object = map[string]string{"document.create": "created", "document.update": "edited", "document.delete": "deleted",
			"document.file.upload": "attached a file to", "document.file.delete": "removed a file from"}[e.Action], what
	// Ownership: "<role> owner of <target>: <kind> <id>".
	case "ownership.assign", "ownership.unassign":
		role, rest, _ := strings.Cut(label, " owner of ")
		target, who, _ := strings.Cut(rest, ": ")
		kind, id, _ := strings.Cut(who, " ")
		owner := "a team"
		if kind == "user" {
			owner = "a former member"
			if n := names[id]; n != "" {
				owner = n
			}
		}
		if e.Action == "ownership.assign" {
			a.Verb, a.Object, a.Tail = "made", owner, " "+role+" owner of "+target
		} else {
			a.Verb, a.Object, a.Tail = "removed", owner, " as "+role+" owner of "+target
		}
	case "ownership.policy":
		a.Verb = "changed the ownership policy"
		if strings.HasSuffix(label, "=true") {
			a.Tail = ": every target needs one accountable owner"
		}
	// Support access: the label of an access is "METHOD /path" (never a
	// query); of a grant "read until 2026-01-12T09:00:00Z".
	case "support.access":
		method, path, _ := strings.Cut(label, " ")
		a.ActorName, a.Verb, a.Object, a.Tail = "Site admin "+a.ActorName, "viewed", path, " under support access"
		if method != "GET" && method != "HEAD" {
			a.Verb, a.Object = "sent", label
		}
	case "support.grant":
		scope, until, _ := strings.Cut(label, " until ")
		a.Verb, a.Tail = "granted support access ("+scope+")", ""
		if t, err := time.Parse(time.RFC3339, until); err == nil {
			a.Tail = " until " + t.UTC().Format("Jan 2, 2006 15:04 UTC")
		}
	case "support.revoke":
		a.Verb = "revoked support access"
	// Account and site events (site chain; shown if ever listed).
	case "user.create":
		a.Verb = "created an account"
	case "user.update":
		a.Verb = "updated their profile"
	case "user.password_change":
		a.Verb = "changed their password"
	case "user.password_reset":
		a.Verb = "had their password reset by an operator"
	case "session.create":
		a.Verb = "signed in"
	case "session.delete":
		a.Verb = "signed out"
	case "token.create": // older events carry the token's name
		a.Verb, a.Object = "created an API token", label
	case "token.revoke":
		a.Verb, a.Object = "revoked an API token", label
	case "site.signup_mode":
		a.Verb, a.Object = "set sign-up to", label
	default:
		a.Verb = "did " + strings.ReplaceAll(e.Action, "_", " ")
		if label != "" {
			a.Tail = " on " + e.TargetType + " " + label
		}
	}
	return a
}
