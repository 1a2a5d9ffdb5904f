package blob_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"shipshape/internal/apperr"
	"shipshape/internal/blob"
)

const (
	kib = 1 << 10
	mib = 1 << 20
)

func TestPutOpenStatDelete(t *testing.T) {
	forEachStore(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		sizes := []int64{0, 1, 511, 512, 513, 100 * kib, 5 * mib, 40 * mib}
		for i, size := range sizes {
			t.Run(fmt.Sprint(size), func(t *testing.T) {
				seed := int64(i + 1)
				key := b.key(fmt.Sprintf("releases/r%d/files/f%d", i, i))
				wantSHA, _ := sha(newGen(seed, size))

				obj, err := b.store.Put(ctx, key, newGen(seed, size), 64*mib)
				if err != nil {
					t.Fatal(err)
				}
				if obj.Key != key || obj.Size != size || obj.SHA256 != wantSHA {
					t.Fatalf("Put = %+v, want size %d sha %s", obj, size, wantSHA)
				}
				info, err := b.store.Stat(ctx, key)
				if err != nil || info.Size != size || info.Key != key || info.ModTime.IsZero() {
					t.Fatalf("Stat = %+v, %v", info, err)
				}
				r, err := b.store.Open(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				if r.Size() != size || r.ModTime().IsZero() {
					t.Errorf("reader Size = %d, ModTime %v", r.Size(), r.ModTime())
				}
				if got, n := sha(r); got != wantSHA || n != size {
					t.Errorf("read back %d bytes sha %s, want %d %s", n, got, size, wantSHA)
				}
				if size >= 5*mib {
					checkSeek(t, r, seed, size)
				}
				if err := r.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
				if size > 1000 {
					checkServeContentRange(t, b, key, seed, size)
				}
				if err := b.store.Delete(ctx, key); err != nil {
					t.Fatal(err)
				}
				if _, err := b.store.Stat(ctx, key); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("Stat after Delete = %v, want not_found", err)
				}
			})
		}
	})
}

func checkSeek(t *testing.T, r blob.Reader, seed, size int64) {
	t.Helper()
	for _, c := range []struct {
		off    int64
		whence int
		abs    int64
		n      int64
	}{
		{mib + 3, io.SeekStart, mib + 3, 1000},
		{-10, io.SeekEnd, size - 10, 10},
		{0, io.SeekStart, 0, 512},
		{4 * mib, io.SeekCurrent, 4*mib + 512, 4096},
	} {
		pos, err := r.Seek(c.off, c.whence)
		if err != nil || pos != c.abs {
			t.Fatalf("Seek(%d, %d) = %d, %v; want %d", c.off, c.whence, pos, err, c.abs)
		}
		got := make([]byte, c.n)
		if _, err := io.ReadFull(r, got); err != nil {
			t.Fatalf("read after Seek(%d): %v", c.abs, err)
		}
		if !bytes.Equal(got, bytesAt(seed, c.abs, c.n)) {
			t.Errorf("bytes at %d differ", c.abs)
		}
	}
	if end, err := r.Seek(0, io.SeekEnd); err != nil || end != size {
		t.Errorf("Seek to end = %d, %v", end, err)
	}
}

// checkServeContentRange proves the reader works with http.ServeContent.
func checkServeContentRange(t *testing.T, b backend, key string, seed, size int64) {
	t.Helper()
	r, err := b.store.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	req := httptest.NewRequest("GET", "/f", nil)
	req.Header.Set("Range", "bytes=100-199")
	w := httptest.NewRecorder()
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(w, req, "f", r.ModTime(), r)
	if w.Code != http.StatusPartialContent {
		t.Fatalf("ServeContent status %d, want 206", w.Code)
	}
	if cr := w.Header().Get("Content-Range"); cr != fmt.Sprintf("bytes 100-199/%d", size) {
		t.Errorf("Content-Range = %q", cr)
	}
	if !bytes.Equal(w.Body.Bytes(), bytesAt(seed, 100, 100)) {
		t.Errorf("range body differs")
	}
}

