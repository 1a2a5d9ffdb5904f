package api

import (
	"shipshape/internal/account"
	"shipshape/internal/consent"
	"shipshape/internal/policy"
)

// Consent handlers: a person's own choices; the request's privacy signal
// (Sec-GPC, DNT) decides what applies to it.

func (a *api) getPreferences(c *call) (any, error) {
	return a.Consent.Preferences(c.r.Context(), c.userID(), consent.SignalFrom(c.r))
}

func (a *api) putPreferences(c *call) (any, error) {
	var p consent.Patch
	if err := decode(c.r, &p); err != nil {
		return nil, err
	}
	return a.Consent.Set(c.r.Context(), c.actor, p, consent.API, consent.SignalFrom(c.r))
}

func (a *api) consentLedger(c *call) (any, error) {
	events, err := a.Consent.Ledger(c.r.Context(), c.userID())
	return newList(events, ""), err
}

// Privacy policy: the current version and its history are public; a
// signed-in person acknowledges a version; site admins publish.

func (a *api) currentPolicy(c *call) (any, error) { return a.Policies.Current(c.r.Context()) }

func (a *api) policyHistory(c *call) (any, error) {
	h, err := a.Policies.History(c.r.Context())
	return newList(h, ""), err
}

func (a *api) acceptPolicy(c *call) (any, error) {
	var in policy.AcceptInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Policies.Accept(c.r.Context(), c.actor, in)
}

func (a *api) publishPolicy(c *call) (any, error) {
	var in policy.PublishInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Policies.Publish(c.r.Context(), c.actor, c.principal.User.SiteAdmin, in)
}

// Account deletion: scheduled after a grace period, cancellable until then.

func (a *api) deleteMe(c *call) (any, error) {
	var in account.DeleteInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Accounts.ScheduleDeletion(c.r.Context(), c.actor, c.principal, in)
}

func (a *api) cancelDeletion(c *call) (any, error) {
	if err := a.Accounts.CancelDeletion(c.r.Context(), c.actor, c.principal); err != nil {
		return nil, err
	}
	return a.Accounts.User(c.r.Context(), c.userID())
}

// Restriction of processing (GDPR Art. 18).

func (a *api) restrictMe(c *call) (any, error) {
	return a.Accounts.Restrict(c.r.Context(), c.actor, c.principal)
}

func (a *api) liftRestriction(c *call) (any, error) {
	return a.Accounts.LiftRestriction(c.r.Context(), c.actor, c.principal)
}
