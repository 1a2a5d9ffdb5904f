package perm_test

import (
	"os"
	"testing"

	"shipshape/internal/perm"
)

// TestPermissionDocIsCurrent keeps docs/PERMISSIONS.md equal to the table
// the services enforce. Regenerate with SHIPSHAPE_UPDATE_DOCS=1 go test ./internal/perm.
func TestPermissionDocIsCurrent(t *testing.T) {
	const path = "../../docs/PERMISSIONS.md"
	want := perm.Markdown()
	if os.Getenv("SHIPSHAPE_UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is out of date; run SHIPSHAPE_UPDATE_DOCS=1 go test ./internal/perm", path)
	}
}
