package release_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"shipshape/internal/release"
)

// TestReleaseJSONMatches holds the hand-written encoding to encoding/json,
// so a field added to Release without AppendJSON fails here.
func TestReleaseJSONMatches(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891000, time.UTC)
	d := release.Date("2026-04-01")
	for _, r := range []release.Release{
		{},
		{ID: "r1", Version: "1.0.0-rc.1+b.5", Name: "Spring \"sale\"", Description: "# Notes\n<b>x</b> & \u2028 é \x01", Status: release.InReview,
			TargetDate: &d, Owners: []release.Owner{}, CreatedBy: "u1", CreatedAt: at, UpdatedAt: at, Overdue: true},
		{ID: "r2", Version: "2.0.0", Status: release.Released, ReleasedAt: &at, CreatedAt: at, UpdatedAt: at,
			Owners:   []release.Owner{{Kind: "team", ID: "t1", Role: "security"}, {Kind: "user", ID: "u2", Role: "accountable"}},
			Evidence: &release.EvidenceRef{SHA256: "ab12", CreatedAt: at}},
	} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if got := r.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("AppendJSON:\n got %s\nwant %s", got, want)
		}
	}
}
