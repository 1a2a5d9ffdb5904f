// Package blob stores uploaded files (release artifacts) by key, either in a
// local directory (the default, config.FilesDir) or in an S3-compatible bucket.
//
// Both backends stream: Put never holds the whole body in memory. It computes
// the size and SHA-256 while the bytes pass through, enforces a size limit, and
// is all-or-nothing: when Put returns an error (reader failure, cancelled
// context, size limit) nothing is visible under the key — and an object that
// was already stored there is left as it was. When it returns nil the object
// is complete and durable.
//
// Keys are made by callers ("releases/<id>/files/<id>") but are validated
// anyway (ValidateKey).
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"iter"
	"log/slog"
	"net/http"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/config"
)

// Store is where files live. Every method takes the request's context first.
type Store interface {
	// Put streams r into key, replacing what was there. A key must not also
	// be a directory-like prefix of other keys ("a" and "a/b"): the local
	// store cannot hold both. It reads at most
	// maxSize bytes (maxSize must be > 0): a longer body fails with an
	// apperr.TooLarge error. On any error nothing new is visible under key.
	Put(ctx context.Context, key string, r io.Reader, maxSize int64) (Object, error)
	// Open returns the object for reading; seekable, so http.ServeContent can
	// answer Range requests. A missing key is an apperr.NotFound error that
	// also matches fs.ErrNotExist. The caller must Close it.
	Open(ctx context.Context, key string) (Reader, error)
	// Stat returns size and modification time; missing is apperr.NotFound.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List yields the objects whose keys start with prefix, in no particular
	// order. Stop early by breaking out of the loop.
	List(ctx context.Context, prefix string) iter.Seq2[Info, error]
	// Close releases the store's resources.
	Close() error
}

// Object describes a stored file as Put saw it.
type Object struct {
	Key         string
	Size        int64
	SHA256      string // lower-case hex
	ContentType string // sniffed from the first 512 bytes (http.DetectContentType)
}

// Info is what a store knows about an object without reading it.
type Info struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// Reader reads one stored object. Seek is cheap on both backends (a ranged
// GET on S3), so it works with http.ServeContent.
type Reader interface {
	io.ReadSeekCloser
	Size() int64
	ModTime() time.Time
}

// Open opens the store the configuration asks for: the local files directory
// when cfg.Blob is empty, otherwise the s3:// bucket, which must already
// exist (operators create buckets; Open refuses to start without it).
func Open(ctx context.Context, cfg config.Config) (Store, error) {
	if cfg.Blob == "" {
		return NewLocal(cfg.FilesDir())
	}
	loc, err := config.ParseS3URL(cfg.Blob)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return NewS3(ctx, S3Options{Location: loc, AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey})
}

// MaxKeyLen is the longest key accepted, in bytes.
const MaxKeyLen = 512

// ValidateKey accepts keys made of path segments separated by single "/",
// each segment of [A-Za-z0-9._-] starting with a letter or digit (so no "..",
// no hidden names, no leading or trailing "/"), at most MaxKeyLen bytes.
// Errors are apperr.Invalid.
func ValidateKey(key string) error {
	if key == "" {
		return invalidKey(key, "is empty")
	}
	if len(key) > MaxKeyLen {
		return invalidKey(key, fmt.Sprintf("is longer than %d bytes", MaxKeyLen))
	}
	start := true
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			start = false
		case c == '.' || c == '_' || c == '-':
			if start {
				return invalidKey(key, "has a path segment that does not start with a letter or digit")
			}
		case c == '/':
			if start {
				return invalidKey(key, "has an empty path segment or a leading slash")
			}
			start = true
		default:
			return invalidKey(key, fmt.Sprintf("contains %q; only letters, digits, '.', '_', '-' and '/' are allowed", rune(c)))
		}
	}
	if start {
		return invalidKey(key, "ends with a slash")
	}
	return nil
}

// validatePrefix accepts "" or anything a key could start with.
func validatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	// A prefix may end in "/" or in a partial segment: check it as a key
	// after completing the last segment.
	return ValidateKey(prefix + "x")
}

func invalidKey(key, why string) error {
	if len(key) > 80 {
		key = key[:80] + "…"
	}
	return &apperr.Error{Code: apperr.Invalid, Message: fmt.Sprintf("file key %q %s", key, why)}
}

