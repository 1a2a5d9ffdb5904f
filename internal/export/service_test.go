package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/consent"
	"shipshape/internal/db"
	"shipshape/internal/doc"
	"shipshape/internal/export"
	"shipshape/internal/owner"
	"shipshape/internal/perm"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/testkit"
	"shipshape/internal/workspace"
)

// markers are unique strings put in every field and content type a person
// can fill; each must come back in their export.
var markers = map[string]string{
	"name":        "Xenia Markerperson",
	"email":       "xenia.marker-mail@example.org",
	"company":     "CompanyMarkerQ7",
	"job title":   "JobTitleMarkerZ3",
	"workspace":   "WorkspaceNameMarkerK1",
	"team":        "TeamNameMarkerT4",
	"project":     "ProjectDescMarkerP2",
	"release":     "ReleaseNameMarkerR5",
	"release doc": "ReleaseDescMarkerR6",
	"reason":      "CancelReasonMarkerC8",
	"doc title":   "DocTitleMarkerD1",
	"doc body":    "DocBodyMarkerD2",
	"doc v2":      "DocBodyVersionTwoMarkerD3",
	"rel file":    "relfile-marker-F1.txt",
	"rel bytes":   "ReleaseFileBytesMarkerB1",
	"doc file":    "docfile-marker-F2.txt",
	"doc bytes":   "DocumentFileBytesMarkerB2",
	"token":       "TokenNameMarkerN9",
	"ip":          "203.0.113.77",
	"user agent":  "UserAgentMarkerU5",
	"consent":     "marketing_email",
}

// world: Xenia (the exporter) and Other Person in workspace mkws.
type world struct {
	app          *app.App
	clock        *testkit.Clock
	xenia, other account.User
	actor        audit.Actor
}

func newWorld(t *testing.T, d *db.DB) world {
	t.Helper()
	ctx := context.Background()
	clock := testkit.NewClock()
	a := testkit.NewApp(t, d, clock)
	x, err := a.Accounts.CreateUser(ctx, account.SignupInput{Name: markers["name"], Email: markers["email"], Password: testkit.Password}, false)
	if err != nil {
		t.Fatal(err)
	}
	o := testkit.MustUser(t, a, "Other Person")
	return world{app: a, clock: clock, xenia: x, other: o, actor: audit.Actor{UserID: x.ID, IP: markers["ip"], UserAgent: markers["user agent"]}}
}

func (w world) otherActor() audit.Actor {
	return audit.Actor{UserID: w.other.ID, IP: "198.51.100.9", UserAgent: "OtherPersonAgentLeak"}
}

