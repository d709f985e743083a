package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/unionbot/unionbot/store"
)

// Leases held by one replica at a time.
const (
	// leaseTelegram is held by the replica that long-polls Telegram: two
	// getUpdates on one token make Telegram answer 409 Conflict, and both
	// pollers would see some updates twice and others never.
	leaseTelegram = "telegram-poller"
	// leaseDiscord is held by the replica connected to the Discord gateway:
	// every connected session receives every interaction.
	leaseDiscord = "discord-gateway"
)

// leaseRunner runs work only while this process holds a lease in the store.
//
// Waiting replicas try to take the lease every renew; the holder renews it
// every renew for ttl. A holder that dies loses the lease within ttl, and a
// waiting replica takes over at most renew later. A holder that finds the
// lease taken by another (it was paused, or cut off from the store, for
// longer than ttl) stops work at once and goes back to waiting.
//
// When the store cannot be reached, the holder keeps working: no replica can
// take the lease while the store is down, so this keeps the bot answering
// through a store outage. The price is that a holder cut off from the store
// alone overlaps with the replica that takes over until it reaches the
// store again and learns it lost the lease.
type leaseRunner struct {
	leases store.Leases
	name   string
	holder string
	// ttl and renew must be positive, with renew < ttl; the App takes them
	// from config, whose defaults and Validate see to that.
	ttl   time.Duration
	renew time.Duration
	log   *slog.Logger
	// held is told when the lease is taken (true) and given up or lost
	// (false), for metrics and /readyz.
	held func(bool)
}

// newHolder names this process for leases: unique even when a restarted
// container reuses the host name and pid of the process it replaces.
func newHolder() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return consumerName() + "-" + hex.EncodeToString(b[:])
}

// run waits for the lease, runs work with a context that ends if the lease
// is lost (and then waits for the lease again), and returns when ctx ends or
// work returns by itself, releasing the lease so another replica can take
// over at once. It returns work's error.
func (l *leaseRunner) run(ctx context.Context, work func(context.Context) error) error {
	for {
		if !l.wait(ctx) {
			return nil
		}
		l.held(true)
		l.log.Info("lease taken; starting", "lease", l.name)
		lost, err := l.hold(ctx, work)
		l.held(false)
		if !lost {
			l.release(ctx)
			return err
		}
		l.log.Warn("lease lost to another replica; stopped until it can be taken again", "lease", l.name)
	}
}

// wait tries to take the lease every renew until it does (true) or ctx ends
// (false).
func (l *leaseRunner) wait(ctx context.Context) bool {
	logged := false
	for {
		ok, err := l.try(ctx)
		if ctx.Err() != nil {
			return false
		}
		if ok {
			return true
		}
		if !logged {
			if err != nil {
				l.log.Warn("cannot reach the store to take the lease; retrying", "lease", l.name, "err", err)
			} else {
				l.log.Info("another replica holds the lease; standing by", "lease", l.name)
			}
			logged = true
		}
		t := time.NewTimer(l.renew)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
}

// hold runs work and renews the lease until work returns (lost is false)
// or the lease is found taken by another (lost is true, and work has been
// stopped and has returned).
func (l *leaseRunner) hold(ctx context.Context, work func(context.Context) error) (lost bool, err error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- work(wctx) }()
	t := time.NewTicker(l.renew)
	defer t.Stop()
	unreachable := false
	for {
		select {
		case err := <-done:
			return false, err
		case <-t.C:
		}
		ok, err := l.try(ctx)
		switch {
		case ctx.Err() != nil:
			// Shutting down: work is stopping and done follows.
		case err != nil:
			if !unreachable {
				l.log.Warn("cannot reach the store to renew the lease; carrying on until it answers", "lease", l.name, "err", err)
				unreachable = true
			}
		case !ok:
			cancel()
			<-done
			return true, nil
		case unreachable:
			l.log.Info("the store answers again; lease renewed", "lease", l.name)
			unreachable = false
		}
	}
}

// try takes or renews the lease once, bounded so that a store that does
// not answer cannot hold up the loop.
func (l *leaseRunner) try(ctx context.Context) (bool, error) {
	cctx, cancel := context.WithTimeout(ctx, max(l.renew, time.Second))
	defer cancel()
	return l.leases.Acquire(cctx, l.name, l.holder, l.ttl)
}

// release gives the lease up, even as ctx ends, so that another replica can
// take over without waiting for it to expire.
func (l *leaseRunner) release(ctx context.Context) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := l.leases.Release(rctx, l.name, l.holder); err != nil {
		l.log.Warn("could not release the lease; another replica takes over when it expires", "lease", l.name, "err", err)
	}
}
