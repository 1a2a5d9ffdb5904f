package blob_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/blob"
	"shipshape/internal/config"
)

func newLocal(t *testing.T) (*blob.Local, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "files")
	l, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, dir
}

// A symlink inside the root that points outside must not let any operation
// read, write or delete outside the root.
func TestLocalSymlinkEscapeRefused(t *testing.T) {
	l, dir := newLocal(t)
	ctx := context.Background()
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("top secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "esc")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}

	for _, key := range []string{"esc/secret.txt", "link"} {
		if r, err := l.Open(ctx, key); err == nil {
			b, _ := io.ReadAll(r)
			r.Close()
			t.Errorf("Open(%s) escaped the root and read %q", key, b)
		}
		if _, err := l.Stat(ctx, key); err == nil {
			t.Errorf("Stat(%s) escaped the root", key)
		}
		l.Delete(ctx, key)
	}
	if _, err := l.Put(ctx, "esc/new", strings.NewReader("x"), 10); err == nil {
		t.Error("Put(esc/new) escaped the root")
	}
	if _, err := l.Put(ctx, "esc/sub/new", strings.NewReader("x"), 10); err == nil {
		t.Error("Put(esc/sub/new) escaped the root")
	}
	for info, err := range l.List(ctx, "") {
		if err == nil && (info.Key == "link" || strings.HasPrefix(info.Key, "esc/")) {
			t.Errorf("List followed a symlink out of the root: %s", info.Key)
		}
	}
	if b, err := os.ReadFile(secret); err != nil || string(b) != "top secret" {
		t.Errorf("file outside the root changed: %q, %v", b, err)
	}
	ents, _ := os.ReadDir(outside)
	if len(ents) != 1 {
		t.Errorf("files appeared outside the root: %v", ents)
	}
}

func TestLocalPermissionsAndLayout(t *testing.T) {
	l, dir := newLocal(t)
	ctx := context.Background()
	if _, err := l.Put(ctx, "releases/r1/files/f1", strings.NewReader("hello"), 10); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "releases", "r1", "files", "f1"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("file mode %v, want no group/other access", fi.Mode())
	}
	for _, d := range []string{dir, filepath.Join(dir, "releases"), filepath.Join(dir, "releases", "r1", "files")} {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("dir %s mode %v, %v; want no group/other access", d, fi.Mode(), err)
		}
	}
	// Delete prunes the directories it empties, not the root.
	if err := l.Delete(ctx, "releases/r1/files/f1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "releases")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("empty directories left after Delete: %v", err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("root removed: %v", err)
	}
}

func TestLocalRemovesStaleTemps(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "files")
	l, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	old, fresh := filepath.Join(dir, ".tmp", "old"), filepath.Join(dir, ".tmp", "fresh")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-48 * time.Hour)
	os.Chtimes(old, long, long)
	l, err = blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := os.Stat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temp file kept: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("recent temp file (maybe an upload in progress) removed: %v", err)
	}
}

// Put and Delete racing in one directory: Delete's pruning must not make Put fail.
func TestLocalConcurrentPutDelete(t *testing.T) {
	l, _ := newLocal(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				key := "shared/dir/" + string(rune('a'+g)) + "-" + string(rune('a'+i%26))
				if _, err := l.Put(ctx, key, newGen(int64(i), 100), 1000); err != nil {
					errs <- err
					return
				}
				if err := l.Delete(ctx, key); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestOpenFromConfigLocal(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	s, err := blob.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, ok := s.(*blob.Local)
	if !ok || l.Dir() != cfg.FilesDir() {
		t.Fatalf("Open = %T, want *blob.Local at %s", s, cfg.FilesDir())
	}
	if _, err := s.Put(context.Background(), "x", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "files", "x")); err != nil {
		t.Error(err)
	}
	if _, err := s.Stat(context.Background(), "nope"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("Stat = %v", err)
	}
}
