package web_test

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

// TestBrowserPrivacy drives the privacy features in headless Chromium:
// consent with and without a Global Privacy Control signal, "Download my
// data" up to a real ZIP, and deleting the account then cancelling.
func TestBrowserPrivacy(t *testing.T) {
	chromium := os.Getenv("SHIPSHAPE_TEST_CHROMIUM")
	if chromium == "" {
		t.Skip("SHIPSHAPE_TEST_CHROMIUM is not set")
	}
	s := newSite(t, testkit.OpenDB(t, db.SQLite))
	base := s.srv.URL
	admin := s.browser(t)
	admin.setup()
	zoe := testkit.MustUser(t, s.app, "Zoe Park")

	parent, cancelAll := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancelAll()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The first action starts the browser and ties it to its context: ctx,
	// not a step's shorter one.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login")); err != nil {
		t.Fatal(err)
	}
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			t.Fatalf("%s (at %s): %v\n%s", step, loc, err, strings.Join(strings.Fields(body), " "))
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.Join(strings.Fields(v), " ")
	}

	run("sign in", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.SendKeys(chromedp.ID("login-email"), zoe.Email), chromedp.SendKeys(chromedp.ID("login-password"), testkit.Password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".topbar .usermenu")))

	// Consent: one click to give, and a GPC signal overrides it.
	run("profile", chromedp.Navigate(base+"/profile"), chromedp.WaitVisible(chromedp.CSS(`a.btn[href="/profile/privacy"]`)))
	run("privacy page", chromedp.Click(chromedp.CSS(`a.btn[href="/profile/privacy"]`)), chromedp.WaitVisible(chromedp.CSS(".consent-list")))
	run("turn on analytics", chromedp.Click(chromedp.CSS(`form:has(input[name=purpose][value=product_analytics]) button`)),
		chromedp.WaitVisible(chromedp.CSS(`.alert-success`)))
	if got := text(".consent-list"); !strings.Contains(got, "Product analytics On") {
		t.Errorf("after turning analytics on: %s", got)
	}
	headers := func(h network.Headers) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: h})
			return err
		})
	}
	run("send Sec-GPC", headers(network.Headers{"Sec-GPC": "1"}), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".gpc-notice")))
	if got := text(".consent-list"); !strings.Contains(got, "Product analytics Off — on below, off while your browser sends its privacy signal") {
		t.Errorf("with Sec-GPC: %s", got)
	}
	run("stop Sec-GPC", headers(network.Headers{}), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".consent-list")))
	if got := text("main"); strings.Contains(got, "privacy signal") || !strings.Contains(got, "Turned on product analytics") {
		t.Errorf("without the signal: %s", got)
	}

	// Download my data: request, wait for the archive, fetch it.
	run("request my data", chromedp.Click(chromedp.CSS(`form[action="/profile/export"] button`)), chromedp.WaitVisible(chromedp.ID("export")))
	waited := make(chan struct{})
	go func() { s.app.Exports.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(15 * time.Second):
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		t.Fatalf("the archive is not built after 15 s:\n%s", buf[:n])
	}
	// The page reloads itself (meta refresh) until the archive is ready.
	run("archive ready", chromedp.WaitVisible(chromedp.CSS(`a[href^="/profile/export/"][href$="/download"]`)))
	zipHead, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('a[href$="/download"]').href)
		.then(r => r.ok ? r.arrayBuffer() : Promise.reject("HTTP " + r.status))
		.then(b => String.fromCharCode(...new Uint8Array(b).slice(0, 2)) + ":" + b.byteLength)`, chromedp.EvalAwaitPromise))
	if err != nil || !strings.HasPrefix(zipHead, "PK:") {
		t.Errorf("the archive is not a ZIP: %q %v", zipHead, err)
	}

	// Delete my account, then change my mind.
	run("delete page", chromedp.Navigate(base+"/profile/delete"), chromedp.WaitVisible(chromedp.ID("delete-password")))
	run("confirm deletion", chromedp.SendKeys(chromedp.ID("delete-password"), testkit.Password),
		chromedp.Click(chromedp.CSS(`form[action="/profile/delete"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".deletion-notice")))
	run("dashboard shows it", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".deletion-notice")))
	run("keep my account", chromedp.Click(chromedp.CSS(`.deletion-notice button`)), chromedp.WaitVisible(chromedp.CSS(".alert-success")))
	if got := text("main"); !strings.Contains(got, "Deletion cancelled") || strings.Contains(got, "will be deleted") {
		t.Errorf("after cancelling: %s", got)
	}
	u, err := s.app.Accounts.User(context.Background(), zoe.ID)
	if err != nil || u.DeletionScheduledFor != nil {
		t.Errorf("still scheduled: %+v %v", u.DeletionScheduledFor, err)
	}
}
