package moderation

import (
	"context"
	"time"
)

// Stats is the state of the moderation queue, for metrics.
type Stats struct {
	// Pending counts the items waiting for a decision.
	Pending int
	// OldestPending is how long the oldest of them has waited; 0 when none
	// waits.
	OldestPending time.Duration
}

// Stats reads the queue's state from the store. It lists every item, so
// callers should not call it more often than every few seconds.
func (s *Service) Stats(ctx context.Context) (Stats, error) {
	pend, err := s.pending(ctx)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Pending: len(pend)}
	if len(pend) > 0 {
		// pending is sorted by submission time, oldest first.
		st.OldestPending = max(s.opts.Now().Sub(pend[0].SubmittedAt), 0)
	}
	return st, nil
}
