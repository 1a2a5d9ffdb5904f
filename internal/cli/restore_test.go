package cli_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/audit"
	"shipshape/internal/config"
)

// withApp opens the app on a data directory, as the CLI does.
func withApp(t *testing.T, dir string, fn func(a *app.App)) {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = dir
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := app.Open(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	a, err := app.New(cfg, log, d, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	fn(a)
}

// TestRestoreReappliesErasures: a backup taken before an account was
// erased would bring the account back when restored — unless the deletion
// ledger, kept in file storage, erases it again, which restore does.
func TestRestoreReappliesErasures(t *testing.T) {
	dir := t.TempDir()
	backupFile := filepath.Join(t.TempDir(), "before.db")
	const pw = "correct horse battery"
	if code, out, errOut := run(t, pw+"\n", nil, "admin", "create-user", "--data", dir, "--email", "bo@example.com", "--name", "Bo Chen"); code != 0 {
		t.Fatalf("create-user: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := run(t, "", nil, "backup", "--data", dir, "--to", backupFile); code != 0 || !strings.Contains(out, "backed up") {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := run(t, "", nil, "backup", "--data", dir, "--to", backupFile); code != 1 || !strings.Contains(errOut, "exists") {
		t.Fatalf("backup over an existing file: %d %s", code, errOut)
	}

	// Bo deletes his account; the grace period passes; he is erased.
	var boID string
	withApp(t, dir, func(a *app.App) {
		ctx := context.Background()
		u, secret, err := a.Accounts.Login(ctx, audit.Actor{}, "bo@example.com", pw)
		if err != nil {
			t.Fatal(err)
		}
		boID = u.ID
		p, err := a.Accounts.Session(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Accounts.ScheduleDeletion(ctx, audit.Actor{UserID: u.ID}, p, account.DeleteInput{Password: pw}); err != nil {
			t.Fatal(err)
		}
		if err := a.Accounts.EraseDue(ctx, time.Now().Add(account.DefaultDeletionGrace+time.Hour)); err != nil {
			t.Fatal(err)
		}
	})

	// Restoring the older backup: Bo is erased again.
	if code, _, errOut := run(t, "", nil, "restore", "--data", dir, "--from", filepath.Join(dir, "nope.db")); code != 1 || !strings.Contains(errOut, "not a usable backup") {
		t.Fatalf("restore from a missing file: %d %s", code, errOut)
	}
	code, out, errOut := run(t, "", nil, "restore", "--data", dir, "--from", backupFile)
	if code != 0 || !strings.Contains(out, "restored") || !strings.Contains(out, "re-applied 1 erasure(s)") {
		t.Fatalf("restore: %d %s %s", code, out, errOut)
	}
	withApp(t, dir, func(a *app.App) {
		u, err := a.Accounts.User(context.Background(), boID)
		if err != nil || u.Name != account.Tombstone(boID) || strings.Contains(u.Email, "bo@") {
			t.Fatalf("after restore: %+v %v", u, err)
		}
	})
	if code, out, _ := run(t, "", nil, "privacy", "reapply-erasures", "--data", dir); code != 0 || !strings.Contains(out, "re-applied 0 erasure(s)") {
		t.Fatalf("reapply again: %d %s", code, out)
	}
}
