package moderation

import (
	"testing"

	"github.com/unionbot/unionbot/store"
)

// TestRateLimitCountsBeforeValidation: invalid and duplicate suggestions and
// reports use up the person's allowance like valid ones, so a flood of them
// is cut off as early and costs as little.
func TestRateLimitCountsBeforeValidation(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{PerHour: 2, PerDay: 5, MaxPending: 100})
		mustContain(t, h.say("u1", "/suggest Good Group | Atlantis"), "Did you mean")
		mustContain(t, h.say("u1", "/suggest VANDU | Vancouver, Canada"), "already listed")
		// The third, valid one is over the hourly limit.
		mustContain(t, h.say("u1", "/suggest Group One | Portugal"), "this hour")
		if pend, err := h.svc.pending(t.Context()); err != nil || len(pend) != 0 {
			t.Fatalf("pending = %d (%v), want none queued", len(pend), err)
		}
		// Reports count the same way, and before the group is looked up.
		mustContain(t, h.say("u2", "/report Nobody Group broken"), "couldn't tell which group")
		mustContain(t, h.say("u2", "/report VANDU"), "What is wrong")
		mustContain(t, h.say("u2", "/report VANDU the website moved"), "this hour")
		// Asking how to suggest costs nothing.
		h.say("u3", "/report")
		h.say("u3", "/report")
		mustContain(t, h.say("u3", "/suggest Group Three | Portugal"), "S-1")
	})
}
