package db

import (
	"testing"
	"time"
)

func TestRebind(t *testing.T) {
	cases := []struct {
		name    string
		dialect Dialect
		in      string
		want    string
	}{
		{"SQLiteUnchanged", SQLite, "SELECT a FROM t WHERE a = ? AND b = ?", "SELECT a FROM t WHERE a = ? AND b = ?"},
		{"PostgresNumbersInOrder", Postgres, "SELECT a FROM t WHERE a = ? AND b = ?", "SELECT a FROM t WHERE a = $1 AND b = $2"},
		{"PostgresNoPlaceholders", Postgres, "SELECT 1", "SELECT 1"},
		{"PostgresAdjacentPlaceholders", Postgres, "VALUES (?,?)", "VALUES ($1,$2)"},
		{"PostgresTwoDigitNumbers", Postgres, "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"},
		{"PostgresKeepsMultibyteText", Postgres, "SELECT 'é' || ?", "SELECT 'é' || $1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := rebind(c.dialect, c.in); got != c.want {
				t.Errorf("rebind(%s, %q) = %q, want %q", c.dialect, c.in, got, c.want)
			}
		})
	}
}

func TestNormArgs(t *testing.T) {
	local := time.FixedZone("UTC+5:30", 5*3600+30*60)
	at := time.Date(2026, 3, 4, 10, 36, 7, 123456789, local) // 05:06:07.123456789 UTC

	t.Run("SQLiteTimeIsFixedWidthUTCText", func(t *testing.T) {
		got := normArgs(SQLite, []any{at, "x", 3})
		if got[0] != "2026-03-04T05:06:07.123456Z" {
			t.Errorf("time arg = %#v, want fixed-width UTC text with microseconds", got[0])
		}
		if got[1] != "x" || got[2] != 3 {
			t.Errorf("non-time args changed: %#v", got[1:])
		}
	})
	t.Run("SQLiteWholeSecondKeepsFraction", func(t *testing.T) {
		got := normArgs(SQLite, []any{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if got[0] != "2026-01-01T00:00:00.000000Z" {
			t.Errorf("time arg = %#v; text must stay fixed-width so that it sorts", got[0])
		}
	})
	t.Run("PostgresTimeIsTruncatedUTC", func(t *testing.T) {
		got := normArgs(Postgres, []any{at})
		tt, ok := got[0].(time.Time)
		if !ok {
			t.Fatalf("time arg = %T, want time.Time", got[0])
		}
		want := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)
		if !tt.Equal(want) || tt.Location() != time.UTC {
			t.Errorf("time arg = %v (%v), want %v UTC", tt, tt.Location(), want)
		}
	})
	t.Run("TimePointer", func(t *testing.T) {
		var nilTime *time.Time
		got := normArgs(SQLite, []any{nilTime, &at})
		if got[0] != nil {
			t.Errorf("nil *time.Time = %#v, want untyped nil (SQL NULL)", got[0])
		}
		if got[1] != "2026-03-04T05:06:07.123456Z" {
			t.Errorf("*time.Time = %#v, want fixed-width UTC text", got[1])
		}
	})
}

func TestFormatTimeSortsLikeTime(t *testing.T) {
	// SQLite compares the stored text, so text order must equal time order.
	base := time.Date(2026, 1, 1, 23, 59, 59, 0, time.UTC)
	times := []time.Time{
		base,
		base.Add(time.Microsecond),
		base.Add(900 * time.Millisecond),
		base.Add(time.Second), // next day
		base.Add(24 * time.Hour),
	}
	for i := 1; i < len(times); i++ {
		a, b := FormatTime(times[i-1]), FormatTime(times[i])
		if !(a < b) {
			t.Errorf("FormatTime(%v) = %q does not sort before FormatTime(%v) = %q", times[i-1], a, times[i], b)
		}
		if len(a) != len(b) {
			t.Errorf("FormatTime widths differ: %q vs %q", a, b)
		}
	}
}
