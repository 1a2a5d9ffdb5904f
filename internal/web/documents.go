package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/diff"
	"shipshape/internal/doc"
	"shipshape/internal/httpx"
	"shipshape/internal/owner"
	"shipshape/internal/perm"
	"shipshape/internal/project"
)

// --- words and choices

// docTypeChoice is one document type as people see it.
type docTypeChoice struct {
	Type  doc.Type
	Label string
}

// docTypes lists the types in the order the forms and filters offer them.
var docTypes = []docTypeChoice{
	{doc.Design, "Design doc"},
	{doc.PRD, "PRD"},
	{doc.RFC, "RFC"},
	{doc.ThreatModel, "Threat model"},
	{doc.SecurityRequirements, "Security requirements"},
	{doc.Runbook, "Runbook"},
	{doc.Other, "Other"},
}

func docTypeLabel(t doc.Type) string {
	for _, c := range docTypes {
		if c.Type == t {
			return c.Label
		}
	}
	return string(t)
}

// visChoice is one visibility with the sentence that says who can read it.
type visChoice struct {
	Vis   doc.Visibility
	Label string
	Help  string
}

var docVisibilities = []visChoice{
	{doc.VisWorkspace, "Whole workspace", "Every member of this workspace can read it."},
	{doc.VisProject, "Project members", "People working on its project. Until projects have their own members, that is every member of the workspace."},
	{doc.VisOwners, "Owners only", "Only the person who created it, its document owners, and the workspace's admins and owners."},
}

// docVisibility finds the choice for v (its label and who may read).
func docVisibility(v doc.Visibility) visChoice {
	for _, c := range docVisibilities {
		if c.Vis == v {
			return c
		}
	}
	return visChoice{Vis: v, Label: string(v)}
}

// docsPath is the workspace's document list; docPath one document.
func docsPath(ws string) string    { return "/w/" + ws + "/docs" }
func docPath(ws, id string) string { return docsPath(ws) + "/" + url.PathEscape(id) }

// docLinks is what every document page shows about where a document
// belongs.
type docLinks struct {
	TypeLabel      string
	Vis            visChoice
	Href           string // the document's page
	ProjectKey     string // "" without a project
	ProjectHref    string
	ReleaseVersion string // "" without a release
	ReleaseHref    string
}

func linksFor(ws string, d doc.Summary) docLinks {
	l := docLinks{TypeLabel: docTypeLabel(d.Type), Vis: docVisibility(d.Visibility), Href: docPath(ws, d.ID)}
	if d.Project != nil {
		l.ProjectKey, l.ProjectHref = *d.Project, "/w/"+ws+"/p/"+*d.Project
		if d.Release != nil {
			l.ReleaseVersion, l.ReleaseHref = *d.Release, releasePath(ws, *d.Project, *d.Release)
		}
	}
	return l
}

