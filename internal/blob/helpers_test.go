package blob_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"shipshape/internal/apperr"
	"shipshape/internal/blob"
	"shipshape/internal/config"
)

// backend is one store under test plus a per-test key prefix.
type backend struct {
	name   string
	store  blob.Store
	prefix string // unique per test, ends in "/"
	local  *blob.Local
	s3     *blob.S3
}

func (b backend) key(k string) string { return b.prefix + k }

// forEachStore runs fn against the local store and, when SHIPSHAPE_TEST_S3 is
// set, against the S3 server it names.
func forEachStore(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Helper()
	t.Run("local", func(t *testing.T) {
		l, err := blob.NewLocal(filepath.Join(t.TempDir(), "files"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		fn(t, backend{name: "local", store: l, prefix: "t-" + randHex(6) + "/", local: l})
	})
	t.Run("s3", func(t *testing.T) {
		s := testS3(t)
		prefix := "t-" + randHex(6) + "/"
		t.Cleanup(func() {
			ctx := context.Background()
			for info, err := range s.List(ctx, prefix) {
				if err != nil {
					t.Errorf("cleanup list: %v", err)
					break
				}
				s.Delete(ctx, info.Key)
			}
		})
		fn(t, backend{name: "s3", store: s, prefix: prefix, s3: s})
	})
}

// testS3 opens the S3 store of SHIPSHAPE_TEST_S3, creating its bucket if
// missing (only tests do that), or skips.
func testS3(t testing.TB) *blob.S3 {
	t.Helper()
	raw := os.Getenv("SHIPSHAPE_TEST_S3")
	if raw == "" {
		t.Skip("SHIPSHAPE_TEST_S3 not set (scripts/test.sh starts a throwaway versitygw)")
	}
	loc, err := config.ParseS3URL(raw)
	if err != nil {
		t.Fatalf("SHIPSHAPE_TEST_S3: %v", err)
	}
	ak, sk := os.Getenv("SHIPSHAPE_TEST_S3_ACCESS_KEY"), os.Getenv("SHIPSHAPE_TEST_S3_SECRET_KEY")
	ctx := context.Background()
	s, err := blob.NewS3(ctx, blob.S3Options{Location: loc, AccessKey: ak, SecretKey: sk})
	if err != nil {
		lookup := minio.BucketLookupPath
		c, cerr := minio.New(loc.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(ak, sk, ""), Secure: loc.TLS, Region: loc.Region, BucketLookup: lookup})
		if cerr != nil {
			t.Fatal(err)
		}
		if ok, _ := c.BucketExists(ctx, loc.Bucket); ok {
			t.Fatal(err)
		}
		if merr := c.MakeBucket(ctx, loc.Bucket, minio.MakeBucketOptions{Region: loc.Region}); merr != nil {
			t.Fatalf("%v; creating it: %v", err, merr)
		}
		if s, err = blob.NewS3(ctx, blob.S3Options{Location: loc, AccessKey: ak, SecretKey: sk}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// gen is a deterministic byte stream of n bytes: byte i depends only on seed
// and i, so any range can be regenerated without holding the body.
type gen struct {
	seed, off, n int64
}

func newGen(seed, n int64) *gen { return &gen{seed: seed, n: n} }

func mix(x uint64) uint64 { // splitmix64
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (g *gen) Read(p []byte) (int, error) {
	if g.off >= g.n {
		return 0, io.EOF
	}
	if rem := g.n - g.off; int64(len(p)) > rem {
		p = p[:rem]
	}
	var w [8]byte
	i := 0
	for i < len(p) {
		block := (g.off + int64(i)) / 8
		binary.LittleEndian.PutUint64(w[:], mix(uint64(g.seed)<<40^uint64(block)))
		start := int((g.off + int64(i)) % 8)
		i += copy(p[i:], w[start:])
	}
	g.off += int64(len(p))
	return len(p), nil
}

// bytesAt regenerates [off, off+n) of the stream.
func bytesAt(seed, off, n int64) []byte {
	g := &gen{seed: seed, off: off, n: off + n}
	b, _ := io.ReadAll(g)
	return b
}

func sha(r io.Reader) (string, int64) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		panic(err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

// failingReader yields n bytes of gen and then fails with err.
type failingReader struct {
	g   *gen
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.g.Read(p)
	if err == io.EOF {
		return 0, f.err
	}
	return n, err
}

// cancellingReader cancels its context once more than after bytes were read,
// then keeps producing data (like a client that is still sending).
type cancellingReader struct {
	g      *gen
	after  int64
	read   int64
	cancel context.CancelFunc
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	n, err := c.g.Read(p)
	c.read += int64(n)
	if c.read > c.after {
		c.cancel()
	}
	return n, err
}

// assertAbsent checks that nothing is visible under key — and, on S3, that
// no multipart upload was left behind for it.
func assertAbsent(t *testing.T, b backend, key string) {
	t.Helper()
	ctx := context.Background()
	if _, err := b.store.Stat(ctx, key); !apperr.Is(err, apperr.NotFound) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(%s) after failed Put = %v, want not_found", key, err)
	}
	if r, err := b.store.Open(ctx, key); err == nil {
		r.Close()
		t.Errorf("Open(%s) after failed Put succeeded", key)
	}
	for info, err := range b.store.List(ctx, key) {
		t.Errorf("List(%s) after failed Put yields %+v, %v", key, info, err)
	}
	if b.local != nil {
		ents, err := os.ReadDir(filepath.Join(b.local.Dir(), ".tmp"))
		if err != nil || len(ents) != 0 {
			t.Errorf("temp dir after failed Put: %d entries, %v", len(ents), err)
		}
	}
	if b.s3 != nil {
		for u := range b.s3.Client().ListIncompleteUploads(ctx, b.s3.Bucket(), b.s3.ObjectName(key), true) {
			if u.Err != nil {
				t.Errorf("ListIncompleteUploads: %v", u.Err)
				break
			}
			t.Errorf("multipart upload left behind: %s %s", u.Key, u.UploadID)
		}
	}
}
