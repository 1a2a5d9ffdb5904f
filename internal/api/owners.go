package api

import (
	"shipshape/internal/apperr"
	"shipshape/internal/owner"
)

// policyInput is owner.Policy with every field required.
type policyInput struct {
	RequireAccountable *bool `json:"require_accountable"`
}

// Ownership handlers (internal/owner).

func (a *api) setOwners(c *call) (any, error) {
	var in owner.SetInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Owners.Set(c.r.Context(), c.actor, c.r.PathValue("ws"), in)
}

func (a *api) ownershipMap(c *call) (any, error) {
	return a.Owners.Map(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.URL.Query().Get("owner"))
}

func (a *api) transferOwnership(c *call) (any, error) {
	var in owner.TransferInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Owners.Transfer(c.r.Context(), c.actor, c.r.PathValue("ws"), in)
}

func (a *api) ownershipPolicy(c *call) (any, error) {
	return a.Owners.Policy(c.r.Context(), c.userID(), c.r.PathValue("ws"))
}

func (a *api) setOwnershipPolicy(c *call) (any, error) {
	var in policyInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	if in.RequireAccountable == nil {
		return nil, apperr.Fields(map[string]string{"require_accountable": "is required: true or false"})
	}
	return a.Owners.SetPolicy(c.r.Context(), c.actor, c.r.PathValue("ws"), owner.Policy{RequireAccountable: *in.RequireAccountable})
}
