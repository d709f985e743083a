package moderation

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/store"
)

// Run delivers cards to every moderator channel until ctx ends, and sweeps
// old items out of the store once a day. Each channel is a consumer group of
// the queue, so every channel gets every item once; processes share a
// group, so each card is posted by one of them.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, c := range s.channelList() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.deliverLoop(ctx, c)
		}()
	}
	s.Sweep(ctx)
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	retell := time.NewTicker(s.opts.ClaimIdle)
	defer retell.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-t.C:
			s.Sweep(ctx)
		case <-retell.C:
			s.retellOutcomes(ctx)
		}
	}
}

// retellOutcomes tells the senders of decided items whose outcome was
// never sent because the process deciding them stopped between the
// decision and the message (killed, or the store failed as it cleared the
// sender's ids). An item qualifies once ClaimIdle has passed since a
// process took on telling it; one process claims it atomically, so
// replicas do not tell it twice. The only window left for a duplicate is
// a process dying after the platform accepted the message and before the
// ids were cleared: no platform lets a send and a store write be one step.
func (s *Service) retellOutcomes(ctx context.Context) {
	all, err := s.items(ctx)
	if err != nil {
		return
	}
	idle := s.opts.ClaimIdle
	for _, it := range all {
		if it.Status == Pending || it.Submitter == nil || s.opts.Now().Sub(it.Telling) < idle {
			continue
		}
		claimed, err := s.update(ctx, it.Ref, func(it *Item) error {
			now := s.opts.Now()
			if it.Status == Pending || it.Submitter == nil || now.Sub(it.Telling) < idle {
				return store.ErrNoChange
			}
			it.Telling = now.UTC()
			return nil
		})
		if err != nil {
			continue // told by another process, or the store is away: next round
		}
		s.log.Info("telling an outcome left unsent by a stopped process", "ref", it.Ref)
		s.tellSubmitter(ctx, claimed)
	}
}

func (s *Service) deliverLoop(ctx context.Context, c Channel) {
	backoff := time.Second
	for ctx.Err() == nil {
		ds, err := s.st.Claim(ctx, queueTopic, c.Key, s.opts.Consumer, 10, s.opts.Block, s.opts.ClaimIdle)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("moderation queue unavailable; retrying", "channel", c.Key, "err", err)
			if !wait(ctx, backoff) {
				return
			}
			backoff = min(backoff*2, time.Minute)
			continue
		}
		backoff = time.Second
		for _, d := range ds {
			s.deliverRetrying(ctx, c, d)
		}
	}
}

func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Deliver posts one item's card to a channel and acknowledges it. The card
// is recorded on the item before the acknowledgement, so an item claimed
// again after a crash between the two is acknowledged without a second
// card. Items already decided get no card.
func (s *Service) Deliver(ctx context.Context, c Channel, d store.Delivery) error {
	ref := string(d.Payload)
	it, err := s.Get(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return s.st.Ack(ctx, queueTopic, c.Key, d.ID) // swept: nothing to show
	}
	if err != nil {
		return err
	}
	if it.Posted[c.Key] != "" || it.Status != Pending {
		return s.st.Ack(ctx, queueTopic, c.Key, d.ID)
	}
	id, err := c.Sender.Send(ctx, c.To, s.card(s.dir.Index(), it, s.opts.Lang))
	if err != nil {
		return err
	}
	now, err := s.update(ctx, ref, func(it *Item) error {
		if it.Posted == nil {
			it.Posted = map[string]string{}
		}
		it.Posted[c.Key] = id
		return nil
	})
	if err != nil {
		return err
	}
	if now.Status != Pending {
		// Decided while the card was on its way: the decision could not
		// update a card it did not know of, so show the outcome now.
		if ed, ok := c.Sender.(bot.Editor); ok {
			if err := ed.Edit(ctx, c.To, id, s.card(s.dir.Index(), now, s.opts.Lang)); err != nil {
				s.log.Warn("could not update a moderator card", "channel", c.Key, "err", err)
			}
		}
	}
	return s.st.Ack(ctx, queueTopic, c.Key, d.ID)
}

// updateCards shows an item's new state on every card posted for it.
func (s *Service) updateCards(ctx context.Context, it *Item) {
	x := s.dir.Index()
	for _, c := range s.channelList() {
		id := it.Posted[c.Key]
		if id == "" {
			continue
		}
		ed, ok := c.Sender.(bot.Editor)
		if !ok {
			continue
		}
		if err := ed.Edit(ctx, c.To, id, s.card(x, it, s.opts.Lang)); err != nil {
			s.log.Warn("could not update a moderator card", "channel", c.Key, "err", err)
		}
	}
}

// Sweep deletes decided items older than the retention period and audit
// entries older than theirs, and
// re-queues pending items that some channel never got a card for (their
// publish failed while the store was down).
func (s *Service) Sweep(ctx context.Context) {
	all, err := s.items(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("moderation sweep skipped", "err", err)
		}
		return
	}
	s.sweepHeld(ctx)
	s.trimAudit(ctx)
	cutoff := s.opts.Now().Add(-s.opts.Retention)
	channels := s.channelList()
	for _, it := range all {
		if it.Status != Pending && it.Decision != nil && it.Decision.At.Before(cutoff) {
			if err := s.st.Delete(ctx, itemsColl, it.Ref); err != nil {
				s.log.Warn("could not delete an old item", "ref", it.Ref, "err", err)
			}
			continue
		}
		if it.Status == Pending && len(channels) > 0 && len(it.Posted) == 0 && s.opts.Now().Sub(it.SubmittedAt) > 10*time.Minute {
			if _, err := s.st.Publish(ctx, queueTopic, []byte(it.Ref)); err != nil {
				s.log.Warn("could not re-queue an item", "ref", it.Ref, "err", err)
			}
		}
	}
}
