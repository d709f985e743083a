package moderation

import (
	"context"
	"sort"
	"time"

	"github.com/unionbot/unionbot/store"
)

// ChannelHealth is how card delivery to one moderators' channel goes, for
// operators (/readyz, metrics).
type ChannelHealth struct {
	Key string
	// OK is false while the last attempt to post a card there failed.
	OK bool
	// Failures counts failed attempts since the process started; Failing
	// those in a row, since Since.
	Failures, Failing int64
	Since             time.Time
	// LastError is the last failure as the adapter reported it (no token,
	// no message text), cut to a line.
	LastError string
}

// Delivery reports every channel's delivery health, sorted by key.
func (s *Service) Delivery() []ChannelHealth {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	out := make([]ChannelHealth, 0, len(s.health))
	for _, h := range s.health {
		out = append(out, *h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// CardFailures counts every failed attempt to post a card, in all channels.
func (s *Service) CardFailures() int64 {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	var n int64
	for _, h := range s.health {
		n += h.Failures
	}
	return n
}

func (s *Service) noteDelivery(key string, err error) {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	h := s.health[key]
	if h == nil {
		h = &ChannelHealth{Key: key, OK: true}
		s.health[key] = h
	}
	if err == nil {
		h.OK, h.Failing, h.LastError = true, 0, ""
		return
	}
	if h.OK {
		h.Since = s.opts.Now().UTC()
	}
	h.OK = false
	h.Failures++
	h.Failing++
	h.LastError = truncate(Clean(err.Error()), 160)
}

// reachable reports whether some moderators' channel is taking cards: none
// has failed its last attempt. Before any attempt a channel counts as
// reachable.
func (s *Service) reachable() bool {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	if len(s.health) == 0 {
		return true
	}
	for _, h := range s.health {
		if h.OK {
			return true
		}
	}
	return false
}

// SetNoReview tells the service that suggestions can reach no moderator,
// and why (config.Review): /suggest and /report then say that review is not
// set up instead of promising it.
func (s *Service) SetNoReview(why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noReview = why
}

// Reviewed reports whether suggestions can reach a moderator, as far as
// the service was told (SetNoReview).
func (s *Service) Reviewed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.noReview == ""
}

// deliverRetrying posts one card, retrying with exponential back-off
// (RetryBase, doubling up to RetryMax) for up to RetryAttempts tries while
// the channel refuses (403, missing permissions, 429, 5xx). Left
// unacknowledged after that, the entry is claimed again after ClaimIdle, so
// no card is lost; none is posted twice because Deliver records the card
// before acknowledging.
func (s *Service) deliverRetrying(ctx context.Context, c Channel, d store.Delivery) {
	pause := s.opts.RetryBase
	for attempt := 1; ; attempt++ {
		err := s.Deliver(ctx, c, d)
		if ctx.Err() != nil {
			return
		}
		s.noteDelivery(c.Key, err)
		if err == nil {
			return
		}
		s.log.Warn("could not post a moderator card; will retry", "channel", c.Key, "attempt", attempt, "retry_in", pause, "err", err)
		if attempt >= s.opts.RetryAttempts || !wait(ctx, pause) {
			return
		}
		pause = min(pause*2, s.opts.RetryMax)
	}
}
