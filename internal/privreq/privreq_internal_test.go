package privreq

import (
	"testing"
	"time"
)

func TestAddBusinessDays(t *testing.T) {
	at := func(day int) time.Time { return time.Date(2026, 1, day, 10, 30, 0, 0, time.UTC) } // 2026-01-05 is a Monday
	for _, c := range []struct {
		from time.Time
		n    int
		want time.Time
	}{
		{at(5), 1, at(6)},   // Monday → Tuesday
		{at(8), 1, at(9)},   // Thursday → Friday
		{at(9), 1, at(12)},  // Friday → Monday
		{at(10), 1, at(12)}, // Saturday → Monday
		{at(11), 1, at(12)}, // Sunday → Monday
		{at(9), 3, at(14)},  // Friday + 3 → Wednesday
		{at(5), 5, at(12)},  // a working week
		{at(5), 0, at(5)},
	} {
		if got := addBusinessDays(c.from, c.n); !got.Equal(c.want) {
			t.Errorf("addBusinessDays(%s %s, %d) = %s %s, want %s", c.from.Weekday(), c.from.Format("01-02"), c.n, got.Weekday(), got.Format("01-02"), c.want.Format("01-02"))
		}
	}
}

func TestDueAt(t *testing.T) {
	fri := time.Date(2026, 1, 9, 16, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		kind   Kind
		source Source
		want   time.Time
	}{
		{Access, EmailSource, fri.Add(30 * 24 * time.Hour)},
		{Erasure, EmailSource, fri.Add(30 * 24 * time.Hour)},
		{Erasure, SupportTracker, time.Date(2026, 1, 12, 16, 0, 0, 0, time.UTC)}, // next business day: Monday
		{Access, SupportTracker, fri.Add(30 * 24 * time.Hour)},
		{Know, EmailSource, fri.Add(45 * 24 * time.Hour)},
	} {
		if got := DueAt(c.kind, c.source, fri); !got.Equal(c.want) {
			t.Errorf("DueAt(%s, %s) = %s, want %s", c.kind, c.source, got, c.want)
		}
	}
}

func TestLifecycle(t *testing.T) {
	for _, s := range Statuses {
		if s.Closed() != (len(Next(s)) == 0) {
			t.Errorf("%s: closed %v but next %v", s, s.Closed(), Next(s))
		}
	}
	if CanMove(Received, Fulfilled) || !CanMove(InProgress, Fulfilled) || CanMove(Fulfilled, InProgress) {
		t.Error("lifecycle")
	}
}
