package telegram

import (
	"context"
	"sync"
	"time"
)

// Pacing limits how fast messages go out, so that Telegram's flood control
// (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this)
// is rarely met; when it is, the 429's retry_after is honoured anyway.
// Messages are delayed, never dropped. The zero value means Telegram's
// published limits.
type Pacing struct {
	// Off sends at once (tests).
	Off bool
	// PerSecond is the overall rate; default 30.
	PerSecond float64
	// Private is the gap between messages in one private chat; default 1 s.
	Private time.Duration
	// Group is the gap between messages in one group; default 3 s (20 a
	// minute).
	Group time.Duration
	// Burst is how many messages a chat (or the whole bot) may send at
	// once before the gaps apply; default 3. A long reply split in three
	// goes out at once.
	Burst int
}

func (p Pacing) withDefaults() Pacing {
	if p.PerSecond <= 0 {
		p.PerSecond = 30
	}
	if p.Private <= 0 {
		p.Private = time.Second
	}
	if p.Group <= 0 {
		p.Group = 3 * time.Second
	}
	if p.Burst <= 0 {
		p.Burst = 3
	}
	return p
}

// pacer spaces messages per chat and overall, and serialises the sending
// of one reply's messages in a chat so that two replies never interleave.
type pacer struct {
	cfg    Pacing
	now    func() time.Time
	mu     sync.Mutex
	global time.Time // theoretical arrival time of the next message (GCRA)
	chats  map[int64]*chatState
}

type chatState struct {
	lock chan struct{} // held while one reply is being sent
	tat  time.Time
	refs int
}

func newPacer(p Pacing) *pacer {
	return &pacer{cfg: p.withDefaults(), now: time.Now, chats: map[int64]*chatState{}}
}

// lock takes the chat for one reply; unlock gives it back. It never fails
// unless ctx ends first.
func (p *pacer) lock(ctx context.Context, chat int64) (unlock func(), err error) {
	p.mu.Lock()
	st := p.chats[chat]
	if st == nil {
		st = &chatState{lock: make(chan struct{}, 1)}
		p.chats[chat] = st
	}
	st.refs++
	p.mu.Unlock()
	release := func() {
		p.mu.Lock()
		st.refs--
		if st.refs == 0 && !st.tat.After(p.now()) {
			delete(p.chats, chat)
		}
		p.mu.Unlock()
	}
	select {
	case st.lock <- struct{}{}:
		return func() { <-st.lock; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// wait blocks until a message may go to chat, and reserves its slot: first
// in the chat, then overall, so that a slow group never holds up others.
func (p *pacer) wait(ctx context.Context, chat int64, private bool) error {
	if p.cfg.Off {
		return nil
	}
	gap := p.cfg.Group
	if private {
		gap = p.cfg.Private
	}
	p.mu.Lock()
	now := p.now()
	at := now
	if st := p.chats[chat]; st != nil {
		at, st.tat = reserve(st.tat, now, gap, p.cfg.Burst)
	}
	p.mu.Unlock()
	if err := sleep(ctx, at.Sub(now)); err != nil {
		return err
	}
	p.mu.Lock()
	now = p.now()
	at, p.global = reserve(p.global, now, time.Duration(float64(time.Second)/p.cfg.PerSecond), p.cfg.Burst)
	p.prune(now)
	p.mu.Unlock()
	return sleep(ctx, at.Sub(now))
}

// reserve is the generic cell rate algorithm: tat is the theoretical
// arrival time of the next message; burst messages may go at once, then
// one per gap. It returns when this message may go and the new tat.
func reserve(tat, now time.Time, gap time.Duration, burst int) (at, next time.Time) {
	at = tat.Add(-time.Duration(burst-1) * gap)
	if at.Before(now) {
		at = now
	}
	if tat.After(at) {
		return at, tat.Add(gap)
	}
	return at, at.Add(gap)
}

// prune forgets idle chats once many are remembered.
func (p *pacer) prune(now time.Time) {
	if len(p.chats) < 4096 {
		return
	}
	for id, st := range p.chats {
		if st.refs == 0 && !st.tat.After(now) {
			delete(p.chats, id)
		}
	}
}

// sleep waits d or until ctx ends, with a timer.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
