package web

import (
	"testing"

	"shipshape/internal/audit"
)

func TestDescribeReleaseDocumentAndOwnershipEvents(t *testing.T) {
	names := map[string]string{"u1": "Bo Chen"}
	cases := []struct {
		e    audit.Event
		text string
		url  string
	}{
		{audit.Event{Action: "release.create", TargetLabel: "PAY 1.2.0"}, "Ana planned release PAY 1.2.0", "/w/acme/p/PAY/r/1.2.0"},
		{audit.Event{Action: "release.transition", TargetLabel: "PAY 1.2.0 → in_review"}, "Ana moved release PAY 1.2.0 to In review", "/w/acme/p/PAY/r/1.2.0"},
		{audit.Event{Action: "release.evidence", TargetLabel: "PAY 1.2.0 sha256:abc"}, "Ana froze the evidence of release PAY 1.2.0", "/w/acme/p/PAY/r/1.2.0"},
		{audit.Event{Action: "release.file_upload", TargetLabel: "PAY 1.2.0/app.tar.gz"}, "Ana uploaded app.tar.gz to release PAY 1.2.0", "/w/acme/p/PAY/r/1.2.0"},
		{audit.Event{Action: "release.file_delete", TargetLabel: "PAY 1.2.0/app.tar.gz"}, "Ana deleted app.tar.gz from release PAY 1.2.0", ""},
		{audit.Event{Action: "release.delete", TargetLabel: "PAY 1.2.0"}, "Ana deleted release PAY 1.2.0", ""},
		{audit.Event{Action: "document.create", TargetID: "d1", TargetLabel: "threat_model sha256:abc"}, "Ana created a threat model", "/w/acme/docs/d1"},
		{audit.Event{Action: "document.delete", TargetID: "d1", TargetLabel: "runbook sha256:abc"}, "Ana deleted a runbook", ""},
		{audit.Event{Action: "document.file.upload", TargetID: "d1", TargetLabel: "prd sha256:abc file sha256:def"}, "Ana attached a file to a PRD", "/w/acme/docs/d1"},
		{audit.Event{Action: "ownership.assign", TargetLabel: "security owner of PAY 1.2.0: user u1"}, "Ana made Bo Chen security owner of PAY 1.2.0", ""},
		{audit.Event{Action: "ownership.unassign", TargetLabel: "accountable owner of document: team t1"}, "Ana removed a team as accountable owner of document", ""},
		{audit.Event{Action: "ownership.policy", TargetLabel: "require_accountable=true"}, "Ana changed the ownership policy: every target needs one accountable owner", ""},
	}
	for _, c := range cases {
		c.e.ActorID, c.e.ActorName = "u0", "Ana"
		got := describe(c.e, "acme", names)
		if got.Text() != c.text || got.ObjectURL != c.url {
			t.Errorf("%s %q:\n got %q %q\nwant %q %q", c.e.Action, c.e.TargetLabel, got.Text(), got.ObjectURL, c.text, c.url)
		}
	}
}
