package release_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"shipshape/internal/apperr"
	"shipshape/internal/blob"
	"shipshape/internal/config"
	"shipshape/internal/db"
	"shipshape/internal/release"
	"shipshape/internal/testkit"
)

func hexSHA(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// keys lists the objects stored under a release's files prefix.
func keys(t *testing.T, s blob.Store, releaseID string) []string {
	t.Helper()
	var out []string
	for info, err := range s.List(ctx, "releases/"+releaseID+"/files/") {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, info.Key)
	}
	return out
}

// fileFlow is the core flow, run against whatever store svc uses.
func fileFlow(t *testing.T, tm *team, svc *release.Service) {
	r := tm.create(t, "1.2.0")
	put := func(name string, body []byte) (release.File, error) {
		return svc.PutFile(ctx, tm.cid, "acme", "PAY", "1.2.0", name, bytes.NewReader(body), int64(len(body)))
	}
	a := bytes.Repeat([]byte("first version\n"), 1000)
	f, err := put("app.tar.gz", a)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "app.tar.gz" || f.Size != int64(len(a)) || f.SHA256 != hexSHA(a) || !strings.HasPrefix(f.ContentType, "text/plain") || f.UploadedBy != tm.cid.UserID {
		t.Errorf("uploaded %+v", f)
	}
	list, err := svc.Files(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0")
	if err != nil || len(list) != 1 || list[0].SHA256 != f.SHA256 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	read := func() []byte {
		t.Helper()
		_, rd, err := svc.OpenFile(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0", "app.tar.gz")
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		b, err := io.ReadAll(rd)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(read(), a) {
		t.Error("downloaded bytes differ")
	}
	first := keys(t, svc.Blobs, r.ID)
	if len(first) != 1 {
		t.Fatalf("objects after upload: %v", first)
	}
	// Replace: new object, old one gone, one row.
	b := []byte("\x1f\x8b second version")
	if _, err := put("app.tar.gz", b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(), b) {
		t.Error("replacement not served")
	}
	if k := keys(t, svc.Blobs, r.ID); len(k) != 1 || k[0] == first[0] {
		t.Errorf("objects after replace: %v (first %v)", k, first)
	}
	if list, _ := svc.Files(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0"); len(list) != 1 || list[0].SHA256 != hexSHA(b) {
		t.Errorf("list after replace = %+v", list)
	}
	// Refusals leave nothing behind.
	_, err = svc.PutFile(ctx, tm.dee, "acme", "PAY", "1.2.0", "x", strings.NewReader("x"), 1)
	wantCode(t, err, apperr.Forbidden)
	_, err = svc.PutFile(ctx, tm.eve, "acme", "PAY", "1.2.0", "x", strings.NewReader("x"), 1)
	wantCode(t, err, apperr.NotFound)
	_, err = put("../x", []byte("x"))
	wantCode(t, err, apperr.Invalid)
	small := &release.Service{DB: svc.DB, Now: svc.Now, Workspaces: svc.Workspaces, Projects: svc.Projects, Blobs: svc.Blobs, Log: svc.Log, MaxUpload: 10}
	_, err = small.PutFile(ctx, tm.cid, "acme", "PAY", "1.2.0", "big", bytes.NewReader(make([]byte, 11)), -1)
	wantCode(t, err, apperr.TooLarge)
	_, err = small.PutFile(ctx, tm.cid, "acme", "PAY", "1.2.0", "big", bytes.NewReader(make([]byte, 5)), 11)
	wantCode(t, err, apperr.TooLarge)
	if k := keys(t, svc.Blobs, r.ID); len(k) != 1 {
		t.Errorf("objects after refusals: %v", k)
	}
	// Delete.
	wantCode(t, svc.DeleteFile(ctx, tm.dee, "acme", "PAY", "1.2.0", "app.tar.gz"), apperr.Forbidden)
	if err := svc.DeleteFile(ctx, tm.cid, "acme", "PAY", "1.2.0", "app.tar.gz"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, svc.DeleteFile(ctx, tm.cid, "acme", "PAY", "1.2.0", "app.tar.gz"), apperr.NotFound)
	if _, _, err := svc.OpenFile(ctx, tm.cid.UserID, "acme", "PAY", "1.2.0", "app.tar.gz"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("open deleted: %v", err)
	}
	if k := keys(t, svc.Blobs, r.ID); len(k) != 0 {
		t.Errorf("objects after delete: %v", k)
	}
	// Released: frozen.
	if _, err := put("a.txt", []byte("a")); err != nil {
		t.Fatal(err)
	}
	for _, to := range []release.Status{release.InProgress, release.InReview, release.Released} {
		tm.move(t, "1.2.0", to, "")
	}
	_, err = put("b.txt", []byte("b"))
	wantCode(t, err, apperr.Conflict)
	wantCode(t, svc.DeleteFile(ctx, tm.cid, "acme", "PAY", "1.2.0", "a.txt"), apperr.Conflict)
	if k := keys(t, svc.Blobs, r.ID); len(k) != 1 {
		t.Errorf("objects of the released release: %v", k)
	}
	// A shipped release keeps its files; an unshipped one takes them along
	// when it is deleted.
	wantCode(t, svc.Delete(ctx, tm.ana, "acme", "PAY", "1.2.0"), apperr.Conflict)
	r2 := tm.create(t, "1.3.0")
	if _, err := svc.PutFile(ctx, tm.cid, "acme", "PAY", "1.3.0", "c.txt", bytes.NewReader([]byte("c")), 1); err != nil {
		t.Fatal(err)
	}
	if err := svc.Delete(ctx, tm.ana, "acme", "PAY", "1.3.0"); err != nil {
		t.Fatal(err)
	}
	if k := keys(t, svc.Blobs, r2.ID); len(k) != 0 {
		t.Errorf("objects after deleting the release: %v", k)
	}
	var n int
	// Only the shipped release's a.txt is left.
	if err := tm.d.QueryRow(ctx, `SELECT COUNT(*) FROM release_files`).Scan(&n); err != nil || n != 1 {
		t.Errorf("rows left: %d, %v", n, err)
	}
	if err := tm.d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE action IN ('release.file_upload', 'release.file_delete')`).Scan(&n); err != nil || n != 5 {
		t.Errorf("file audit events: %d, %v", n, err)
	}
}

func TestFilesLocal(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		fileFlow(t, tm, tm.Releases)
	})
}

func TestFilesS3(t *testing.T) {
	s := testS3(t)
	t.Cleanup(func() { s.Close() })
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		r := tm.Releases
		svc := &release.Service{DB: r.DB, Now: r.Now, Workspaces: r.Workspaces, Projects: r.Projects, Blobs: s, Log: r.Log, MaxUpload: r.MaxUpload}
		fileFlow(t, tm, svc)
	})
}

// A failing body or a failing transaction leaves no row and no object.
func TestFileUploadFailuresLeaveNothing(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		r := tm.create(t, "1.0.0")
		broken := io.MultiReader(bytes.NewReader(make([]byte, 1<<20)), errReader{})
		if _, err := tm.Releases.PutFile(ctx, tm.cid, "acme", "PAY", "1.0.0", "a.bin", broken, -1); err == nil {
			t.Fatal("broken body accepted")
		}
		// The release is released while the bytes go up: the transaction
		// refuses and the new object is deleted.
		slow := &hookReader{r: bytes.NewReader(make([]byte, 1<<20)), hook: func() {
			for _, to := range []release.Status{release.InProgress, release.InReview, release.Released} {
				tm.move(t, "1.0.0", to, "")
			}
		}}
		_, err := tm.Releases.PutFile(ctx, tm.cid, "acme", "PAY", "1.0.0", "a.bin", slow, -1)
		wantCode(t, err, apperr.Conflict)
		if k := keys(t, tm.Blobs, r.ID); len(k) != 0 {
			t.Errorf("objects left: %v", k)
		}
		if fs, err := tm.Releases.Files(ctx, tm.cid.UserID, "acme", "PAY", "1.0.0"); err != nil || len(fs) != 0 {
			t.Errorf("files = %v, %v", fs, err)
		}
	})
}

func TestFileNames(t *testing.T) {
	for _, ok := range []string{"app.tar.gz", "a", "ação v1.0.zip", strings.Repeat("x", 255), "a b", ".hidden"} {
		if err := release.ValidateFileName(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "../x", "a/b", `a\b`, "a..b", "a\x00b", "a\nb", "a\x7fb", "\u202etxt.exe", " a", "a ", "a\t",
		strings.Repeat("x", 256), "\xff"} {
		err := release.ValidateFileName(bad)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Fields["name"] == "" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// hookReader calls hook once, at EOF.
type hookReader struct {
	r    io.Reader
	hook func()
	done bool
}

func (h *hookReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if err == io.EOF && !h.done {
		h.done = true
		h.hook()
	}
	return n, err
}

// testS3 opens the store of SHIPSHAPE_TEST_S3 (creating its bucket) or skips.
func testS3(t testing.TB) *blob.S3 {
	t.Helper()
	raw := os.Getenv("SHIPSHAPE_TEST_S3")
	if raw == "" {
		t.Skip("SHIPSHAPE_TEST_S3 not set")
	}
	loc, err := config.ParseS3URL(raw)
	if err != nil {
		t.Fatalf("SHIPSHAPE_TEST_S3: %v", err)
	}
	ak, sk := os.Getenv("SHIPSHAPE_TEST_S3_ACCESS_KEY"), os.Getenv("SHIPSHAPE_TEST_S3_SECRET_KEY")
	c := context.Background()
	s, err := blob.NewS3(c, blob.S3Options{Location: loc, AccessKey: ak, SecretKey: sk})
	if err == nil {
		return s
	}
	mc, cerr := minio.New(loc.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(ak, sk, ""), Secure: loc.TLS, Region: loc.Region, BucketLookup: minio.BucketLookupPath})
	if cerr != nil {
		t.Fatal(err)
	}
	if merr := mc.MakeBucket(c, loc.Bucket, minio.MakeBucketOptions{Region: loc.Region}); merr != nil {
		t.Fatalf("%v; creating the bucket: %v", err, merr)
	}
	if s, err = blob.NewS3(c, blob.S3Options{Location: loc, AccessKey: ak, SecretKey: sk}); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDeletingAProjectRemovesItsFilesFromStorage: the rows cascade with the
// project; the stored objects must not be left behind.
func TestDeletingAProjectRemovesItsFilesFromStorage(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		r := tm.create(t, "2.0.0")
		body := []byte("artifact bytes")
		if _, err := tm.Releases.PutFile(ctx, tm.cid, "acme", "PAY", "2.0.0", "app.bin", bytes.NewReader(body), int64(len(body))); err != nil {
			t.Fatal(err)
		}
		if n := len(keys(t, tm.Blobs, r.ID)); n != 1 {
			t.Fatalf("%d objects after upload, want 1", n)
		}
		if err := tm.Projects.Delete(ctx, tm.ana, "acme", "PAY"); err != nil {
			t.Fatal(err)
		}
		if left := keys(t, tm.Blobs, r.ID); len(left) != 0 {
			t.Fatalf("objects left after the project was deleted: %v", left)
		}
	})
}
