package linkcheck

import "context"

// Probe is what one check of one link found, for a moderator's card.
type Probe struct {
	// Status is StatusOK, "http 404", StatusTimeout, StatusBlocked…, as
	// in Record.Status.
	Status string
	// Code is the final HTTP status, when there was one.
	Code int
	// FinalURL is where redirects led, when not the link itself.
	FinalURL string
}

// Reachable reports whether the link answered (see answered).
func (p Probe) Reachable() bool { return p.Status == StatusOK }

// Probe checks one link now, with the checker's rules: public addresses
// only (the link or any redirect leading to a private address is
// StatusBlocked and never requested), the timeout, the User-Agent, HEAD
// then GET, at most one request to a host at a time and the pause between
// two to the same host. It records nothing: the caller shows the result.
// It needs neither the directory nor the store, so New(nil, nil, nil, opts)
// makes a checker fit for probes alone.
func (c *Checker) Probe(ctx context.Context, u string) Probe {
	r := c.check(ctx, u)
	return Probe{Status: r.status, Code: r.code, FinalURL: r.finalURL}
}
