package moderation

import (
	"context"
	"sync"
	"time"
)

// heldRefresh is how old the in-memory list of people with a held outcome
// may grow before it is read again. Holding an outcome on this process
// shows at once; one held by another replica shows within this time, or
// at once through /status.
const heldRefresh = time.Minute

// heldIndex is the set of people (by their one-way hash) who have an
// outcome waiting, mirrored in memory. Every private message asks it, so it
// must cost no round trip: the store is read at most once per heldRefresh
// for all of them together, never once per message. Holding outcomes is
// rare, so the set stays small.
type heldIndex struct {
	mu     sync.Mutex
	owners map[string]bool
	read   time.Time // when owners was last read from the store; zero: never
}

// has reports whether owner may have an outcome waiting. A false positive
// costs one read in takeHeld; a false negative lasts until the next
// refresh, or until the person asks with /status.
func (s *Service) hasHeld(ctx context.Context, owner string) bool {
	x := &s.heldIdx
	x.mu.Lock()
	defer x.mu.Unlock()
	now := s.opts.Now()
	if x.owners == nil || now.Sub(x.read) >= heldRefresh {
		docs, err := s.st.List(ctx, heldColl)
		if err == nil {
			x.owners = make(map[string]bool, len(docs))
			for k := range docs {
				x.owners[k] = true
			}
			x.read = now
		} else if x.owners == nil {
			// Unknown: look, rather than miss someone's outcome.
			return true
		}
	}
	return x.owners[owner]
}

// noteHeld records in memory that owner now has (or no longer has) an
// outcome waiting, so this process needs no refresh to know.
func (s *Service) noteHeld(owner string, has bool) {
	x := &s.heldIdx
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.owners == nil {
		return // the first hasHeld reads the store anyway
	}
	if has {
		x.owners[owner] = true
	} else {
		delete(x.owners, owner)
	}
}
