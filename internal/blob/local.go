package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"
)

// tmpDir holds uploads in progress, inside the root so the final rename stays
// on one file system. Keys cannot name it (segments start with a letter or digit).
const tmpDir = ".tmp"

// staleTmp is how old an abandoned temp file (left by a crash) must be before
// NewLocal removes it.
const staleTmp = 24 * time.Hour

// Local keeps files in a directory. Every path goes through an os.Root, so no
// key, symlink or ".." can reach outside it.
type Local struct {
	root *os.Root
	dir  string
}

var _ Store = (*Local)(nil)

// NewLocal opens (creating it with mode 0700 if needed) the directory dir.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("blob: files directory: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: files directory: %w", err)
	}
	if err := root.MkdirAll(tmpDir, 0o700); err != nil {
		root.Close()
		return nil, fmt.Errorf("blob: files directory: %w", err)
	}
	l := &Local{root: root, dir: dir}
	l.removeStaleTemps(time.Now().Add(-staleTmp))
	return l, nil
}

// Dir is the directory the store lives in.
func (l *Local) Dir() string { return l.dir }

// Close releases the directory handle.
func (l *Local) Close() error { return l.root.Close() }

func (l *Local) removeStaleTemps(before time.Time) {
	entries, err := fs.ReadDir(l.root.FS(), tmpDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.ModTime().Before(before) {
			_ = l.root.Remove(tmpDir + "/" + e.Name())
		}
	}
}

// copyBufs are the 256 KiB buffers Put copies through.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// Put writes to a temp file, fsyncs it, renames it over key and fsyncs the
// directory: readers see the old object or the complete new one, never a part.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, maxSize int64) (obj Object, err error) {
	if err := ValidateKey(key); err != nil {
		return Object{}, err
	}
	if err := checkMax(maxSize); err != nil {
		return Object{}, err
	}
	if err := ctx.Err(); err != nil {
		return Object{}, err
	}
	var rnd [16]byte
	rand.Read(rnd[:])
	tmp := tmpDir + "/" + hex.EncodeToString(rnd[:])
	f, err := l.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Object{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	committed := false
	defer func() {
		if !committed {
			f.Close()
			_ = l.root.Remove(tmp)
		}
	}()

	m, body, err := newMeter(ctx, r, maxSize)
	if err != nil {
		return Object{}, err
	}
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	// io.CopyBuffer would hand the copy to (*os.File).ReadFrom and its 32 KiB buffer.
	if _, err := io.CopyBuffer(struct{ io.Writer }{f}, body, *bp); err != nil {
		if c := m.cause(nil); c != nil {
			return Object{}, c
		}
		return Object{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := f.Sync(); err != nil {
		return Object{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return Object{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return Object{}, err
	}
	dir := path.Dir(key)
	// Delete prunes empty directories, so a concurrent Delete may remove dir
	// between MkdirAll and Rename: try again.
	for attempt := 0; ; attempt++ {
		err = nil
		if dir != "." {
			err = l.root.MkdirAll(dir, 0o700)
		}
		if err == nil {
			if err = l.root.Rename(tmp, key); err == nil {
				break
			}
		}
		// (Root.MkdirAll can also report EEXIST when it loses a race to create dir.)
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrExist) || attempt == 100 {
			return Object{}, fmt.Errorf("blob: put %s: %w", key, err)
		}
	}
	committed = true
	if err := l.syncDir(dir); err != nil {
		return Object{}, fmt.Errorf("blob: put %s: sync directory: %w", key, err)
	}
	return m.object(key), nil
}

func (l *Local) syncDir(dir string) error {
	d, err := l.root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Open opens key for reading.
func (l *Local) Open(ctx context.Context, key string) (Reader, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := l.root.Open(key)
	if err != nil {
		return nil, l.pathErr(key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob: open %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, notFound(key, nil)
	}
	return &localReader{File: f, size: fi.Size(), mod: fi.ModTime()}, nil
}

type localReader struct {
	*os.File
	size int64
	mod  time.Time
}

func (r *localReader) Size() int64        { return r.size }
func (r *localReader) ModTime() time.Time { return r.mod }

// Stat reports key's size and modification time.
func (l *Local) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	fi, err := l.root.Stat(key)
	if err != nil {
		return Info{}, l.pathErr(key, err)
	}
	if !fi.Mode().IsRegular() {
		return Info{}, notFound(key, nil)
	}
	return Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// pathErr turns a missing file (or a missing or non-directory parent) into
// NotFound; anything else, such as a path escaping the root, stays an error.
func (l *Local) pathErr(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
		return notFound(key, err)
	}
	return fmt.Errorf("blob: %s: %w", key, err)
}

// Delete removes key, then the directories it leaves empty.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	fi, err := l.root.Lstat(key)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
			return nil
		}
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	if fi.IsDir() {
		return nil // not an object: only a prefix of others
	}
	if err := l.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	for dir := path.Dir(key); dir != "."; dir = path.Dir(dir) {
		if l.root.Remove(dir) != nil { // not empty (or gone): stop
			break
		}
	}
	return nil
}

// List walks the directory tree under prefix.
func (l *Local) List(ctx context.Context, prefix string) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		if err := validatePrefix(prefix); err != nil {
			yield(Info{}, err)
			return
		}
		start := "."
		if i := strings.LastIndexByte(prefix, '/'); i > 0 {
			start = prefix[:i]
		}
		fsys := l.root.FS()
		err := fs.WalkDir(fsys, start, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == start && errors.Is(err, fs.ErrNotExist) {
					return fs.SkipAll
				}
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if d.IsDir() {
				if p == tmpDir {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || !strings.HasPrefix(p, prefix) {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil // deleted meanwhile
				}
				return err
			}
			if !yield(Info{Key: p, Size: fi.Size(), ModTime: fi.ModTime()}, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && err != errStop {
			yield(Info{}, fmt.Errorf("blob: list %s: %w", prefix, err))
		}
	}
}

var errStop = errors.New("stop")

func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }
