package db

import (
	"crypto/rand"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"shipshape/internal/apperr"
)

// timeLayout is fixed-width so that SQLite's text comparison orders times.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// normArgs stores times as fixed-width UTC text on SQLite and as
// microsecond-precision UTC on PostgreSQL, so both engines round-trip alike.
func normArgs(d Dialect, args []any) []any {
	var out []any // copied on first change: the caller's slice stays as it was
	for i, a := range args {
		var v any
		switch t := a.(type) {
		case time.Time:
			v = normTime(d, t)
		case *time.Time:
			if t != nil {
				v = normTime(d, *t)
			}
		default:
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = v
	}
	if out == nil {
		return args
	}
	return out
}

func normTime(d Dialect, t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if d == SQLite {
		return t.Format(timeLayout)
	}
	return t
}

// FormatTime is the text form of t as stored on SQLite (used in hashes).
func FormatTime(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(timeLayout) }

// Time scans a timestamp column from either engine into *time.Time.
func Time(dst *time.Time) driver.Valuer { return timeDest{dst} }

type timeDest struct{ t *time.Time }

func (d timeDest) Value() (driver.Value, error) { return nil, errors.New("db: Time is a scan target") }

func (d timeDest) Scan(src any) error {
	t, ok, err := parseTime(src)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("db: NULL in non-null time column")
	}
	*d.t = t
	return nil
}

// NullTime scans a nullable timestamp into **time.Time (nil for NULL).
func NullTime(dst **time.Time) driver.Valuer { return nullTimeDest{dst} }

type nullTimeDest struct{ t **time.Time }

func (d nullTimeDest) Value() (driver.Value, error) {
	return nil, errors.New("db: NullTime is a scan target")
}

func (d nullTimeDest) Scan(src any) error {
	t, ok, err := parseTime(src)
	if err != nil {
		return err
	}
	if !ok {
		*d.t = nil
		return nil
	}
	*d.t = &t
	return nil
}

func parseTime(src any) (time.Time, bool, error) {
	switch v := src.(type) {
	case nil:
		return time.Time{}, false, nil
	case time.Time:
		return v.UTC(), true, nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, v)
		return t.UTC(), err == nil, err
	case []byte:
		t, err := time.Parse(time.RFC3339Nano, string(v))
		return t.UTC(), err == nil, err
	}
	return time.Time{}, false, fmt.Errorf("db: cannot scan %T into time", src)
}

// NewID returns a new time-ordered identifier (UUIDv7 text).
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// HashSecret is how secrets (session ids, tokens, invitation tokens) are
// stored: their SHA-256 in hex, so a database leak reveals none of them.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// RandomToken returns n random bytes as hex text.
func RandomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand on Linux)
	return fmt.Sprintf("%x", b)
}

// ErrUnique and ErrForeignKey are the driver-independent constraint errors.
var (
	ErrUnique     = errors.New("db: unique constraint")
	ErrForeignKey = errors.New("db: foreign key constraint")
)

// constraintError keeps the driver error while matching our sentinel.
type constraintError struct {
	kind error
	err  error
}

func (e *constraintError) Error() string   { return e.err.Error() }
func (e *constraintError) Unwrap() []error { return []error{e.kind, e.err} }

// Translate maps driver errors to ErrUnique / ErrForeignKey, and text
// PostgreSQL cannot hold (invalid UTF-8, NUL) to an Invalid error; others pass.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case 2067, 1555: // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
			return &constraintError{ErrUnique, err}
		case 787: // SQLITE_CONSTRAINT_FOREIGNKEY
			return &constraintError{ErrForeignKey, err}
		}
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "22021", "22P05": // invalid byte sequence / NUL: the client sent bytes text cannot hold
			return &apperr.Error{Code: apperr.Invalid, Message: "the input contains characters that cannot be stored", Err: err}
		case "23505":
			return &constraintError{ErrUnique, err}
		case "23503":
			return &constraintError{ErrForeignKey, err}
		}
	}
	return err
}

// Conflict turns a unique violation into an apperr conflict on field.
func Conflict(err error, field, msg string) error {
	if errors.Is(err, ErrUnique) {
		return &apperr.Error{Code: apperr.Conflict, Message: field + " " + msg, Fields: map[string]string{field: msg}, Err: err}
	}
	return err
}

// Like escapes s for use in a LIKE pattern with ESCAPE '\'.
func Like(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
