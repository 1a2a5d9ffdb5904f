package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"shipshape/internal/account"
	"shipshape/internal/db"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/testkit"
	"shipshape/internal/workspace"
)

// TestBrowserFirstRun drives real pages in headless Chromium: first-run
// setup, a workspace, project PAY with components, and the activity feed.
// With SHIPSHAPE_SCREENSHOT_DIR set it saves full-page screenshots.
func TestBrowserFirstRun(t *testing.T) {
	chromium := os.Getenv("SHIPSHAPE_TEST_CHROMIUM")
	if chromium == "" {
		t.Skip("SHIPSHAPE_TEST_CHROMIUM is not set")
	}
	shots := os.Getenv("SHIPSHAPE_SCREENSHOT_DIR")
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	s := newSite(t, testkit.OpenDB(t, db.SQLite))
	base := s.srv.URL

	// The deadline is on the allocator, so it bounds the whole browser.
	parent, cancelAll := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancelAll()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()

	// Collect console errors: a CSP violation or a script error shows here.
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// Network errors are expected: some screenshots show error pages.
			if m.Source != "network" && (m.Type == chromedp.ConsoleError || m.IsException()) || strings.Contains(m.Text, "Content Security Policy") {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()

	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		// A step gets 20 seconds; the browser itself lives on.
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			if shots != "" {
				if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
					_ = os.WriteFile(filepath.Join(shots, "failed.png"), png, 0o644)
				}
			}
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			t.Fatalf("%s (at %s): %v", step, loc, err)
		}
	}
	value := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("value of %s: %v", sel, err)
		}
		return v
	}
	location := func() string {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimPrefix(loc, base)
	}
	shot := func(name string) {
		t.Helper()
		if shots == "" {
			return
		}
		// From the top, so that the sticky bars sit where a person sees them.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("window.scrollTo(0, 0), true")); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// 1. First run: "/" leads to the setup page.
	run("open setup",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("setup-name")),
	)
	if loc := location(); loc != "/setup" {
		t.Fatalf("first visit landed on %s, want /setup", loc)
	}
	shot("setup-desktop")
	run("fill setup",
		chromedp.SendKeys(chromedp.ID("setup-name"), "Ana Lima"),
		chromedp.SendKeys(chromedp.ID("setup-email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.ID("setup-password"), adminPassword),
		chromedp.SendKeys(chromedp.ID("setup-company"), "Acme"),
		chromedp.SendKeys(chromedp.ID("setup-job_title"), "Release manager"),
		chromedp.Click(chromedp.ID("setup-age_confirmed")),
		chromedp.Click(chromedp.CSS(`form[action="/setup"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("new-workspace-name")),
	)

	// 2. A workspace; the URL name is suggested from the name.
	run("type workspace name", chromedp.SendKeys(chromedp.ID("new-workspace-name"), "Acme Inc"))
	if slug := value("#new-workspace-slug"); slug != "acme-inc" {
		t.Errorf("suggested URL name = %q, want acme-inc", slug)
	}
	run("create workspace",
		chromedp.Click(chromedp.CSS(`form[action="/workspaces"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("new-project-key")),
	)

	// 3. Project PAY (the key is upper-cased as it is typed).
	run("fill project",
		chromedp.SendKeys(chromedp.ID("new-project-key"), "pay"),
		chromedp.SendKeys(chromedp.ID("new-project-name"), "Payments"),
		chromedp.SendKeys(chromedp.ID("new-project-description"),
			"Moves money between customers, banks and the ledger.\nOwned by the payments team; on call through #payments-oncall."),
	)
	if key := value("#new-project-key"); key != "PAY" {
		t.Errorf("key field = %q, want PAY", key)
	}
	run("create project",
		chromedp.Click(chromedp.CSS(`form[action="/w/acme-inc/projects"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("components")),
	)
	if loc := location(); !strings.HasPrefix(loc, "/w/acme-inc/p/PAY") {
		t.Fatalf("after creating the project: %s", loc)
	}

	// Two components, through the disclosure form.
	run("first component",
		chromedp.SendKeys(chromedp.ID("new-component-name"), "Payments API"),
		chromedp.SendKeys(chromedp.ID("new-component-description"), "Public HTTP API for charges and refunds."),
		chromedp.Click(chromedp.CSS(`form[action$="/components"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#components table`)),
		chromedp.Click(chromedp.CSS(`#components summary`)),
		chromedp.WaitVisible(chromedp.ID("new-component-name")),
		chromedp.SendKeys(chromedp.ID("new-component-name"), "Ledger worker"),
		chromedp.SendKeys(chromedp.ID("new-component-description"), "Books settled payments into the ledger."),
		chromedp.Click(chromedp.CSS(`form[action$="/components"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/c/ledger-worker"]`)),
	)

	// 4. The activity page, through the workspace navigation.
	run("open activity",
		chromedp.Click(chromedp.CSS(`.sidenav a[href="/w/acme-inc/activity"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.feed`)),
	)
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"created project PAY", "added component payments-api in PAY", "created the workspace acme-inc"} {
		if !strings.Contains(text, want) {
			t.Errorf("activity page does not show %q:\n%s", want, text)
		}
	}

	// 5. A release: planned through the project page, then moved to
	// released with the buttons on its page.
	run("open project", chromedp.Navigate(base+"/w/acme-inc/p/PAY"), chromedp.WaitVisible(chromedp.ID("new-release-version")))
	run("plan release",
		chromedp.SendKeys(chromedp.ID("new-release-version"), "1.4.0"),
		chromedp.SendKeys(chromedp.ID("new-release-name"), "Spring refunds"),
		chromedp.SetValue(chromedp.ID("new-release-target_date"), "2026-03-31"),
		chromedp.SendKeys(chromedp.ID("new-release-description"), "Partial refunds for card payments.\n\n- Refund any amount up to the charge\n- Show refunds in the ledger"),
		chromedp.Click(chromedp.CSS(`form[action$="/releases"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.release-actions`)),
	)
	if loc := location(); loc != "/w/acme-inc/p/PAY/r/1.4.0?notice=release-created" {
		t.Fatalf("after planning the release: %s", loc)
	}
	// A file through the real file input; app.js sends it with
	// XMLHttpRequest and a progress bar, then follows the redirect.
	artifact := filepath.Join(t.TempDir(), "refunds-1.4.0.tar.gz")
	if err := os.WriteFile(artifact, []byte(strings.Repeat("shipshape release artifact\n", 2000)), 0o644); err != nil {
		t.Fatal(err)
	}
	run("upload a file",
		chromedp.SetUploadFiles(chromedp.ID("upload-file-file"), []string{artifact}),
		chromedp.Click(chromedp.CSS(`form[data-upload] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.files-table a.file-name`)),
	)
	if loc := location(); loc != "/w/acme-inc/p/PAY/r/1.4.0?notice=file-uploaded#files" {
		t.Errorf("after the upload: %s", loc)
	}
	text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#files")))
	if err != nil {
		t.Fatal(err)
	}
	text = strings.Join(strings.Fields(text), " ")
	for _, want := range []string{"Files 1", "refunds-1.4.0.tar.gz", "52.7 KiB", "Download"} {
		if !strings.Contains(text, want) {
			t.Errorf("the files card does not show %q:\n%s", want, text)
		}
	}
	if hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector(".files-table [data-copy-value]").hidden`)); err != nil || hidden {
		t.Errorf("the SHA-256 copy button is hidden (err %v)", err)
	}
	shot("release-files-desktop")

	// 6. Attach a document: "Add document" on the release page opens the
	// form with the project and release filled in.
	run("add document", chromedp.Click(chromedp.CSS(`#documents a[href*="/docs/new"]`)), chromedp.WaitVisible(chromedp.ID("new-document-title")))
	run("write document",
		chromedp.SendKeys(chromedp.ID("new-document-title"), "Refunds rollout runbook"),
		chromedp.SetValue(chromedp.ID("new-document-type"), "runbook"),
		chromedp.SendKeys(chromedp.ID("new-document-body"), "## Rollout\n\n1. Enable for 5% of merchants\n2. Watch the refund error rate"),
		chromedp.Click(chromedp.CSS(`form.form button.btn-primary[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.prose h2`)),
	)
	if loc := location(); !strings.HasPrefix(loc, "/w/acme-inc/docs/") || !strings.HasSuffix(loc, "?notice=document-created") {
		t.Errorf("after creating the document: %s", loc)
	}
	run("back to the release", chromedp.Click(chromedp.CSS(`a[href="/w/acme-inc/p/PAY/r/1.4.0"]`)), chromedp.WaitVisible(chromedp.CSS(`#documents a[href^="/w/acme-inc/docs/"]`)))
	if text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#documents"))); err != nil || !strings.Contains(text, "Refunds rollout runbook") {
		t.Errorf("the release's documents card: %q (%v)", text, err)
	}

	for _, step := range []struct{ to, next string }{{"in_progress", "in_review"}, {"in_review", "released"}, {"released", "rolled_back"}} {
		run("move to "+step.to,
			chromedp.Click(chromedp.CSS(`.release-actions form:has(input[name=to][value=`+step.to+`]) button`)),
			chromedp.WaitVisible(chromedp.CSS(`.release-actions input[name=to][value=`+step.next+`] ~ button, .release-actions details:has(input[value=`+step.next+`]) > summary`)),
		)
	}
	text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	text = strings.Join(strings.Fields(text), " ") // badges are inline-flex: innerText breaks lines
	for _, want := range []string{"Released. Nice work.", "In review → Released", "Planned → In progress", "Roll back…"} {
		if !strings.Contains(text, want) {
			t.Errorf("release page does not show %q:\n%s", want, text)
		}
	}
	// 7. The evidence frozen at release: fetched like the download link does,
	// it names the file and the document by hash and version id.
	evidence, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('a[href$="/evidence"]').href).then(r => r.ok ? r.text() : "HTTP " + r.status)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"schema":"shipshape.release-evidence/v2"`, `"name":"refunds-1.4.0.tar.gz"`, `"type":"runbook"`, `"version_id":"`, `"to":"released"`} {
		if !strings.Contains(evidence, want) {
			t.Errorf("the evidence lacks %s:\n%s", want, evidence)
		}
	}
	run("board", chromedp.Click(chromedp.CSS(`.sidenav a[href="/w/acme-inc/releases"]`)), chromedp.WaitVisible(chromedp.CSS(`.board a[href="/w/acme-inc/p/PAY/r/1.4.0"]`)))

	run("dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".ws-card")))

	if shots != "" {
		inviteToken := seedDemo(t, s)
		run("dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".ws-card")))
		shot("dashboard-desktop")
		run("project", chromedp.Navigate(base+"/w/acme-inc/p/PAY"), chromedp.WaitVisible(chromedp.ID("components")))
		shot("project-desktop")
		run("activity", chromedp.Navigate(base+"/w/acme-inc/activity"), chromedp.WaitVisible(chromedp.CSS(".feed")))
		shot("activity-desktop")
		run("teams", chromedp.Navigate(base+"/w/acme-inc/teams"), chromedp.WaitVisible(chromedp.CSS(".team-card")))
		shot("teams-desktop")
		run("members", chromedp.Navigate(base+"/w/acme-inc/members"), chromedp.WaitVisible(chromedp.ID("invite")))
		shot("members-desktop")
		run("projects", chromedp.Navigate(base+"/w/acme-inc"), chromedp.WaitVisible(chromedp.CSS(".list")))
		shot("projects-desktop")
		run("release", chromedp.Navigate(base+"/w/acme-inc/p/PAY/r/1.4.0"), chromedp.WaitVisible(chromedp.CSS(".timeline")))
		shot("release-desktop")
		run("release in review", chromedp.Navigate(base+"/w/acme-inc/p/AUTH/r/2.0.0-rc.1+build.5"), chromedp.WaitVisible(chromedp.CSS(".timeline")))
		shot("release-review-desktop")
		run("release cancel", chromedp.Click(chromedp.CSS(`.release-actions details summary`)),
			chromedp.SendKeys(chromedp.CSS(`.release-actions details textarea`), "  "), chromedp.Click(chromedp.CSS(`.release-actions details button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`.release-actions details[open] .field-error`)))
		shot("release-reason-error-desktop")
		run("board", chromedp.Navigate(base+"/w/acme-inc/releases"), chromedp.WaitVisible(chromedp.CSS(".board")))
		shot("releases-desktop")

		// Phone width: the navigation collapses, tables scroll.
		run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		for _, p := range []struct{ name, path, sel string }{
			{"dashboard-mobile", "/", ".ws-card"},
			{"project-mobile", "/w/acme-inc/p/PAY", "#components"},
			{"activity-mobile", "/w/acme-inc/activity", ".feed"},
			{"members-mobile", "/w/acme-inc/members", "#invite"},
			{"settings-mobile", "/w/acme-inc/settings", "#rename-name"},
			{"projects-mobile", "/w/acme-inc", ".list"},
			{"release-mobile", "/w/acme-inc/p/PAY/r/1.4.0", ".timeline"},
			{"release-review-mobile", "/w/acme-inc/p/AUTH/r/2.0.0-rc.1+build.5", ".timeline"},
			{"releases-mobile", "/w/acme-inc/releases", ".board"},
		} {
			run(p.name, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS(p.sel)))
			shot(p.name)
		}

		// Dark mode.
		run("dark", chromedp.EmulateViewport(1280, 800), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
			return err
		}))
		run("project dark", chromedp.Navigate(base+"/w/acme-inc/p/PAY"), chromedp.WaitVisible(chromedp.ID("components")))
		shot("project-dark")
		run("dashboard dark", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".ws-card")))
		shot("dashboard-dark")
		run("board dark", chromedp.Navigate(base+"/w/acme-inc/releases"), chromedp.WaitVisible(chromedp.CSS(".board")))
		shot("releases-dark")
		run("release dark", chromedp.Navigate(base+"/w/acme-inc/p/PAY/r/1.4.0"), chromedp.WaitVisible(chromedp.CSS(".timeline")))
		shot("release-dark")
		run("light", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
			return err
		}))

		// The remaining pages, for review.
		for _, p := range []struct{ name, path, sel string }{
			{"component-desktop", "/w/acme-inc/p/PAY/c/payments-api", "#settings"},
			{"profile-desktop", "/profile", "#profile-name"},
			{"tokens-desktop", "/tokens", "#new-token"},
			{"settings-desktop", "/w/acme-inc/settings", "#rename-name"},
			{"admin-desktop", "/admin", "#signup-policy"},
			{"settings-readonly-desktop", "/w/globex/settings", ".readonly-value"},
			{"notfound-desktop", "/w/acme-inc/p/NOPE", ".error-page"},
		} {
			run(p.name, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS(p.sel)))
			shot(p.name)
		}
		run("user menu",
			chromedp.Navigate(base+"/admin"),
			chromedp.WaitVisible(chromedp.ID("signup-policy")),
			chromedp.Click(chromedp.CSS(".usermenu summary")),
			chromedp.WaitVisible(chromedp.CSS(`.usermenu a[href="/admin"]`)),
		)
		shot("usermenu-admin-desktop")
		run("token",
			chromedp.Navigate(base+"/tokens"),
			chromedp.WaitVisible(chromedp.ID("new-token-name")),
			chromedp.SendKeys(chromedp.ID("new-token-name"), "CI deploy"),
			chromedp.Click(chromedp.ID("new-token-scope-write")),
			chromedp.Click(chromedp.CSS(`form[action="/tokens"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.ID("token-secret")),
		)
		shot("token-created-desktop")
		run("last owner leaves",
			chromedp.Navigate(base+"/w/acme-inc/settings"),
			chromedp.WaitVisible(chromedp.CSS(`#leave summary`)),
			chromedp.Click(chromedp.CSS(`#leave summary`)),
			chromedp.WaitVisible(chromedp.CSS(`form[action="/w/acme-inc/leave"] button`)),
			chromedp.Click(chromedp.CSS(`form[action="/w/acme-inc/leave"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`#leave .alert-error`)),
		)
		shot("settings-conflict-desktop")
		run("conflict",
			chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(chromedp.ID("new-workspace-name")),
			chromedp.SendKeys(chromedp.ID("new-workspace-name"), "Acme Inc"),
			chromedp.Click(chromedp.CSS(`form[action="/workspaces"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(".field-error")),
		)
		shot("validation-desktop")
		run("sign out",
			chromedp.Click(chromedp.CSS(".usermenu summary")),
			chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
			chromedp.WaitVisible(chromedp.ID("login-email")),
		)
		shot("login-desktop")
		run("invite", chromedp.Navigate(base+"/invite/"+inviteToken), chromedp.WaitVisible(chromedp.ID("invite-title")))
		shot("invite-desktop")
		run("signup", chromedp.Navigate(base+"/signup"), chromedp.WaitVisible(chromedp.ID("signup-title")))
		shot("signup-desktop")
		run("phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		run("signup", chromedp.Navigate(base+"/signup?invitation="+inviteToken), chromedp.WaitVisible(chromedp.ID("signup-title")))
		shot("signup-mobile")
	}

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("browser console: %s", p)
	}
}

// seedDemo fills the site with a team's worth of data, over a few hours of
// the fake clock, so that the screenshots show a product in use.
func seedDemo(t *testing.T, s *site) (invitation string) {
	t.Helper()
	ctx := context.Background()
	a := s.app
	ana := userByLogin(t, s, "ana@example.com", adminPassword)
	bo := testkit.MustUser(t, a, "Bo Chen")
	cy := testkit.MustUser(t, a, "Cy Park")
	dee := testkit.MustUser(t, a, "Dee Okafor")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s.clock.Advance(3 * time.Hour)
	testkit.MustJoin(t, a, ana, "acme-inc", bo, "admin")
	testkit.MustJoin(t, a, ana, "acme-inc", cy, "member")
	testkit.MustJoin(t, a, ana, "acme-inc", dee, "viewer")
	_, err := a.Projects.Create(ctx, testkit.Actor(bo), "acme-inc", project.CreateInput{Key: "WEB", Name: "Customer web app",
		Description: "The storefront and account pages customers use every day."})
	must(err)
	_, err = a.Projects.Create(ctx, testkit.Actor(cy), "acme-inc", project.CreateInput{Key: "AUTH", Name: "Identity service",
		Description: "Sign-in, sessions and single sign-on for every Acme product."})
	must(err)
	s.clock.Advance(40 * time.Minute)
	_, err = a.Projects.CreateComponent(ctx, testkit.Actor(cy), "acme-inc", "AUTH", project.ComponentInput{Slug: "oidc-gateway", Name: "OIDC gateway",
		Description: "Bridges customer identity providers."})
	must(err)
	_, err = a.Workspaces.CreateTeam(ctx, testkit.Actor(bo), "acme-inc", workspace.TeamInput{Slug: "payments", Name: "Payments"})
	must(err)
	_, err = a.Workspaces.CreateTeam(ctx, testkit.Actor(bo), "acme-inc", workspace.TeamInput{Slug: "platform", Name: "Platform"})
	must(err)
	for _, m := range []struct {
		team string
		u    account.User
	}{{"payments", ana}, {"payments", cy}, {"platform", bo}, {"platform", dee}} {
		must(a.Workspaces.SetTeamMember(ctx, testkit.Actor(bo), "acme-inc", m.team, m.u.ID, true))
	}
	s.clock.Advance(12 * time.Minute)
	_, err = a.Projects.UpdateComponent(ctx, testkit.Actor(cy), "acme-inc", "PAY", "payments-api", project.ComponentPatch{})
	must(err)
	inv, err := a.Workspaces.Invite(ctx, testkit.Actor(bo), "acme-inc", "eve@acme.example", "member")
	must(err)
	testkit.MustWorkspace(t, a, bo, "globex")
	testkit.MustJoin(t, a, bo, "globex", ana, "admin")
	// Releases across the projects, for the board and release pages.
	rel := func(u account.User, key, version, name, target, desc string, moves ...release.Status) {
		t.Helper()
		_, err := a.Releases.Create(ctx, testkit.Actor(u), "acme-inc", key, release.CreateInput{Version: version, Name: name, TargetDate: target, Description: desc})
		must(err)
		for _, to := range moves {
			s.clock.Advance(17 * time.Minute)
			reason := ""
			if to == release.Cancelled || to == release.RolledBack {
				reason = "Superseded by the next release."
			}
			_, err := a.Releases.Transition(ctx, testkit.Actor(u), "acme-inc", key, version, release.TransitionInput{To: to, Reason: reason})
			must(err)
		}
	}
	rel(cy, "PAY", "1.3.0", "Ledger exports", "2026-01-04", "CSV exports of the ledger.", release.InProgress, release.InReview, release.Released)
	rel(ana, "PAY", "1.5.0", "Payouts", "2026-04-30", "")
	rel(bo, "WEB", "3.2.0", "Checkout redesign", "2026-01-02", "A one-page checkout.", release.InProgress)
	rel(bo, "WEB", "3.3.0-beta.1", "", "", "")
	rel(cy, "AUTH", "2.0.0-rc.1+build.5", "Passkeys", "2026-02-15",
		"Sign in with **passkeys**.\n\n- WebAuthn registration and sign-in\n- Fallback to e-mail links", release.InProgress, release.InReview)
	rel(cy, "AUTH", "1.9.1", "Session fixes", "", "", release.Cancelled)
	s.clock.Advance(2 * time.Minute)
	return inv.Token
}
