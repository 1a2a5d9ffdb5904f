package export

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/blob"
	"shipshape/internal/db"
)

// Service is the export domain's transaction and permission boundary: a
// person requests, follows and downloads only their own archives (someone
// else's is not_found).
type Service struct {
	DB    *db.DB
	Blobs blob.Store
	Now   func() time.Time
	Log   *slog.Logger
	// TTL is how long a ready archive can be downloaded (DefaultTTL when 0);
	// TTLFrom, when set, reads it from the retention policy instead.
	TTL     time.Duration
	TTLFrom func(context.Context) (time.Duration, error)
	// BuildOnRequest starts building right after a request commits, in a
	// goroutine, instead of waiting up to a minute for the next job tick.
	// The claim makes it safe alongside the job on this or other
	// instances. Close cancels such builds (they go back to the queue) and
	// waits for them.
	BuildOnRequest bool

	mu      sync.Mutex
	wg      sync.WaitGroup
	bgCtx   context.Context
	bgStop  context.CancelFunc
	closed  bool
	pending bool // a background pass is asked for while one runs
	running bool
}

// maxArchive bounds an archive's size: S3 uploads use 16 MiB parts at most
// 10,000 times, so the upload buffers one 16 MiB part (blob.Store.Put).
const maxArchive = int64(16<<20) * 10000

// staleAfter: a build that has run this long was interrupted (its instance
// stopped); RunDue marks it failed so that the person can ask again.
const staleAfter = time.Hour

// failedMessage is what a person sees when a build failed; details go to
// the log, never to the row.
const failedMessage = "The archive could not be built. Request a new one; if it fails again, tell the people who run this server."

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) ttl() time.Duration {
	if s.TTL > 0 {
		return s.TTL
	}
	return DefaultTTL
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// Request queues an archive of the caller's data. While one is queued or
// being built, asking again returns that one: one active export per person.
// The request is recorded in the site audit chain (export.request).
func (s *Service) Request(ctx context.Context, actor audit.Actor) (Export, error) {
	if actor.UserID == "" {
		return Export{}, apperr.E(apperr.Unauthenticated, "sign in to download your data")
	}
	now := s.now()
	var e Export
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		// Two requests at once must not both insert (PostgreSQL; SQLite's
		// write transaction is serialised already).
		if err := tx.Lock(ctx, "export:"+actor.UserID); err != nil {
			return err
		}
		cur, err := activeExport(ctx, tx, actor.UserID)
		if err == nil {
			e = cur
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		e = Export{ID: db.NewID(), Status: Queued, Progress: "waiting to start", RequestedAt: now, userID: actor.UserID}
		if err := insertExport(ctx, tx, e); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, now, audit.Entry{Action: "export.request", TargetType: "export", TargetID: e.ID}); err != nil {
			return err
		}
		if s.BuildOnRequest {
			tx.AfterCommit(s.buildSoon)
		}
		return nil
	})
	return e, err
}

// Get returns one of the caller's exports; anyone else's is not_found. A
// ready archive past its expiry reads as expired even before the job has
// deleted it.
func (s *Service) Get(ctx context.Context, userID, id string) (Export, error) {
	e, err := getExport(ctx, s.DB, userID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Export{}, apperr.NotFoundf("no such export")
	}
	if err != nil {
		return Export{}, err
	}
	return s.view(e), nil
}

// ReadyNotice returns the caller's archive that is ready, not expired and
// not yet downloaded — every page tells them about it — or nil.
func (s *Service) ReadyNotice(ctx context.Context, userID string) (*Export, error) {
	var id string
	var expires time.Time
	err := s.DB.QueryRow(ctx, `SELECT id, expires_at FROM exports WHERE user_id = ? AND status = 'ready' AND downloaded_at IS NULL
		AND expires_at > ? ORDER BY requested_at DESC LIMIT 1`, userID, s.now()).Scan(&id, db.Time(&expires))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &Export{ID: id, Status: Ready, ExpiresAt: &expires}, nil
}