// fill has Xenia create something of every kind, with markers.
func (w world) fill(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	a, act := w.app, w.actor
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	company, job := markers["company"], markers["job title"]
	_, err := a.Accounts.UpdateProfile(ctx, act, account.Principal{User: w.xenia}, account.ProfilePatch{Company: &company, JobTitle: &job})
	must(err)
	_, _, err = a.Accounts.Login(ctx, act, markers["email"], testkit.Password)
	must(err)
	_, _, err = a.Accounts.CreateToken(ctx, act, w.xenia.ID, account.TokenInput{Name: markers["token"], Scopes: []string{"read"}})
	must(err)
	_, err = a.Workspaces.Create(ctx, act, workspace.CreateInput{Slug: "mkws", Name: markers["workspace"]})
	must(err)
	testkit.MustJoin(t, a, w.xenia, "mkws", w.other, "admin")
	_, err = a.Workspaces.CreateTeam(ctx, act, "mkws", workspace.TeamInput{Slug: "mkteam", Name: markers["team"]})
	must(err)
	must(a.Workspaces.SetTeamMember(ctx, act, "mkws", "mkteam", w.xenia.ID, true))
	p, err := a.Projects.Create(ctx, act, "mkws", project.CreateInput{Key: "MKP", Name: "Marker project", Description: markers["project"]})
	must(err)
	_, err = a.Releases.Create(ctx, act, "mkws", "MKP", release.CreateInput{Version: "1.0.0", Name: markers["release"], Description: markers["release doc"]})
	must(err)
	body := markers["rel bytes"]
	_, err = a.Releases.PutFile(ctx, act, "mkws", "MKP", "1.0.0", markers["rel file"], strings.NewReader(body), int64(len(body)))
	must(err)
	_, err = a.Releases.Create(ctx, act, "mkws", "MKP", release.CreateInput{Version: "1.1.0"})
	must(err)
	_, err = a.Releases.Transition(ctx, act, "mkws", "MKP", "1.1.0", release.TransitionInput{To: release.Cancelled, Reason: markers["reason"]})
	must(err)
	dc, err := a.Docs.Create(ctx, act, "mkws", doc.CreateInput{Title: markers["doc title"], Type: "design", Body: markers["doc body"], Project: "MKP", Visibility: "workspace"})
	must(err)
	v2 := markers["doc v2"]
	_, err = a.Docs.Update(ctx, act, "mkws", dc.ID, doc.Patch{Body: &v2})
	must(err)
	body = markers["doc bytes"]
	_, err = a.Docs.PutFile(ctx, act, "mkws", dc.ID, markers["doc file"], strings.NewReader(body), int64(len(body)))
	must(err)
	on := true
	_, err = a.Consent.Set(ctx, act, consent.Patch{MarketingEmail: &on}, consent.Web, false)
	must(err)
	// Xenia makes Other Person an owner (their id lands in an audit label),
	// and Other Person acts on Xenia (an event about her, by them).
	_, err = a.Owners.Set(ctx, act, "mkws", owner.SetInput{Target: owner.TargetRef{Type: owner.Project, ID: p.ID},
		Owners: []owner.Assignment{{Kind: owner.User, ID: w.other.ID, Role: owner.Technical}, {Kind: owner.User, ID: w.xenia.ID, Role: owner.Accountable}}})
	must(err)
	_, err = a.Workspaces.ChangeRole(ctx, act, "mkws", w.other.ID, perm.Member)
	must(err)
	_, err = a.Workspaces.ChangeRole(ctx, act, "mkws", w.other.ID, perm.Admin)
	must(err)
	_, err = a.Workspaces.CreateTeam(ctx, w.otherActor(), "mkws", workspace.TeamInput{Slug: "other-team", Name: "Other team"})
	must(err)
	must(a.Workspaces.SetTeamMember(ctx, w.otherActor(), "mkws", "other-team", w.xenia.ID, true))
}

