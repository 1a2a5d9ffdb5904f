package project_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"shipshape/internal/project"
)

// TestProjectJSONMatches holds the hand-written encoding to encoding/json,
// so a field added to Project without AppendJSON fails here.
func TestProjectJSONMatches(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891000, time.UTC)
	for _, p := range []project.Project{
		{},
		{ID: "01a2", Key: "PAY", Name: "Payments \"core\"", Description: "# Title\n<b>x</b> & \u2028 é \x01", CreatedBy: "u1",
			CreatedAt: at, UpdatedAt: at.Add(time.Hour), Components: 3},
		{ID: "x", Key: "WEB", Archived: true, ArchivedAt: &at, CreatedAt: at, UpdatedAt: at},
	} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(p); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if got := p.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("AppendJSON:\n got %s\nwant %s", got, want)
		}
	}
}