func notFound(key string, cause error) error {
	if cause == nil || !errors.Is(cause, fs.ErrNotExist) {
		cause = errors.Join(fs.ErrNotExist, cause)
	}
	return &apperr.Error{Code: apperr.NotFound, Message: "file not found", Err: fmt.Errorf("%s: %w", key, cause)}
}

func tooLarge(maxSize int64) error {
	return &apperr.Error{Code: apperr.TooLarge, Message: fmt.Sprintf("the file is larger than the limit of %d bytes", maxSize)}
}

func checkMax(maxSize int64) error {
	if maxSize <= 0 {
		return fmt.Errorf("blob: Put needs a positive maxSize, got %d", maxSize)
	}
	return nil
}

// sniffLen is how much http.DetectContentType looks at.
const sniffLen = 512

// meter is the reader every Put streams through: it counts, hashes, enforces
// the size limit and notices a cancelled context between reads. It remembers
// the first error it returned, so the caller can report the real cause even
// when a backend wraps or replaces it.
type meter struct {
	ctx  context.Context
	src  io.Reader
	max  int64
	n    int64
	h    hash.Hash
	eof  bool
	err  error
	head []byte // the first bytes, for sniffing
}

// newMeter reads the first sniffLen bytes right away so the content type is
// known before the upload starts (S3 stores it with the object). The returned
// reader yields the whole body.
func newMeter(ctx context.Context, src io.Reader, maxSize int64) (*meter, io.Reader, error) {
	m := &meter{ctx: ctx, src: src, max: maxSize, h: sha256.New()}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(m, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, nil, err
	}
	m.head = head[:n]
	return m, io.MultiReader(&sliceReader{b: m.head}, m), nil
}

func (m *meter) Read(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	if m.eof {
		return 0, io.EOF
	}
	if err := m.ctx.Err(); err != nil {
		m.err = err
		return 0, err
	}
	// Ask for at most one byte past the limit: enough to notice the excess.
	if room := m.max - m.n + 1; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := m.src.Read(p)
	if n > 0 {
		m.n += int64(n)
		if m.n > m.max {
			m.err = tooLarge(m.max)
			return 0, m.err
		}
		m.h.Write(p[:n])
	}
	switch {
	case err == io.EOF:
		m.eof = true
	case err != nil:
		m.err = err
	}
	return n, err
}

// object is the result once the whole body went through.
func (m *meter) object(key string) Object {
	return Object{Key: key, Size: m.n, SHA256: hex.EncodeToString(m.h.Sum(nil)), ContentType: http.DetectContentType(m.head)}
}

// cause picks the error to report for a failed upload: the meter's own (size
// limit, reader failure, cancellation) wins over what the backend made of it.
func (m *meter) cause(backendErr error) error {
	if m.err != nil {
		return m.err
	}
	if err := m.ctx.Err(); err != nil {
		return err
	}
	return backendErr
}

// sliceReader is bytes.Reader without the extras (so MultiReader stays simple).
type sliceReader struct{ b []byte }

func (s *sliceReader) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.b)
	s.b = s.b[n:]
	return n, nil
}

// TooLarge is the error for a body longer than maxSize bytes (a 413); Put
// returns it, and callers use it to refuse an announced length early.
func TooLarge(maxSize int64) error { return tooLarge(maxSize) }

// DeleteAfterCommit deletes keys from s once tx has committed — the way a
// row's stored object goes with the row. A failed delete is logged and
// leaves an unreferenced object, never a row without its bytes.
func DeleteAfterCommit(tx interface{ AfterCommit(func()) }, s Store, log *slog.Logger, keys ...string) {
	if len(keys) == 0 || s == nil {
		return
	}
	tx.AfterCommit(func() { DeleteNow(s, log, keys...) })
}

// DeleteNow deletes keys from s with a context of its own (the request's
// may be gone; the cleanup must not be), logging what it cannot delete.
func DeleteNow(s Store, log *slog.Logger, keys ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, k := range keys {
		if err := s.Delete(ctx, k); err != nil && log != nil {
			log.Warn("could not delete a stored object; it is unreferenced", "key", k, "err", err)
		}
	}
}