// build requests Xenia's export and runs the job; returns the archive.
func (w world) build(t *testing.T) (export.Export, []byte) {
	t.Helper()
	ctx := context.Background()
	e, err := w.app.Exports.Request(ctx, w.actor)
	if err != nil {
		t.Fatal(err)
	}
	w.app.Exports.Wait()
	if err := w.app.Exports.RunDue(ctx, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	got, rd, err := w.app.Exports.Open(ctx, w.actor, e.ID)
	if err != nil {
		t.Fatalf("open: %v (export %+v)", err, got)
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return got, b
}

// unzip returns every file of the archive by name, checking the manifest:
// written last, listing every other file with its correct SHA-256 and size.
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	files := map[string][]byte{}
	var order []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = data
		order = append(order, f.Name)
	}
	if order[len(order)-1] != "manifest.json" {
		t.Errorf("manifest.json is not the last entry: %v", order)
	}
	var man struct {
		SchemaVersion int `json:"schema_version"`
		Sections      []struct {
			Path   string `json:"path"`
			Bytes  int64  `json:"bytes"`
			SHA256 string `json:"sha256"`
		} `json:"sections"`
		Files []struct {
			Path   string `json:"path"`
			Bytes  int64  `json:"bytes"`
			SHA256 string `json:"sha256"`
		} `json:"files"`
	}
	if err := json.Unmarshal(files["manifest.json"], &man); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if man.SchemaVersion != export.SchemaVersion {
		t.Errorf("schema_version %d", man.SchemaVersion)
	}
	listed := map[string]bool{"manifest.json": true}
	for _, s := range append(man.Sections, man.Files...) {
		listed[s.Path] = true
		data, ok := files[s.Path]
		if !ok {
			t.Errorf("manifest lists %s, which is not in the archive", s.Path)
			continue
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != s.SHA256 || int64(len(data)) != s.Bytes {
			t.Errorf("%s: manifest says %d bytes sha256 %s; the file has %d bytes sha256 %x", s.Path, s.Bytes, s.SHA256, len(data), sum)
		}
		if strings.HasSuffix(s.Path, ".json") && !json.Valid(data) {
			t.Errorf("%s is not valid JSON: %.300s", s.Path, data)
		}
	}
	for _, name := range order {
		if !listed[name] {
			t.Errorf("%s is in the archive but not in the manifest", name)
		}
	}
	return files
}

func TestExportHoldsEverythingAndNobodyElse(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.fill(t)
		e, b := w.build(t)
		if e.Status != export.Ready || e.Size == nil || *e.Size != int64(len(b)) {
			t.Fatalf("export %+v, archive %d bytes", e, len(b))
		}
		sum := sha256.Sum256(b)
		if e.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("sha256 %s, archive %x", e.SHA256, sum)
		}
		files := unzip(t, b)
		for _, want := range []string{"profile.json", "memberships.json", "teams.json", "sessions.json", "tokens.json", "audit.json",
			"contributions.json", "ownerships.json", "invitations.json", "consents.json", "policy_acceptances.json", "index.html", "manifest.json",
			"files/mkws/MKP-1.0.0/" + markers["rel file"]} {
			if _, ok := files[want]; !ok {
				t.Errorf("archive lacks %s", want)
			}
		}
		var all strings.Builder
		for name, data := range files {
			all.WriteString(name + "\n")
			all.Write(data)
		}
		text := all.String()
		for what, m := range markers {
			if !strings.Contains(text, m) {
				t.Errorf("the %s (%q) is not in the export", what, m)
			}
		}
		if !strings.Contains(string(files["index.html"]), markers["company"]) || !strings.Contains(string(files["index.html"]), markers["workspace"]) {
			t.Error("index.html does not show the profile and workspaces")
		}
		// Other Person: never their name, e-mail or id; only the pseudonym.
		for _, leak := range []string{w.other.Name, w.other.Email, w.other.ID, "OtherPersonAgentLeak", "198.51.100.9"} {
			if strings.Contains(text, leak) {
				t.Errorf("the export contains another person's %q", leak)
			}
		}
		if !strings.Contains(text, export.Pseudonym(w.other.ID)) {
			t.Error("the other person's pseudonym is missing (ownership, role change)")
		}
		for _, secret := range []string{`"password_hash"`, `"token_hash"`, "argon2id"} {
			if strings.Contains(text, secret) {
				t.Errorf("the export contains %s", secret)
			}
		}
		// Other Person's own export does not contain Xenia's session or profile.
		oa := testkit.Actor(w.other)
		oe, err := w.app.Exports.Request(context.Background(), oa)
		if err != nil {
			t.Fatal(err)
		}
		w.app.Exports.Wait()
		if err := w.app.Exports.RunDue(context.Background(), w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		_, rd, err := w.app.Exports.Open(context.Background(), oa, oe.ID)
		if err != nil {
			t.Fatal(err)
		}
		ob, _ := io.ReadAll(rd)
		rd.Close()
		otext := ""
		for _, data := range unzip(t, ob) {
			otext += string(data)
		}
		for _, leak := range []string{markers["name"], markers["email"], markers["company"], markers["user agent"], w.xenia.ID} {
			if strings.Contains(otext, leak) {
				t.Errorf("Other Person's export contains Xenia's %q", leak)
			}
		}
	})
}

func TestExportLifecycle(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		w.app.Exports.BuildOnRequest = false // the test runs the job itself
		e, err := w.app.Exports.Request(ctx, w.actor)
		if err != nil || e.Status != export.Queued {
			t.Fatalf("request: %+v %v", e, err)
		}
		// One active export at a time: asking again returns the same one.
		again, err := w.app.Exports.Request(ctx, w.actor)
		if err != nil || again.ID != e.ID {
			t.Fatalf("second request %+v %v, want %s", again, err, e.ID)
		}
		// Not ready: no download; someone else's: not found.
		if _, _, err := w.app.Exports.Open(ctx, w.actor, e.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("open before ready: %v", err)
		}
		if _, err := w.app.Exports.Get(ctx, w.other.ID, e.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("someone else's export: %v", err)
		}
		if err := w.app.Exports.RunDue(ctx, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		got, err := w.app.Exports.Get(ctx, w.xenia.ID, e.ID)
		if err != nil || got.Status != export.Ready || got.ExpiresAt == nil || !got.ExpiresAt.Equal(w.clock.Now().Add(48*time.Hour)) {
			t.Fatalf("after the job: %+v %v", got, err)
		}
		if _, _, err := w.app.Exports.Open(ctx, testkit.Actor(w.other), e.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("someone else downloads: %v", err)
		}
		// A new request is allowed once the previous one is done.
		next, err := w.app.Exports.Request(ctx, w.actor)
		if err != nil || next.ID == e.ID {
			t.Fatalf("request after ready: %+v %v", next, err)
		}
		// Expiry: the archive goes from storage, the row reads expired.
		w.clock.Advance(48*time.Hour + time.Second)
		if got, _ := w.app.Exports.Get(ctx, w.xenia.ID, e.ID); got.Status != export.Expired {
			t.Errorf("past expiry, before the job: %s", got.Status)
		}
		if err := w.app.Exports.Expire(ctx, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.app.Exports.Open(ctx, w.actor, e.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("open after expiry: %v", err)
		}
		if _, err := w.app.Blobs.Stat(ctx, "exports/"+e.ID+".zip"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("the archive is still in storage: %v", err)
		}
		// Audit: request and download are in the site chain.
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE chain = 'site' AND action LIKE 'export.%' AND actor_id = ?`, w.xenia.ID).Scan(&n); err != nil || n != 2 {
			t.Errorf("export audit events: %d %v (want 2 requests)", n, err)
		}
		// Account erasure removes the rows and the archives.
		if err := w.app.Exports.RunDue(ctx, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if err := d.InTx(ctx, func(tx *db.Tx) error { return w.app.Exports.EraseUser(ctx, tx, w.xenia.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Blobs.Stat(ctx, "exports/"+next.ID+".zip"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("the erased person's archive is still in storage: %v", err)
		}
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM exports WHERE user_id = ?`, w.xenia.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d exports left after erasure (%v)", n, err)
		}
	})
}

// TestExportClaimIsExclusive runs the job on several "instances" at once:
// each queued export is built exactly once.
func TestExportClaimIsExclusive(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		w.app.Exports.BuildOnRequest = false
		var ids []string
		for i := range 3 {
			u := testkit.MustUser(t, w.app, "Person "+string(rune('A'+i)))
			e, err := w.app.Exports.Request(ctx, testkit.Actor(u))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, e.ID)
		}
		other := &export.Service{DB: d, Blobs: w.app.Blobs, Now: w.clock.Now}
		errs := make(chan error, 2)
		go func() { errs <- w.app.Exports.RunDue(ctx, w.clock.Now()) }()
		go func() { errs <- other.RunDue(ctx, w.clock.Now()) }()
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		var ready int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM exports WHERE status = 'ready'`).Scan(&ready); err != nil || ready != len(ids) {
			t.Fatalf("%d ready exports, want %d (%v)", ready, len(ids), err)
		}
	})
}

// TestExportLeavesOutWhatOthersRewroteAfterSheLeft: a document Xenia
// created in a workspace she later left, renamed by someone else and made
// owners-only, is not in her export with its current title; the version she
// wrote is.
func TestExportLeavesOutWhatOthersRewroteAfterSheLeft(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		ws, err := w.app.Workspaces.Create(ctx, w.otherActor(), workspace.CreateInput{Slug: "theirs", Name: "Theirs"})
		if err != nil {
			t.Fatal(err)
		}
		testkit.MustJoin(t, w.app, w.other, ws.Slug, w.xenia, "member")
		dd, err := w.app.Docs.Create(ctx, w.actor, ws.Slug, doc.CreateInput{Title: "Xenia wrote this", Type: doc.Design, Body: "her words", Visibility: doc.VisWorkspace})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.app.Workspaces.RemoveMember(ctx, w.otherActor(), ws.Slug, w.xenia.ID); err != nil {
			t.Fatal(err)
		}
		title, vis := "Layoff plan Zeta", doc.VisOwners
		if _, err := w.app.Docs.Update(ctx, w.otherActor(), ws.Slug, dd.ID, doc.Patch{Title: &title, Visibility: &vis}); err != nil {
			t.Fatal(err)
		}
		_, b := w.build(t)
		files := unzip(t, b)
		text := string(files["contributions.json"])
		if strings.Contains(text, "Layoff plan Zeta") {
			t.Errorf("the export shows a title someone else wrote after she left:\n%s", text)
		}
		if !strings.Contains(text, "Xenia wrote this") || !strings.Contains(text, "her words") {
			t.Errorf("the export lacks the version she wrote:\n%s", text)
		}
	})
}
