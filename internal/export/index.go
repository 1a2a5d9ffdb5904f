package export

import (
	"html/template"
	"time"
)

// indexData is what index.html shows: the small sections in full, the
// others as a list with their record counts.
type indexData struct {
	GeneratedAt time.Time
	Profile     profile
	Memberships []membership
	Teams       []team
	Consents    []consentChoice
	Sections    []manifestEntry
	Files       int
	Notes       []string
}

var purposeTitles = map[string]string{
	"product_email":     "Product e-mails",
	"marketing_email":   "Marketing e-mails",
	"product_analytics": "Product analytics",
}

// indexTemplate is a self-contained page (one <style> element, no scripts,
// nothing loaded from elsewhere): the archive is opened offline.
var indexTemplate = template.Must(template.New("index").Funcs(template.FuncMap{
	"when": func(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") },
	"whenp": func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.UTC().Format("2 January 2006, 15:04 UTC")
	},
	"purpose": func(p string) string {
		if t, ok := purposeTitles[p]; ok {
			return t
		}
		return p
	},
	"yesno": func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	},
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your data from Shipshape</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.75rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid #e5e7eb; }
th { background: #f6f8fa; font-weight: 600; }
code { font-family: ui-monospace, monospace; font-size: .9em; background: #f6f8fa; padding: 0 .2em; }
.muted { color: #59636e; } .num { text-align: right; }
@media (prefers-color-scheme: dark) { body { background: #0d1117; color: #e6edf3; } th, code { background: #161b22; } th, td { border-color: #30363d; } .muted { color: #9198a1; } }
</style>
</head>
<body>
<h1>Your data from Shipshape</h1>
<p>This archive holds everything this Shipshape server stores about you, as of {{when .GeneratedAt}}.
The JSON files are meant for other programs; this page lets you read the main parts.
<code>manifest.json</code> lists every file with its SHA-256 digest.</p>

<h2>Profile</h2>
<table>
<tr><th scope="row">Name</th><td>{{.Profile.Name}}</td></tr>
<tr><th scope="row">E-mail address</th><td>{{.Profile.Email}}</td></tr>
<tr><th scope="row">Company</th><td>{{with .Profile.Company}}{{.}}{{else}}<span class="muted">not given</span>{{end}}</td></tr>
<tr><th scope="row">Job title</th><td>{{with .Profile.JobTitle}}{{.}}{{else}}<span class="muted">not given</span>{{end}}</td></tr>
<tr><th scope="row">Server administrator</th><td>{{yesno .Profile.SiteAdmin}}</td></tr>
<tr><th scope="row">Account created</th><td>{{when .Profile.CreatedAt}}</td></tr>
<tr><th scope="row">Minimum age confirmed</th><td>{{when .Profile.AgeConfirmedAt}}</td></tr>
<tr><th scope="row">Profile last changed</th><td>{{when .Profile.UpdatedAt}}</td></tr>
<tr><th scope="row">Password last changed</th><td>{{when .Profile.PasswordChangedAt}}</td></tr>
<tr><th scope="row">Account id</th><td><code>{{.Profile.ID}}</code></td></tr>
</table>

<h2>Workspaces</h2>
{{- if .Memberships}}
<table>
<thead><tr><th scope="col">Workspace</th><th scope="col">Short name</th><th scope="col">Your role</th><th scope="col">Joined</th></tr></thead>
<tbody>
{{- range .Memberships}}
<tr><td>{{.WorkspaceName}}</td><td><code>{{.Workspace}}</code></td><td>{{.Role}}</td><td>{{when .JoinedAt}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p class="muted">You belong to no workspace.</p>
{{- end}}
{{- if .Teams}}
<h3>Teams</h3>
<table>
<thead><tr><th scope="col">Team</th><th scope="col">Workspace</th><th scope="col">Joined</th></tr></thead>
<tbody>
{{- range .Teams}}
<tr><td>{{.Name}}</td><td><code>{{.Workspace}}</code></td><td>{{when .JoinedAt}}</td></tr>
{{- end}}
</tbody>
</table>
{{- end}}

<h2>Consents</h2>
<table>
<thead><tr><th scope="col">Purpose</th><th scope="col">Your choice</th><th scope="col">Chosen</th></tr></thead>
<tbody>
{{- range .Consents}}
<tr><td>{{purpose .Purpose}}</td><td>{{if .Granted}}on{{else}}off{{end}}{{if .Default}} <span class="muted">(the default; never changed)</span>{{end}}</td><td>{{whenp .UpdatedAt}}</td></tr>
{{- end}}
</tbody>
</table>
<p class="muted">Every change you made is in <code>consents.json</code> ("ledger").</p>

<h2>What is in this archive</h2>
<table>
<thead><tr><th scope="col">File</th><th scope="col">What it holds</th><th scope="col" class="num">Records</th></tr></thead>
<tbody>
{{- range .Sections}}
<tr><td><code>{{.Path}}</code></td><td>{{.Description}}</td><td class="num">{{with .Records}}{{.}}{{end}}</td></tr>
{{- end}}
<tr><td><code>files/</code></td><td>The bytes of the files you uploaded, by workspace, then release or document.</td><td class="num">{{.Files}}</td></tr>
<tr><td><code>manifest.json</code></td><td>The list of every file in this archive with its size and SHA-256, and the notes below.</td><td class="num"></td></tr>
</tbody>
</table>

<h2>Good to know</h2>
<ul>
{{- range .Notes}}
<li>{{.}}</li>
{{- end}}
</ul>
</body>
</html>
`))