// workspaceProjects lists every project of the workspace for the project
// select and filter (pages of 200, like the release board).
func (s *server) workspaceProjects(ctx context.Context, c *call, ws string) ([]project.Project, error) {
	var out []project.Project
	cursor := ""
	for {
		page, err := s.Projects.List(ctx, c.uid(), ws, project.ListFilter{Limit: 200, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" || page.NextCursor == cursor {
			return out, nil
		}
		cursor = page.NextCursor
	}
}

// --- the list

type docRow struct {
	doc.Summary
	docLinks
}

type documentsData struct {
	Rows      []docRow
	Types     []docTypeChoice
	Projects  []project.Project
	Type      doc.Type // the filter, "" for all
	Project   string   // the filter, "" for all
	Filtered  bool
	NextURL   string
	FirstURL  string
	CanCreate bool
	NewURL    string
}

const documentsPageSize = 50

func (s *server) documentsPage(w http.ResponseWriter, r *http.Request, c *call) {
	ctx := r.Context()
	q := r.URL.Query()
	ws, err := s.Workspaces.Get(ctx, c.uid(), r.PathValue("ws"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	projects, err := s.workspaceProjects(ctx, c, ws.Slug)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d := documentsData{Types: docTypes, Projects: projects}
	// Only the offered filters are passed on; anything else means "all",
	// as on the activity page.
	if t := doc.Type(q.Get("type")); t.Valid() {
		d.Type = t
	}
	for _, p := range projects {
		if p.Key == q.Get("project") {
			d.Project = p.Key
		}
	}
	d.Filtered = d.Type != "" || d.Project != ""
	cursor := q.Get("cursor")
	page, err := s.Docs.List(ctx, c.uid(), ws.Slug, doc.ListFilter{Type: d.Type, Project: d.Project, Limit: documentsPageSize, Cursor: cursor})
	if err != nil {
		s.fail(w, r, c, err) // a bad cursor is a 400 page
		return
	}
	for _, it := range page.Items {
		d.Rows = append(d.Rows, docRow{Summary: it, docLinks: linksFor(ws.Slug, it)})
	}
	filter := url.Values{}
	if d.Type != "" {
		filter.Set("type", string(d.Type))
	}
	if d.Project != "" {
		filter.Set("project", d.Project)
	}
	path := docsPath(ws.Slug)
	if page.NextCursor != "" {
		nq := url.Values{"cursor": {page.NextCursor}}
		for k, v := range filter {
			nq[k] = v
		}
		d.NextURL = path + "?" + nq.Encode()
	}
	if cursor != "" {
		d.FirstURL = path
		if len(filter) > 0 {
			d.FirstURL += "?" + filter.Encode()
		}
	}
	v := &view{Title: "Documents · " + ws.Name, Nav: "documents"}
	v.WS = &wsView{Slug: ws.Slug, Name: ws.Name, Role: ws.Role}
	d.CanCreate = v.WS.Can(string(perm.CreateDocument))
	d.NewURL = path + "/new"
	if d.Project != "" {
		d.NewURL += "?" + url.Values{"project": {d.Project}}.Encode()
	}
	v.Data = d
	s.render(w, r, c, "documents", v)
}

// --- create and edit: one form page for both

type docFormData struct {
	FormName    string
	Editing     bool
	Doc         doc.Document // when editing
	docLinks                 // when editing
	Action      string
	Types       []docTypeChoice
	Visibility  []visChoice
	Projects    []project.Project // when creating
	Previewing  bool
	Preview     string // Markdown to render as the preview
	NextVersion int
	// Conflict is set when the save was refused because someone saved a
	// newer version since the form was opened: the form keeps the
	// person's text, and base_version moves to the current version so a
	// deliberate second save replaces it.
	Conflict *editConflict
}

// editConflict says which version the refused edit started from, which is
// current now, and where the changes in between are.
type editConflict struct {
	Base, Current int
	Author        string // of the current version's last change
	DiffURL       string
}

const (
	newDocForm  = "new-document"
	editDocForm = "edit-document"
)

func (s *server) newDocumentPage(w http.ResponseWriter, r *http.Request, c *call) {
	// The release page links here with ?project=KEY&release=VERSION.
	q := r.URL.Query()
	v := &view{}
	v.seed(newDocForm, url.Values{"type": {string(doc.Design)}, "visibility": {string(doc.VisWorkspace)},
		"project": {q.Get("project")}, "release": {q.Get("release")}})
	s.showNewDocument(w, r, c, v)
}

func (s *server) showNewDocument(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	ctx := r.Context()
	ws, err := s.Workspaces.Get(ctx, c.uid(), r.PathValue("ws"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	v.WS = &wsView{Slug: ws.Slug, Name: ws.Name, Role: ws.Role}
	if !v.WS.Can(string(perm.CreateDocument)) {
		s.errorPageFor(w, r, c, http.StatusForbidden, "", 0)
		return
	}
	projects, err := s.workspaceProjects(ctx, c, ws.Slug)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d, _ := v.Data.(docFormData)
	d.FormName, d.Action, d.Types, d.Visibility, d.Projects = newDocForm, docsPath(ws.Slug), docTypes, docVisibilities, projects
	v.Title, v.Nav, v.Data = "New document · "+ws.Name, "documents", d
	s.render(w, r, c, "document-edit", v)
}

func (s *server) createDocument(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	f := r.PostForm
	body := normalizeNewlines(f.Get("body"))
	if f.Has("preview") {
		v := &view{Forms: map[string]form{newDocForm: {Name: newDocForm, Values: f}},
			Data: docFormData{Previewing: true, Preview: body}}
		s.showNewDocument(w, r, c, v)
		return
	}
	in := doc.CreateInput{Title: f.Get("title"), Type: doc.Type(f.Get("type")), Body: body,
		Project: f.Get("project"), Release: f.Get("release"), Visibility: doc.Visibility(f.Get("visibility"))}
	d, err := s.Docs.Create(r.Context(), c.actor, r.PathValue("ws"), in)
	if err != nil {
		if fe, ok := formError(err, newDocForm, f); ok {
			s.showNewDocument(w, r, c, withForm(fe))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, docPath(r.PathValue("ws"), d.ID)+"?notice=document-created")
}

func (s *server) editDocumentPage(w http.ResponseWriter, r *http.Request, c *call) {
	s.showEditDocument(w, r, c, &view{})
}

func (s *server) showEditDocument(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	ctx := r.Context()
	ws, err := s.Workspaces.Get(ctx, c.uid(), r.PathValue("ws"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	dc, err := s.Docs.Get(ctx, c.uid(), ws.Slug, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	v.WS = &wsView{Slug: ws.Slug, Name: ws.Name, Role: ws.Role}
	if !v.WS.Can(string(perm.EditDocument)) {
		s.errorPageFor(w, r, c, http.StatusForbidden, "", 0)
		return
	}
	// base_version travels with the form: the service refuses the save if
	// the document moved on while it was open.
	v.seed(editDocForm, url.Values{"title": {dc.Title}, "type": {string(dc.Type)}, "visibility": {string(dc.Visibility)}, "body": {dc.Body},
		"base_version": {strconv.Itoa(dc.Version)}})
	d, _ := v.Data.(docFormData)
	d.FormName, d.Editing, d.Doc, d.docLinks = editDocForm, true, dc, linksFor(ws.Slug, dc.Summary)
	d.Action, d.Types, d.Visibility, d.NextVersion = d.Href, docTypes, docVisibilities, dc.Version+1
	if d.Conflict != nil {
		d.Conflict.Current = dc.Version
		if d.Conflict.Base < dc.Version {
			d.Conflict.DiffURL = diffURL(d.Href, d.Conflict.Base, dc.Version)
		}
		d.Conflict.Author = "Someone"
		if names, _, err := s.memberNames(ctx, c, ws.Slug); err == nil {
			d.Conflict.Author = names.of(dc.UpdatedBy)
		}
		f := v.Forms[editDocForm]
		kept := url.Values{}
		for k, vs := range f.Values {
			kept[k] = vs
		}
		kept.Set("base_version", strconv.Itoa(dc.Version))
		f.Values = kept
		v.Forms[editDocForm] = f
	}
	v.Title, v.Nav, v.Data = "Edit "+dc.Title, "documents", d
	s.render(w, r, c, "document-edit", v)
}

func (s *server) updateDocument(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	f := r.PostForm
	title, body := f.Get("title"), normalizeNewlines(f.Get("body"))
	if f.Has("preview") {
		v := &view{Forms: map[string]form{editDocForm: {Name: editDocForm, Values: f}},
			Data: docFormData{Previewing: true, Preview: body}}
		s.showEditDocument(w, r, c, v)
		return
	}
	typ, vis := doc.Type(f.Get("type")), doc.Visibility(f.Get("visibility"))
	// Every field is on the form, so every field is sent; the service adds
	// a version only when the title or body changed.
	p := doc.Patch{Title: &title, Body: &body, Type: &typ, Visibility: &vis}
	if f.Has("base_version") {
		// A value that is no number becomes 0, which the service refuses.
		base, _ := strconv.Atoi(f.Get("base_version"))
		p.BaseVersion = &base
	}
	d, err := s.Docs.Update(r.Context(), c.actor, r.PathValue("ws"), r.PathValue("id"), p)
	if err != nil {
		if ae := httpx.AsAppError(err); ae.Code == apperr.Conflict && ae.Fields["base_version"] != "" {
			// Not a problem with a field: the text is fine, the moment is
			// not. Keep it and explain (showEditDocument fills the rest).
			fv := url.Values{}
			for k, vs := range f {
				fv[k] = vs
			}
			fv.Set("body", body)
			v := &view{Forms: map[string]form{editDocForm: {Name: editDocForm, Values: fv}}, Status: http.StatusConflict,
				Data: docFormData{Conflict: &editConflict{Base: *p.BaseVersion}}}
			s.showEditDocument(w, r, c, v)
			return
		}
		if fe, ok := formError(err, editDocForm, f); ok {
			s.showEditDocument(w, r, c, withForm(fe))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, docPath(r.PathValue("ws"), d.ID)+"?notice=document-saved")
}

func (s *server) deleteDocument(w http.ResponseWriter, r *http.Request, c *call) {
	ws := r.PathValue("ws")
	if err := s.Docs.Delete(r.Context(), c.actor, ws, r.PathValue("id")); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, docsPath(ws)+"?notice=document-deleted")
}

// --- one document, or one old version of it

type documentData struct {
	Doc doc.Document
	docLinks
	Title      string    // of the version shown
	Body       string    // of the version shown
	Shown      int       // the version shown
	ShownAt    time.Time // when the version shown was written (the current one: last changed)
	Old        bool      // an earlier version, not the current one
	AuthorName string    // of the version shown (the current one: who changed it last)
	Creator    string
	CanEdit    bool
	CanDelete  bool
	Files      []docFileRow // on the current version's page only
	MaxUpload  string
	Owners     *ownersCard // on the current version's page only
}

// docFileRow is one line of the document page's file table.
type docFileRow struct {
	doc.File
	UploaderName string
	Href         string // the download link
}

func (s *server) documentPage(w http.ResponseWriter, r *http.Request, c *call) {
	s.showDocument(w, r, c, &view{})
}

// showDocument renders the current version's page; v may carry a refused
// upload form or an error.
func (s *server) showDocument(w http.ResponseWriter, r *http.Request, c *call, v *view) {
	ctx := r.Context()
	ws, id := r.PathValue("ws"), r.PathValue("id")
	dc, err := s.Docs.Get(ctx, c.uid(), ws, id)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	files, err := s.Docs.Files(ctx, c.uid(), ws, id)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	names, a, err := s.memberNames(ctx, c, ws)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	// The header names who changed the document last and when (updated_by
	// and updated_at), so no version list is read here.
	d := documentData{Doc: dc, docLinks: linksFor(a.Slug, dc.Summary), Title: dc.Title, Body: dc.Body, Shown: dc.Version,
		ShownAt: dc.UpdatedAt, AuthorName: names.of(dc.UpdatedBy), Creator: names.of(dc.CreatedBy), MaxUpload: byteSize(s.maxUpload())}
	for _, f := range files {
		d.Files = append(d.Files, docFileRow{File: f, UploaderName: names.of(f.UploadedBy), Href: d.Href + "/files/" + url.PathEscape(f.Name)})
	}
	// The same rule as the service's: admins and owners, or the creator
	// while they may edit.
	d.CanEdit = a.Can(perm.EditDocument)
	d.CanDelete = a.Can(perm.DeleteDocument) || (dc.CreatedBy == c.uid() && d.CanEdit)
	if d.Owners, err = s.loadOwnersCard(r, c, a.Slug, owner.TargetRef{Type: owner.Document, ID: dc.ID}, d.Href, a.Can(perm.AssignOwners)); err != nil {
		s.fail(w, r, c, err)
		return
	}
	v.Title, v.Nav, v.WS, v.Data = dc.Title, "documents", wsFromAccess(a), d
	s.render(w, r, c, "document", v)
}

// versionNumber reads a version number from a path or query value.
func versionNumber(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1
}

func (s *server) documentVersionPage(w http.ResponseWriter, r *http.Request, c *call) {
	ctx := r.Context()
	ws, id := r.PathValue("ws"), r.PathValue("id")
	n, ok := versionNumber(r.PathValue("n"))
	if !ok {
		s.fail(w, r, c, apperr.NotFoundf("version not found"))
		return
	}
	dc, err := s.Docs.Get(ctx, c.uid(), ws, id)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	ver, err := s.Docs.Version(ctx, c.uid(), ws, id, n)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	names, a, err := s.memberNames(ctx, c, ws)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	// Edit and delete stay on the current version's page.
	d := documentData{Doc: dc, docLinks: linksFor(a.Slug, dc.Summary), Title: ver.Title, Body: ver.Body, Shown: ver.Version,
		ShownAt: ver.CreatedAt, Old: ver.Version != dc.Version, AuthorName: names.of(ver.AuthorID), Creator: names.of(dc.CreatedBy)}
	v := &view{Title: ver.Title + " (version " + strconv.Itoa(n) + ")", Nav: "documents", WS: wsFromAccess(a), Data: d}
	s.render(w, r, c, "document", v)
}

// --- history

type historyRow struct {
	doc.VersionSummary
	AuthorName string
	Href       string // the version's page
	ChangesURL string // diff from the previous version; "" for version 1
}

type historyData struct {
	Doc doc.Document
	docLinks
	Rows     []historyRow
	From, To int // the compare form's defaults
	DiffURL  string
}

func (s *server) documentHistoryPage(w http.ResponseWriter, r *http.Request, c *call) {
	ctx := r.Context()
	ws, id := r.PathValue("ws"), r.PathValue("id")
	dc, err := s.Docs.Get(ctx, c.uid(), ws, id)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	vs, err := s.Docs.Versions(ctx, c.uid(), ws, id)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	names, a, err := s.memberNames(ctx, c, ws)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	links := linksFor(a.Slug, dc.Summary)
	d := historyData{Doc: dc, docLinks: links, To: dc.Version, From: max(dc.Version-1, 1), DiffURL: links.Href + "/diff"}
	for _, ver := range vs {
		row := historyRow{VersionSummary: ver, AuthorName: names.of(ver.AuthorID), Href: links.Href + "/v/" + strconv.Itoa(ver.Version)}
		if ver.Version > 1 {
			row.ChangesURL = diffURL(links.Href, ver.Version-1, ver.Version)
		}
		d.Rows = append(d.Rows, row)
	}
	v := &view{Title: "History · " + dc.Title, Nav: "documents", WS: wsFromAccess(a), Data: d}
	s.render(w, r, c, "document-history", v)
}

func diffURL(docHref string, from, to int) string {
	return docHref + "/diff?" + url.Values{"from": {strconv.Itoa(from)}, "to": {strconv.Itoa(to)}}.Encode()
}

// --- the diff between two versions

// diffContext is how many unchanged lines surround each change.
const diffContext = 3

// maxDiffRows caps the lines one diff page shows: two unrelated versions
// of a 200,000-character document would otherwise make a page of
// hundreds of thousands of rows.
const maxDiffRows = 5000

// diffRow is one row of the diff table: a line, or the "⋯ N unchanged
// lines" between hunks (Skipped > 0).
type diffRow struct {
	diff.Line
	Skipped int
}

// Class colours the row; the template adds the + or − marker, so the
// change never shows by colour alone.
func (r diffRow) Class() string {
	switch r.Op {
	case diff.Insert:
		return "diff-add"
	case diff.Delete:
		return "diff-del"
	}
	return "diff-ctx"
}

func (r diffRow) Added() bool   { return r.Op == diff.Insert }
func (r diffRow) Removed() bool { return r.Op == diff.Delete }

type diffData struct {
	Doc doc.Document
	docLinks
	From, To   doc.Version
	FromAuthor string
	ToAuthor   string
	Versions   []int // for the compare form, newest first
	Rows       []diffRow
	Added      int
	Removed    int
	Truncated  int // rows left out beyond maxDiffRows
	Same       bool
	HistoryURL string
}

func (s *server) documentDiffPage(w http.ResponseWriter, r *http.Request, c *call) {
	ctx := r.Context()
	ws, id := r.PathValue("ws"), r.PathValue("id")
	q := r.URL.Query()
	dc, err := s.Docs.Get(ctx, c.uid(), ws, id)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	// Without from/to: what the latest version changed.
	to, from := dc.Version, dc.Version-1
	if q.Get("to") != "" {
		var ok bool
		if to, ok = versionNumber(q.Get("to")); !ok {
			s.errorPageFor(w, r, c, http.StatusBadRequest, "“to” must be a version number, such as 2.", 0)
			return
		}
		from = to - 1
	}
	if q.Get("from") != "" {
		var ok bool
		if from, ok = versionNumber(q.Get("from")); !ok {
			s.errorPageFor(w, r, c, http.StatusBadRequest, "“from” must be a version number, such as 1.", 0)
			return
		}
	}
	from = max(from, 1) // version 1 against itself: no changes
	old, cur, err := s.Docs.Compare(ctx, c.uid(), ws, id, from, to)
	if err != nil {
		s.fail(w, r, c, err) // an unknown version is a 404
		return
	}
	names, a, err := s.memberNames(ctx, c, ws)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	links := linksFor(a.Slug, dc.Summary)
	d := diffData{Doc: dc, docLinks: links, From: old, To: cur, FromAuthor: names.of(old.AuthorID), ToAuthor: names.of(cur.AuthorID),
		HistoryURL: links.Href + "/history"}
	for n := dc.Version; n >= 1; n-- {
		d.Versions = append(d.Versions, n)
	}
	lines := diff.Lines(old.Body, cur.Body)
	d.Added, d.Removed = diff.Stats(lines)
	d.Same = d.Added == 0 && d.Removed == 0 && old.Title == cur.Title
	shown := 0
	for _, h := range diff.Hunks(lines, diffContext) {
		if h.Before > 0 {
			d.Rows = append(d.Rows, diffRow{Skipped: h.Before})
		}
		for _, l := range h.Lines {
			if shown == maxDiffRows {
				d.Truncated++
				continue
			}
			d.Rows = append(d.Rows, diffRow{Line: l})
			shown++
		}
		if h.After > 0 && d.Truncated == 0 {
			d.Rows = append(d.Rows, diffRow{Skipped: h.After})
		}
	}
	v := &view{Title: "Changes · " + dc.Title, Nav: "documents", WS: wsFromAccess(a), Data: d}
	s.render(w, r, c, "document-diff", v)
}

// --- files attached to a document (like a release's files, files.go)

// uploadDocumentFile streams a multipart upload into the document service:
// the file part's reader goes straight to PutFile, nothing is buffered.
// The name is the part's filename, validated by the service.
func (s *server) uploadDocumentFile(w http.ResponseWriter, r *http.Request, c *call) {
	ws, id := r.PathValue("ws"), r.PathValue("id")
	part, name, err := filePart(r)
	if err != nil {
		s.documentUploadRefused(w, r, c, err)
		return
	}
	body := &httpx.UploadBody{R: part}
	_, err = s.Docs.PutFile(r.Context(), c.actor, ws, id, name, body, -1)
	part.Close()
	if err != nil {
		if body.Failed {
			err = uploadReadError(err)
		}
		s.documentUploadRefused(w, r, c, err)
		return
	}
	redirect(w, r, docPath(ws, id)+"?notice=file-uploaded#files")
}

// documentUploadRefused shows a bad name next to the file input; anything
// else (access, size, a broken upload) is an error page.
func (s *server) documentUploadRefused(w http.ResponseWriter, r *http.Request, c *call, err error) {
	if f, ok := uploadNameError(err); ok {
		s.showDocument(w, r, c, withForm(f))
		return
	}
	s.fail(w, r, c, err)
}

func (s *server) downloadDocumentFile(w http.ResponseWriter, r *http.Request, c *call) {
	f, rd, err := s.Docs.OpenFile(r.Context(), c.uid(), r.PathValue("ws"), r.PathValue("id"), r.PathValue("name"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	defer rd.Close()
	httpx.ServeDownload(w, r, f.Name, f.ContentType, f.SHA256, f.UploadedAt, rd)
}

func (s *server) deleteDocumentFile(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	ws, id := r.PathValue("ws"), r.PathValue("id")
	if err := s.Docs.DeleteFile(r.Context(), c.actor, ws, id, r.PathValue("name")); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, docPath(ws, id)+"?notice=file-deleted#files")
}
