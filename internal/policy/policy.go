// Package policy keeps the privacy policy: versions that site admins
// publish (Markdown, a changelog, and whether the change is material), and
// who acknowledged which version when. After a material change, people who
// joined before it see a notice until they acknowledge the new version;
// minor changes are published without asking anyone.
//
// Until an admin publishes a version, the built-in policy (version 0)
// describes what Shipshape itself does: it is true of every instance, since
// the product collects nothing beyond what it needs and sends nothing away.
package policy

import (
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/validate"
)

// Policy is one published version.
type Policy struct {
	Version     int       `json:"version"` // 0: the built-in policy
	Body        string    `json:"body"`    // Markdown
	Changelog   string    `json:"changelog"`
	Material    bool      `json:"material"`
	PublishedAt time.Time `json:"published_at"`
	PublishedBy string    `json:"published_by,omitempty"`
}

// Summary is a version without its body (the history).
type Summary struct {
	Version     int       `json:"version"`
	Changelog   string    `json:"changelog"`
	Material    bool      `json:"material"`
	PublishedAt time.Time `json:"published_at"`
}

// PublishInput is a new version.
type PublishInput struct {
	Body      string `json:"body"`
	Changelog string `json:"changelog"`
	Material  bool   `json:"material"`
}

func (in *PublishInput) validate() error {
	in.Changelog = strings.TrimSpace(in.Changelog)
	v := apperr.Validator{}
	v.Check(strings.TrimSpace(in.Body) != "", "body", "is required")
	validate.LongText(v, "body", in.Body, 200_000)
	validate.Text(v, "changelog", in.Changelog, 1, 2000)
	return v.Err()
}

// AcceptInput acknowledges a version.
type AcceptInput struct {
	Version int `json:"version"`
}

// Status is what a signed-in person needs to know about the policy.
type Status struct {
	Current int `json:"current"` // the current version
	// Pending is the newest material version published after the person
	// joined that they have not acknowledged; 0 when there is none.
	Pending int `json:"pending"`
}

// Builtin is version 0, shown until an admin publishes a policy.
func Builtin() Policy {
	return Policy{Version: 0, Changelog: "The built-in policy of Shipshape, shown until the people who run this server publish their own.", Body: builtinBody}
}

const builtinBody = `# Privacy policy

This server runs **Shipshape**, a self-hosted platform for planning and shipping software releases.
The organisation that runs it is responsible for your data; this built-in text describes what the
software does until they publish their own policy.

## What is stored

- **Your account**: name, e-mail address, company and job title (optional), a hash of your password
  (never the password), and when you signed up.
- **Your sessions**: a hash of your session identifier, the IP address and browser (user agent) it
  was started from, and when it was last used — so you can see and end your sessions and so that
  sign-in can be protected against guessing.
- **Your work**: projects, releases, documents, files and comments you create in a workspace, with
  your name on them, visible to the people in that workspace according to its settings.
- **The activity record**: an audit trail of changes (who, what, when, and the IP address and
  browser they came from), kept so that workspaces can trust their history.
- **Your choices**: what you agreed to (product e-mails, marketing e-mails, product analytics) and
  when you changed it.

## What is not done

- No data leaves this server unless its administrators configured a service for it (for example
  e-mail delivery or file storage); the administrators can see the list under *Outbound connections*.
- No third-party fonts, scripts, images, trackers or advertising.
- One cookie only: the session cookie that keeps you signed in (see the cookie notice).
- Browser privacy signals (Global Privacy Control, Do Not Track) are honoured as an opt-out of
  marketing and analytics.

## Your rights

You can see, correct and download your data, object to or withdraw consent for optional
processing, restrict processing, and delete your account — from your profile and its *Privacy*
page, or by asking the administrators of this server.
`
