package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/apperr"
	"shipshape/internal/export"
	"shipshape/internal/httpx"
	"shipshape/internal/perm"
	"shipshape/internal/workspace"
)

//go:embed templates
var templateFS embed.FS

type pageTemplate = *template.Template

// parseTemplates parses the layout and partials once, then each page on a
// clone of them, so every page defines its own "content".
func (s *server) parseTemplates() (map[string]pageTemplate, error) {
	base, err := template.New("base").Funcs(s.funcs()).ParseFS(templateFS, "templates/layout/*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]pageTemplate{}
	for _, f := range files {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(templateFS, f); err != nil {
			return nil, err
		}
		pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return pages, nil
}

// wsView is the workspace a page belongs to, with the caller's role.
type wsView struct {
	Slug string
	Name string
	Role perm.Role
}

// Can reports whether the caller's role allows action (e.g. "project.edit").
func (w *wsView) Can(action string) bool { return w != nil && perm.Can(w.Role, perm.Action(action)) }

func wsFromAccess(a workspace.Access) *wsView {
	return &wsView{Slug: a.Slug, Name: a.Name, Role: a.Role}
}

// view is what every template receives.
type view struct {
	Title      string
	Bare       bool // centred card without app chrome (sign-in, setup)
	User       *account.User
	Workspaces []workspace.Workspace
	WS         *wsView
	Nav        string // active navigation item
	Notice     string
	Error      string // a problem with the whole page or action
	Forms      map[string]form
	RequestID  string
	Now        time.Time
	Status     int
	Data       any
	// PolicyPending is a material privacy-policy version the signed-in
	// person has to acknowledge (0: none); Path is where they are, to come
	// back to after acknowledging.
	PolicyPending int
	Path          string
	// Refresh, when set, loads RefreshURL after that many seconds (a
	// background job the page reports on is still running). The URL is
	// explicit: Chrome does not reload a page whose address has a fragment.
	Refresh    int
	RefreshURL string
	// ArchiveReady is the signed-in person's data archive that is ready and
	// not yet downloaded: every page says so ("notified when ready").
	ArchiveReady *export.Export
}

// F returns the state of the named form: posted values and problems after a
// failed submit, defaults before.
func (v *view) F(name string) form {
	if f, ok := v.Forms[name]; ok {
		f.Name = name
		return f
	}
	return form{Name: name}
}

// seed sets a form's starting values unless a failed submit already did.
func (v *view) seed(name string, values url.Values) {
	if v.Forms == nil {
		v.Forms = map[string]form{}
	}
	if _, ok := v.Forms[name]; !ok {
		v.Forms[name] = form{Name: name, Values: values}
	}
}

// form is the state of one HTML form.
type form struct {
	Name   string
	Values url.Values
	Fields map[string]string
	Error  string
	Status int
}

// Get is the submitted (or default) value of a field.
func (f form) Get(field string) string { return f.Values.Get(field) }

// Has reports whether a checkbox or multi-value field holds value.
func (f form) Has(field, value string) bool {
	for _, v := range f.Values[field] {
		if v == value {
			return true
		}
	}
	return false
}

// Err is the problem with a field, if any.
func (f form) Err(field string) string { return f.Fields[field] }

// Failed reports whether the form was submitted and refused.
func (f form) Failed() bool { return f.Error != "" || len(f.Fields) > 0 }

// ID is a page-unique element id for a field of this form.
func (f form) ID(field string) string { return f.Name + "-" + field }

// formError turns a service error into the state of the named form, when
// the error is about the input (validation or conflict) rather than about
// access. The password is never sent back.
func formError(err error, name string, values url.Values) (form, bool) {
	ae := httpx.AsAppError(err)
	if ae.Code != apperr.Invalid && ae.Code != apperr.Conflict && len(ae.Fields) == 0 {
		return form{}, false
	}
	kept := url.Values{}
	for k, v := range values {
		if !strings.Contains(k, "password") {
			kept[k] = v
		}
	}
	f := form{Name: name, Values: kept, Fields: ae.Fields, Status: apperr.Status(ae.Code)}
	if len(ae.Fields) == 0 {
		f.Error = ae.Message
	} else {
		f.Error = "Please correct the highlighted fields."
	}
	return f, true
}

// withForm returns a view holding the failed form's state.
func withForm(f form) *view {
	return &view{Forms: map[string]form{f.Name: f}, Status: f.Status}
}

// render executes a page into a buffer first so that a template error
// becomes a clean 500 instead of half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, c *call, name string, v *view) {
	t, ok := s.pages[name]
	if !ok {
		s.fail(w, r, c, errTemplate(name))
		return
	}
	s.fillView(r, c, v)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.Log.Error("render", "page", name, "request_id", v.RequestID, "err", err)
		if name != "error" {
			s.errorPage(w, r, http.StatusInternalServerError, "")
			return
		}
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if s.recordSupport(r, c) != nil && name != "error" { // never show a page under support access unrecorded
		s.errorPage(w, r, http.StatusInternalServerError, "")
		return
	}
	status := v.Status
	if status == 0 {
		status = http.StatusOK
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

type errTemplate string

func (e errTemplate) Error() string { return "no template " + string(e) }

func (s *server) fillView(r *http.Request, c *call, v *view) {
	v.RequestID = httpx.RequestID(r.Context())
	v.Now = s.Now()
	if v.Notice == "" {
		v.Notice = notices[r.URL.Query().Get("notice")]
	}
	if c != nil && v.User == nil {
		v.User = c.user()
	}
	if v.User != nil && !v.Bare && v.Nav != "privacy-policy" {
		st, err := s.Policies.Status(r.Context(), v.User.ID, v.User.CreatedAt)
		if err != nil {
			s.Log.Warn("privacy policy status", "err", err)
		}
		v.PolicyPending, v.Path = st.Pending, r.URL.RequestURI()
	}
	if v.User != nil && !v.Bare && v.Nav != "privacy" && s.Exports != nil {
		ready, err := s.Exports.ReadyNotice(r.Context(), v.User.ID)
		if err != nil {
			s.Log.Warn("export notice", "err", err)
		}
		v.ArchiveReady = ready
	}
	if v.User != nil && v.Workspaces == nil && !v.Bare {
		ws, err := s.Workspaces.List(r.Context(), v.User.ID)
		if err != nil {
			s.Log.Warn("list workspaces for menu", "err", err)
		}
		v.Workspaces = ws
	}
}

// notices are the fixed messages a redirect may ask for with ?notice=.
var notices = map[string]string{
	"welcome":                    "Welcome to Shipshape. Create a workspace to get started.",
	"signed-out":                 "You have signed out.",
	"workspace-created":          "Workspace created.",
	"workspace-renamed":          "Workspace renamed.",
	"support-granted":            "Support access granted. Every page the site admins open is listed below.",
	"support-revoked":            "Support access revoked.",
	"project-created":            "Project created.",
	"project-updated":            "Project saved.",
	"owner-updated":              "Owner saved.",
	"project-archived":           "Project archived. It is hidden from the project list but nothing was deleted.",
	"project-unarchived":         "Project restored.",
	"project-deleted":            "Project deleted.",
	"component-created":          "Component added.",
	"component-updated":          "Component saved.",
	"component-deleted":          "Component deleted.",
	"release-created":            "Release planned.",
	"release-updated":            "Release saved.",
	"release-deleted":            "Release deleted.",
	"release-in_progress":        "Work on the release has started.",
	"release-in_review":          "Release sent to review.",
	"release-released":           "Released. Nice work.",
	"release-cancelled":          "Release cancelled.",
	"release-rolled_back":        "Release rolled back.",
	"file-uploaded":              "File uploaded.",
	"file-deleted":               "File deleted.",
	"role-changed":               "Role changed.",
	"name-corrected":             "Name corrected.",
	"member-removed":             "Member removed.",
	"member-removed-transferred": "Member removed. Their ownerships were transferred.",
	"left-workspace":             "You left the workspace.",
	"invitation-revoked":         "Invitation withdrawn.",
	"invitation-accepted":        "You joined the workspace.",
	"team-created":               "Team created.",
	"team-deleted":               "Team deleted.",
	"team-member-added":          "Added to the team.",
	"team-member-removed":        "Removed from the team.",
	"profile-updated":            "Profile saved.",
	"consent-saved":              "Choice saved.",
	"restricted":                 "Processing restricted. Your data is kept, and used for nothing else until you lift it.",
	"restriction-lifted":         "Restriction lifted.",
	"deletion-scheduled":         "Your account is scheduled for deletion.",
	"deletion-cancelled":         "Deletion cancelled. Your account stays.",
	"policy-accepted":            "Thank you — your confirmation is recorded.",
	"policy-published":           "New version published.",
	"password-changed":           "Password changed. Your other sessions were signed out.",
	"token-revoked":              "Token revoked. It stops working immediately.",
	"signup-open":                "Sign-up is now open: anyone who can reach this server can create an account.",
	"signup-invite":              "Sign-up is now by invitation only.",
	"document-created":           "Document created.",
	"document-saved":             "Document saved.",
	"document-deleted":           "Document deleted, with every version and file.",
}