func TestContentTypeSniffing(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 600)...)
	gz := []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")
	cases := []struct {
		name string
		body []byte
		want string
	}{
		{"png", png, "image/png"},
		{"gzip", gz, "application/x-gzip"},
		{"zip", []byte("PK\x03\x04rest-of-zip"), "application/zip"},
		{"html", []byte("<!DOCTYPE html><html><body>x</body></html>"), "text/html; charset=utf-8"},
		{"text", []byte("release notes\n"), "text/plain; charset=utf-8"},
		{"binary", []byte{0, 1, 2, 3, 0xfe, 0xff}, "application/octet-stream"},
		{"empty", nil, "text/plain; charset=utf-8"}, // what http.DetectContentType says
		// Only the first 512 bytes count: text after them does not change the verdict.
		{"long", append(bytes.Repeat([]byte{0}, 512), []byte("<html>")...), "application/octet-stream"},
	}
	forEachStore(t, func(t *testing.T, b backend) {
		for _, c := range cases {
			obj, err := b.store.Put(context.Background(), b.key("ct/"+c.name), bytes.NewReader(c.body), mib)
			if err != nil {
				t.Fatal(err)
			}
			if obj.ContentType != c.want || obj.Size != int64(len(c.body)) {
				t.Errorf("%s: content type %q size %d, want %q %d", c.name, obj.ContentType, obj.Size, c.want, len(c.body))
			}
		}
	})
}

func TestPutReplaces(t *testing.T) {
	forEachStore(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		key := b.key("replace/x")
		for _, body := range []string{"first version, longer", "second"} {
			if _, err := b.store.Put(ctx, key, strings.NewReader(body), kib); err != nil {
				t.Fatal(err)
			}
		}
		if got := readAll(t, b.store, key); got != "second" {
			t.Errorf("content %q, want the second Put's", got)
		}
	})
}

func TestSizeLimit(t *testing.T) {
	forEachStore(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		t.Run("ExactlyAtLimit", func(t *testing.T) {
			obj, err := b.store.Put(ctx, b.key("limit/exact"), newGen(1, 1000), 1000)
			if err != nil || obj.Size != 1000 {
				t.Fatalf("Put = %+v, %v", obj, err)
			}
		})
		for _, c := range []struct {
			name      string
			size, max int64
		}{
			{"OneByteOver", 1001, 1000},
			{"OverWithinSniffedHead", 513, 100},
			{"OverAfterFirstPart", 40 * mib, 20 * mib}, // S3: part 1 is uploaded before the limit trips
		} {
			t.Run("Err"+c.name, func(t *testing.T) {
				key := b.key("limit/" + c.name)
				_, err := b.store.Put(ctx, key, newGen(2, c.size), c.max)
				if !apperr.Is(err, apperr.TooLarge) {
					t.Fatalf("Put = %v, want too_large", err)
				}
				if apperr.Status(apperr.CodeOf(err)) != http.StatusRequestEntityTooLarge {
					t.Errorf("status %d", apperr.Status(apperr.CodeOf(err)))
				}
				assertAbsent(t, b, key)
			})
		}
		t.Run("ErrKeepsPreviousObject", func(t *testing.T) {
			key := b.key("limit/keep")
			if _, err := b.store.Put(ctx, key, strings.NewReader("old"), 10); err != nil {
				t.Fatal(err)
			}
			if _, err := b.store.Put(ctx, key, newGen(3, 11), 10); !apperr.Is(err, apperr.TooLarge) {
				t.Fatalf("Put = %v, want too_large", err)
			}
			if got := readAll(t, b.store, key); got != "old" {
				t.Errorf("content %q, want the old object", got)
			}
		})
		t.Run("ErrNonPositiveMax", func(t *testing.T) {
			if _, err := b.store.Put(ctx, b.key("limit/zero"), strings.NewReader(""), 0); err == nil {
				t.Error("Put with maxSize 0 succeeded")
			}
		})
	})
}

var errBoom = errors.New("client went away")

func TestReaderFailsMidway(t *testing.T) {
	forEachStore(t, func(t *testing.T, b backend) {
		for _, n := range []int64{0, 1000, 20 * mib} {
			t.Run(fmt.Sprint(n), func(t *testing.T) {
				key := b.key(fmt.Sprintf("fail/%d", n))
				_, err := b.store.Put(context.Background(), key, &failingReader{g: newGen(4, n), err: errBoom}, 64*mib)
				if !errors.Is(err, errBoom) {
					t.Fatalf("Put = %v, want the reader's error", err)
				}
				assertAbsent(t, b, key)
			})
		}
	})
}

func TestCancelledContext(t *testing.T) {
	forEachStore(t, func(t *testing.T, b backend) {
		t.Run("Midway", func(t *testing.T) {
			for _, after := range []int64{100 * kib, 18 * mib} {
				key := b.key(fmt.Sprintf("cancel/%d", after))
				ctx, cancel := context.WithCancel(context.Background())
				r := &cancellingReader{g: newGen(5, 40*mib), after: after, cancel: cancel}
				_, err := b.store.Put(ctx, key, r, 64*mib)
				cancel()
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Put = %v, want context.Canceled", err)
				}
				assertAbsent(t, b, key)
			}
		})
		t.Run("Before", func(t *testing.T) {
			key := b.key("cancel/before")
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := b.store.Put(ctx, key, strings.NewReader("x"), kib); !errors.Is(err, context.Canceled) {
				t.Fatalf("Put = %v, want context.Canceled", err)
			}
			assertAbsent(t, b, key)
		})
	})
}

