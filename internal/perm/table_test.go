package perm_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"shipshape/internal/perm"
)

// declaredActions parses the package source for every constant of type
// Action, so that a new action that was never added to Table fails here.
func declaredActions(t *testing.T) []perm.Action {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []perm.Action
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Action" {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok {
						t.Fatalf("Action constant with a non-literal value at %s", fset.Position(v.Pos()))
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, perm.Action(s))
				}
			}
		}
	}
	return out
}

func TestEveryActionIsInTableExactlyOnce(t *testing.T) {
	declared := declaredActions(t)
	if len(declared) < 10 {
		t.Fatalf("found only %d Action constants; the source scan is broken", len(declared))
	}
	inTable := map[perm.Action]int{}
	for _, r := range perm.Table {
		inTable[r.Action]++
	}
	for _, a := range declared {
		switch n := inTable[a]; n {
		case 1:
		case 0:
			t.Errorf("action %q is declared but missing from Table (so every role is denied)", a)
		default:
			t.Errorf("action %q appears %d times in Table", a, n)
		}
	}
	known := map[perm.Action]bool{}
	for _, a := range declared {
		if known[a] {
			t.Errorf("two constants share the value %q", a)
		}
		known[a] = true
	}
	for a := range inTable {
		if !known[a] {
			t.Errorf("Table has %q, which is not a declared Action constant", a)
		}
	}
}

func TestTableRulesAreWellFormed(t *testing.T) {
	for _, r := range perm.Table {
		if !r.MinRole.Valid() {
			t.Errorf("%s: minimum role %q is not a role", r.Action, r.MinRole)
		}
		if r.Description == "" {
			t.Errorf("%s: no description (the generated docs need one)", r.Action)
		}
		if !perm.Can(r.MinRole, r.Action) {
			t.Errorf("%s: the minimum role %s may not do it", r.Action, r.MinRole)
		}
	}
}

func TestCanIsMonotonicInRoleRank(t *testing.T) {
	if len(perm.Roles) != 4 || perm.Roles[0] != perm.Owner || perm.Roles[3] != perm.Viewer {
		t.Fatalf("Roles = %v, want owner, admin, member, viewer", perm.Roles)
	}
	for _, r := range perm.Table {
		for i := range perm.Roles {
			for j := i + 1; j < len(perm.Roles); j++ {
				stronger, weaker := perm.Roles[i], perm.Roles[j]
				if perm.Can(weaker, r.Action) && !perm.Can(stronger, r.Action) {
					t.Errorf("%s: %s may but %s may not", r.Action, weaker, stronger)
				}
				if !stronger.AtLeast(weaker) || weaker.AtLeast(stronger) {
					t.Errorf("AtLeast disagrees with the order of Roles for %s/%s", stronger, weaker)
				}
			}
		}
	}
}

func TestUnknownRolesAndActionsAreDenied(t *testing.T) {
	for _, r := range perm.Table {
		for _, role := range []perm.Role{"", "guest", "OWNER"} {
			if role.Valid() {
				t.Errorf("%q is a valid role", role)
			}
			if perm.Can(role, r.Action) {
				t.Errorf("unknown role %q may %s", role, r.Action)
			}
		}
	}
	for _, role := range perm.Roles {
		if perm.Can(role, "project.launch_missiles") || perm.Can(role, "") {
			t.Errorf("%s may do an unknown action", role)
		}
	}
}

// TestTableMatchesTheAgreedPolicy pins the decisions other tests and the
// docs rely on.
func TestTableMatchesTheAgreedPolicy(t *testing.T) {
	min := map[perm.Action]perm.Role{
		perm.ViewWorkspace:    perm.Viewer,
		perm.ViewAudit:        perm.Viewer,
		perm.CreateProject:    perm.Member,
		perm.EditProject:      perm.Member,
		perm.ArchiveProject:   perm.Admin,
		perm.DeleteProject:    perm.Admin,
		perm.CreateRelease:    perm.Member,
		perm.EditRelease:      perm.Member,
		perm.ManageFiles:      perm.Member,
		perm.MoveRelease:      perm.Member,
		perm.DeleteRelease:    perm.Admin,
		perm.AssignOwners:     perm.Member,
		perm.ManageOwnership:  perm.Admin,
		perm.CreateDocument:   perm.Member,
		perm.EditDocument:     perm.Member,
		perm.DeleteDocument:   perm.Admin,
		perm.ViewMemberEmails: perm.Admin,
		perm.ManageMembers:    perm.Admin,
		perm.ManageTeams:      perm.Admin,
		perm.ViewAuditDetails: perm.Admin,
		perm.VerifyAudit:      perm.Admin,
		perm.GrantSupport:     perm.Admin,
		perm.UpdateWorkspace:  perm.Owner,
	}
	for a, want := range min {
		for _, role := range perm.Roles {
			if got := perm.Can(role, a); got != role.AtLeast(want) {
				t.Errorf("Can(%s, %s) = %v, want minimum role %s", role, a, got, want)
			}
		}
	}
}