// Latest returns the caller's most recent export, or nil when they never
// asked for one.
func (s *Service) Latest(ctx context.Context, userID string) (*Export, error) {
	e, err := latestExport(ctx, s.DB, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	e = s.view(e)
	return &e, nil
}

func (s *Service) view(e Export) Export {
	if e.Status == Ready && e.ExpiresAt != nil && !s.now().Before(*e.ExpiresAt) {
		e.Status, e.Size, e.SHA256 = Expired, nil, ""
	}
	return e
}

// Open returns a ready archive of the caller's for download and records the
// download (export.download). Not ready, expired, or someone else's:
// not_found. The caller closes the reader.
func (s *Service) Open(ctx context.Context, actor audit.Actor, id string) (Export, blob.Reader, error) {
	e, err := s.Get(ctx, actor.UserID, id)
	if err != nil {
		return Export{}, nil, err
	}
	if e.Status != Ready || e.blobKey == "" {
		return Export{}, nil, apperr.NotFoundf("this archive is not ready or has expired; request a new one")
	}
	rd, err := s.Blobs.Open(ctx, e.blobKey)
	if err != nil {
		return Export{}, nil, err
	}
	now := s.now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE exports SET downloaded_at = ? WHERE id = ? AND downloaded_at IS NULL`, now, e.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{Action: "export.download", TargetType: "export", TargetID: e.ID})
	})
	if err != nil {
		rd.Close()
		return Export{}, nil, err
	}
	return e, rd, nil
}

// RunDue builds every queued export, one at a time, and fails builds that
// were interrupted. Safe to run on several instances at once: each export is
// claimed by the transaction that moves it from queued to running.
func (s *Service) RunDue(ctx context.Context, now time.Time) error {
	if err := failStale(ctx, s.DB, now.Add(-staleAfter), failedMessage); err != nil {
		return fmt.Errorf("export: fail interrupted builds: %w", err)
	}
	for range 1000 { // bounded: a pass ends even if requests keep coming
		e, ok, err := s.claimNext(ctx)
		if err != nil || !ok {
			return err
		}
		if err := s.build(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// claimNext moves the oldest queued export to running and returns it; ok is
// false when none is queued.
func (s *Service) claimNext(ctx context.Context) (e Export, ok bool, err error) {
	for range 10 { // another instance may claim the row we picked; pick again
		claimed := false
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			id, err := oldestQueued(ctx, tx)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			ok = true
			now := s.now()
			n, err := claim(ctx, tx, id, now)
			if err != nil || n == 0 {
				return err
			}
			claimed = true
			e, err = getExportByID(ctx, tx, id)
			return err
		})
		if err != nil || !ok || claimed {
			return e, claimed, err
		}
	}
	return Export{}, false, nil
}

// build streams the archive of e into file storage and marks the row ready
// (or failed). It returns an error only when the context ended; the export
// then goes back to the queue for the next pass.
func (s *Service) build(ctx context.Context, e Export) error {
	key := "exports/" + e.ID + ".zip"
	obj, err := s.stream(ctx, e, key)
	bg := context.WithoutCancel(ctx)
	if err != nil {
		if ctx.Err() != nil {
			if rerr := requeue(bg, s.DB, e.ID); rerr != nil {
				s.log().Error("export: requeue", "export", e.ID, "err", rerr)
			}
			return ctx.Err()
		}
		s.log().Error("export: build failed", "export", e.ID, "err", err)
		if ferr := markFailed(bg, s.DB, e.ID, failedMessage, s.now()); ferr != nil {
			s.log().Error("export: mark failed", "export", e.ID, "err", ferr)
		}
		return nil
	}
	done := s.now()
	ttl := s.ttl()
	if s.TTLFrom != nil {
		if d, err := s.TTLFrom(bg); err == nil && d > 0 {
			ttl = d
		}
	}
	n, err := markReady(bg, s.DB, e.ID, key, obj.Size, obj.SHA256, done, done.Add(ttl))
	if err != nil || n == 0 { // the account was deleted meanwhile (cascade), or the write failed
		if derr := s.Blobs.Delete(bg, key); derr != nil {
			s.log().Error("export: delete orphan archive", "export", e.ID, "err", derr)
		}
		return err
	}
	s.log().Info("export ready", "export", e.ID, "bytes", obj.Size, "took", done.Sub(*e.StartedAt))
	return nil
}

// errStopped ends the archive writer when storage stopped reading.
var errStopped = errors.New("export: storage stopped reading the archive")

// stream writes the ZIP through a pipe into storage: the archive is never
// held in memory, and storage sees a reader like any upload.
func (s *Service) stream(ctx context.Context, e Export, key string) (blob.Object, error) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := s.writeArchive(ctx, pw, e)
		pw.CloseWithError(err) // nil: the reader sees EOF
		done <- err
	}()
	obj, err := s.Blobs.Put(ctx, key, pr, maxArchive)
	pr.CloseWithError(errStopped)
	werr := <-done
	if err != nil {
		if werr != nil && !errors.Is(werr, errStopped) {
			return blob.Object{}, fmt.Errorf("%w (storage: %v)", werr, err)
		}
		return blob.Object{}, err
	}
	return obj, werr
}

// Expire deletes ready archives whose expiry has passed: the object first,
// then the row is marked expired (so a failed delete is retried next time).
func (s *Service) Expire(ctx context.Context, now time.Time) error {
	for {
		due, err := dueForExpiry(ctx, s.DB, now, 100)
		if err != nil {
			return fmt.Errorf("export: find expired archives: %w", err)
		}
		for _, e := range due {
			if err := s.Blobs.Delete(ctx, e.blobKey); err != nil {
				return fmt.Errorf("export: delete archive %s: %w", e.ID, err)
			}
			if err := markExpired(ctx, s.DB, e.ID); err != nil {
				return fmt.Errorf("export: mark %s expired: %w", e.ID, err)
			}
		}
		if len(due) < 100 {
			return nil
		}
	}
}

// buildSoon runs RunDue in the background after a request commits. One pass
// at a time per instance: a request during a pass asks for another pass.
func (s *Service) buildSoon() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if s.running {
		s.pending = true
		return
	}
	if s.bgCtx == nil {
		s.bgCtx, s.bgStop = context.WithCancel(context.Background())
	}
	s.running = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			if err := s.RunDue(s.bgCtx, s.Now()); err != nil && s.bgCtx.Err() == nil {
				s.log().Error("export: background build", "err", err)
			}
			s.mu.Lock()
			if !s.pending || s.closed {
				s.running = false
				s.mu.Unlock()
				return
			}
			s.pending = false
			s.mu.Unlock()
		}
	}()
}

// Wait blocks until background builds started by requests have finished.
func (s *Service) Wait() { s.wg.Wait() }

// Close stops background builds (an interrupted one goes back to the queue)
// and waits for them.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	if s.bgStop != nil {
		s.bgStop()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// EraseUser deletes a person's exports and, after the commit, their
// archives. It has the shape of an account eraser (account.Service.Erasers):
// erasure keeps the users row as a tombstone, so ON DELETE CASCADE alone
// would not remove them. A build still running for the person finds its row
// gone when it finishes and deletes what it wrote.
func (s *Service) EraseUser(ctx context.Context, tx *db.Tx, userID string) error {
	keys, err := archiveKeys(ctx, tx, userID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM exports WHERE user_id = ?`, userID); err != nil {
		return err
	}
	blob.DeleteAfterCommit(tx, s.Blobs, s.log(), keys...)
	return nil
}