func TestNotFoundAndIdempotentDelete(t *testing.T) {
	forEachStore(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		key := b.key("missing/x")
		if _, err := b.store.Open(ctx, key); !apperr.Is(err, apperr.NotFound) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open missing = %v", err)
		}
		if _, err := b.store.Stat(ctx, key); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Stat missing = %v", err)
		}
		if err := b.store.Delete(ctx, key); err != nil {
			t.Errorf("Delete missing = %v", err)
		}
		if _, err := b.store.Put(ctx, key, strings.NewReader("x"), kib); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := b.store.Delete(ctx, key); err != nil {
				t.Errorf("Delete = %v", err)
			}
		}
		// A prefix of keys is not an object.
		if _, err := b.store.Stat(ctx, b.key("missing")); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Stat of a directory-like prefix = %v", err)
		}
	})
}

func TestList(t *testing.T) {
	forEachStore(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		for _, k := range []string{"a/1", "a/2", "a/b/3", "ab/4", "c"} {
			if _, err := b.store.Put(ctx, b.key(k), strings.NewReader(k), kib); err != nil {
				t.Fatal(err)
			}
		}
		list := func(prefix string) []string {
			var keys []string
			for info, err := range b.store.List(ctx, b.key(prefix)) {
				if err != nil {
					t.Fatal(err)
				}
				if info.Size != int64(len(strings.TrimPrefix(info.Key, b.prefix))) {
					t.Errorf("%s: size %d", info.Key, info.Size)
				}
				keys = append(keys, strings.TrimPrefix(info.Key, b.prefix))
			}
			slices.Sort(keys)
			return keys
		}
		for prefix, want := range map[string][]string{
			"a/":   {"a/1", "a/2", "a/b/3"},
			"a":    {"a/1", "a/2", "a/b/3", "ab/4"},
			"":     {"a/1", "a/2", "a/b/3", "ab/4", "c"},
			"a/b/": {"a/b/3"},
			"zz/":  nil,
		} {
			if got := list(prefix); !slices.Equal(got, want) {
				t.Errorf("List(%q) = %v, want %v", prefix, got, want)
			}
		}
		n := 0
		for range b.store.List(ctx, b.prefix) {
			n++
			break
		}
		if n != 1 {
			t.Errorf("early break: %d", n)
		}
		for _, err := range b.store.List(ctx, "../") {
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("List(../) = %v, want invalid", err)
			}
		}
	})
}

var badKeys = []string{
	"", "../x", "a/../b", "a/..", "..", ".", "./a", "/abs", "a\\b", "a//b", "a/", "/",
	".hidden", "a/.tmp/x", ".tmp/x", "-dash", "a b", "a\x00b", "a\nb", "a\tb", "a\x7fb",
	"ü", "a%2fb", "a:b", "a?b", "a*b", "C:\\x", strings.Repeat("a", blob.MaxKeyLen+1),
}

var goodKeys = []string{
	"releases/0190b3a2-7f3e-7c1a-9b1e-0a1b2c3d4e5f/files/0190b3a2-7f3e-7c1a-9b1e-0a1b2c3d4e60",
	"a", "A9", "a/b/c", "file.tar.gz", "x_y-z", "v1..2", "a/b..c", strings.Repeat("a", blob.MaxKeyLen),
}

func TestKeyValidation(t *testing.T) {
	for _, k := range goodKeys {
		if err := blob.ValidateKey(k); err != nil {
			t.Errorf("ValidateKey(%q) = %v", k, err)
		}
	}
	for _, k := range badKeys {
		if err := blob.ValidateKey(k); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("ValidateKey(%q) = %v, want invalid", k, err)
		}
	}
	forEachStore(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		for _, k := range badKeys {
			if _, err := b.store.Put(ctx, k, strings.NewReader("x"), kib); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("Put(%q) = %v", k, err)
			}
			if _, err := b.store.Open(ctx, k); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("Open(%q) = %v", k, err)
			}
			if _, err := b.store.Stat(ctx, k); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("Stat(%q) = %v", k, err)
			}
			if err := b.store.Delete(ctx, k); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("Delete(%q) = %v", k, err)
			}
		}
	})
}

func readAll(t *testing.T, s blob.Store, key string) string {
	t.Helper()
	r, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
