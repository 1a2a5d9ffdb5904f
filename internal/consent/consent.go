// Package consent keeps a person's choices about optional processing —
// product e-mails, marketing e-mails, product analytics — and a ledger of
// every change: what was chosen, when, how (the web page or the API) and
// whether the browser sent a Global Privacy Control or Do Not Track signal.
//
// Defaults: product e-mails on (they are about the person's own work; they
// may object with one click), marketing e-mails and product analytics off
// until the person opts in. A request carrying Sec-GPC: 1 or DNT: 1 is
// treated as opted out of marketing and analytics whatever is stored: the
// Effective view says what Shipshape may do for that request, the stored
// choice stays what the person chose.
package consent

import (
	"net/http"
	"time"
)

// Purpose is one kind of optional processing.
type Purpose string

const (
	ProductEmail     Purpose = "product_email"
	MarketingEmail   Purpose = "marketing_email"
	ProductAnalytics Purpose = "product_analytics"
)

// Purposes in display order.
var purposes = []Purpose{ProductEmail, MarketingEmail, ProductAnalytics}

// Purposes lists the purposes in display order.
func Purposes() []Purpose { return append([]Purpose(nil), purposes...) }

// Default is the choice of someone who never chose.
func (p Purpose) Default() bool { return p == ProductEmail }

// Signalled reports whether a browser privacy signal (GPC, DNT) opts the
// person out of p.
func (p Purpose) Signalled() bool { return p == MarketingEmail || p == ProductAnalytics }

// Preferences are a person's choices, and what applies to this request.
type Preferences struct {
	ProductEmail     bool `json:"product_email"`
	MarketingEmail   bool `json:"marketing_email"`
	ProductAnalytics bool `json:"product_analytics"`
	// GPC: the request carried Sec-GPC: 1 or DNT: 1.
	GPC bool `json:"gpc"`
	// Restricted: the person restricted the processing of their data
	// (account.Restrict): every purpose is off while it lasts.
	Restricted bool `json:"restricted"`
	// Effective is what Shipshape may do: the choices, with marketing and
	// analytics off while a privacy signal is present.
	Effective Effective `json:"effective"`
}

// Effective is the choice that applies.
type Effective struct {
	ProductEmail     bool `json:"product_email"`
	MarketingEmail   bool `json:"marketing_email"`
	ProductAnalytics bool `json:"product_analytics"`
}

// Get is the stored choice for p.
func (pr Preferences) Get(p Purpose) bool {
	switch p {
	case ProductEmail:
		return pr.ProductEmail
	case MarketingEmail:
		return pr.MarketingEmail
	case ProductAnalytics:
		return pr.ProductAnalytics
	}
	return false
}

func (pr *Preferences) set(p Purpose, v bool) {
	switch p {
	case ProductEmail:
		pr.ProductEmail = v
	case MarketingEmail:
		pr.MarketingEmail = v
	case ProductAnalytics:
		pr.ProductAnalytics = v
	}
}

// finish computes Effective from the choices, the signal and a
// restriction of processing.
func (pr *Preferences) finish(gpc bool) {
	pr.GPC = gpc
	r := pr.Restricted
	pr.Effective = Effective{ProductEmail: pr.ProductEmail && !r, MarketingEmail: pr.MarketingEmail && !gpc && !r,
		ProductAnalytics: pr.ProductAnalytics && !gpc && !r}
}

// Patch changes some choices; absent fields stay.
type Patch struct {
	ProductEmail     *bool `json:"product_email,omitempty"`
	MarketingEmail   *bool `json:"marketing_email,omitempty"`
	ProductAnalytics *bool `json:"product_analytics,omitempty"`
}

func (p Patch) changes() map[Purpose]bool {
	out := map[Purpose]bool{}
	if p.ProductEmail != nil {
		out[ProductEmail] = *p.ProductEmail
	}
	if p.MarketingEmail != nil {
		out[MarketingEmail] = *p.MarketingEmail
	}
	if p.ProductAnalytics != nil {
		out[ProductAnalytics] = *p.ProductAnalytics
	}
	return out
}

// Source says how a change was made.
type Source string

const (
	Web Source = "web"
	API Source = "api"
)

// Event is one entry of the consent ledger.
type Event struct {
	ID      string    `json:"id"`
	Purpose Purpose   `json:"purpose"`
	Granted bool      `json:"granted"`
	Source  Source    `json:"source"`
	GPC     bool      `json:"gpc"`
	At      time.Time `json:"at"`
}

// SignalFrom reports whether a request carries a browser privacy signal:
// Sec-GPC: 1 (Global Privacy Control) or DNT: 1 (Do Not Track).
func SignalFrom(r *http.Request) bool {
	return r.Header.Get("Sec-GPC") == "1" || r.Header.Get("DNT") == "1"
}
