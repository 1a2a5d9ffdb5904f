package httpx_test

import (
	"testing"

	"shipshape/internal/httpx"
)

func TestLogPathHidesInvitationTokens(t *testing.T) {
	for in, want := range map[string]string{
		"/invite/inv_0123abcd":                    "/invite/inv_…",
		"/api/v1/invitations/inv_99ff/accept":     "/api/v1/invitations/inv_…/accept",
		"/w/acme/projects":                        "/w/acme/projects",
		"/api/v1/workspaces/acme/invitations/123": "/api/v1/workspaces/acme/invitations/123",
	} {
		if got := httpx.LogPath(in); got != want {
			t.Errorf("LogPath(%q) = %q, want %q", in, got, want)
		}
	}
}
