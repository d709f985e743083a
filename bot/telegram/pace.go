package telegram

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// Pacing limits how fast messages go out, so that Telegram's flood control
// (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this)
// is rarely met; when it is, the 429's retry_after is honoured anyway. The
// zero value means Telegram's published limits.
//
// Each chat waits in its own queue, and the overall rate is shared among
// the chats that have something to send, in turn (round robin), so a busy
// group delays only itself. Waiting holds no worker: the updates of other
// chats keep being fetched and answered meanwhile. A chat's queue is
// bounded by MaxBacklog; a reply beyond it is dropped and counted
// (Observer.ReplyDropped), so that a flood in one chat cannot grow memory.
type Pacing struct {
	// Off sends at once (tests, load tests).
	Off bool
	// PerSecond is the overall rate; 0 means 30, Telegram's limit, and a
	// negative value no overall limit (a self-hosted Bot API server).
	PerSecond float64
	// Private is the gap between messages in one private chat; 0 means
	// 1 s, a negative value none.
	Private time.Duration
	// Group is the gap between messages in one group; 0 means 3 s (20 a
	// minute), a negative value none.
	Group time.Duration
	// Burst is how many messages a chat (or the whole bot) may send at
	// once before the gaps apply; default 3. A long reply split in three
	// goes out at once.
	Burst int
	// MaxBacklog is how many replies one chat may have waiting; default
	// 100. At Telegram's 20 a minute in a group that is five minutes of
	// answers: what comes on top is dropped.
	MaxBacklog int
}

func (p Pacing) withDefaults() Pacing {
	if p.PerSecond == 0 {
		p.PerSecond = 30
	}
	if p.Private == 0 {
		p.Private = time.Second
	}
	if p.Group == 0 {
		p.Group = 3 * time.Second
	}
	if p.Burst <= 0 {
		p.Burst = 3
	}
	if p.MaxBacklog <= 0 {
		p.MaxBacklog = 100
	}
	return p
}

// errBacklog is lock's refusal when a chat has MaxBacklog replies waiting.
var errBacklog = errors.New("too many replies waiting in this chat")

// pacer spaces messages per chat and overall, and serialises the sending
// of one reply's messages in a chat so that two replies never interleave.
//
// A message waits for a permit (wait). Permits are handed out by
// schedule, which runs whenever a message starts waiting and when a timer
// it set fires: it takes the chats with a waiting message in turn, skips
// those whose own gap has not passed, and gives the first ready one a
// permit when the overall rate allows. No goroutine runs while nothing
// waits.
type pacer struct {
	cfg    Pacing
	global time.Duration // the gap between any two messages; <= 0: none
	// now and after are the clock; tests replace them. after runs f once
	// d has passed and returns a function that cancels it.
	now   func() time.Time
	after func(d time.Duration, f func()) (stop func() bool)
	// queued, when set, is called (locked) each time a reply takes its
	// place in a chat's backlog and each time a message starts waiting
	// for a permit (tests).
	queued func()

	mu      sync.Mutex
	tat     time.Time // theoretical arrival time of the next message overall (GCRA)
	chats   map[int64]*chatState
	ring    []*chatState // chats with a waiting message, in turn order
	timer   func() bool  // cancels the armed timer; nil when none
	timerAt time.Time
	gen     int // of the armed timer, so that a stale one cannot disarm a newer
}

type chatState struct {
	id      int64
	lock    chan struct{} // held while one reply is being sent
	refs    int           // replies holding or waiting for lock
	tat     time.Time
	gap     time.Duration
	waiting []chan struct{} // messages waiting for a permit, oldest first
	inRing  bool
}

func newPacer(p Pacing) *pacer {
	p = p.withDefaults()
	var global time.Duration
	if p.PerSecond > 0 {
		global = time.Duration(float64(time.Second) / p.PerSecond)
	}
	return &pacer{
		cfg: p, global: global, now: time.Now, chats: map[int64]*chatState{},
		after: func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop },
	}
}

func (p *pacer) stateLocked(chat int64) *chatState {
	st := p.chats[chat]
	if st == nil {
		st = &chatState{id: chat, lock: make(chan struct{}, 1)}
		p.chats[chat] = st
	}
	return st
}

// lock takes the chat for one reply; unlock gives it back. It fails when
// ctx ends first, or at once with errBacklog when the chat already has
// MaxBacklog replies waiting.
func (p *pacer) lock(ctx context.Context, chat int64) (unlock func(), err error) {
	p.mu.Lock()
	st := p.stateLocked(chat)
	if st.refs >= p.cfg.MaxBacklog {
		p.mu.Unlock()
		return nil, errBacklog
	}
	st.refs++
	if p.queued != nil {
		p.queued()
	}
	p.mu.Unlock()
	release := func() {
		p.mu.Lock()
		st.refs--
		p.forgetLocked(st, p.now())
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

// forgetLocked drops an idle chat whose gap has passed: nothing about it
// is needed any more.
func (p *pacer) forgetLocked(st *chatState, now time.Time) {
	if st.refs == 0 && len(st.waiting) == 0 && !st.tat.After(now) && p.chats[st.id] == st {
		delete(p.chats, st.id)
	}
}

// wait blocks until a message may go to chat, and takes its permit.
func (p *pacer) wait(ctx context.Context, chat int64, private bool) error {
	if p.cfg.Off {
		return ctx.Err()
	}
	gap := p.cfg.Group
	if private {
		gap = p.cfg.Private
	}
	ch := make(chan struct{})
	p.mu.Lock()
	st := p.stateLocked(chat)
	st.gap = gap
	st.waiting = append(st.waiting, ch)
	if !st.inRing {
		st.inRing = true
		p.ring = append(p.ring, st)
	}
	if p.queued != nil {
		p.queued()
	}
	p.scheduleLocked()
	p.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		p.mu.Lock()
		defer p.mu.Unlock()
		if i := slices.Index(st.waiting, ch); i >= 0 {
			st.waiting = slices.Delete(st.waiting, i, i+1)
			if len(st.waiting) == 0 && st.inRing {
				st.inRing = false
				p.ring = slices.DeleteFunc(p.ring, func(s *chatState) bool { return s == st })
			}
			p.forgetLocked(st, p.now())
		}
		return ctx.Err()
	}
}

// scheduleLocked hands out every permit that is due now, chats in turn,
// and arms the timer for the next one.
func (p *pacer) scheduleLocked() {
	now := p.now()
	for len(p.ring) > 0 {
		if at := ready(p.tat, now, p.global, p.cfg.Burst); at.After(now) {
			p.armLocked(now, at)
			return
		}
		pick, next := -1, time.Time{}
		for i, st := range p.ring {
			at := ready(st.tat, now, st.gap, p.cfg.Burst)
			if !at.After(now) {
				pick = i
				break
			}
			if next.IsZero() || at.Before(next) {
				next = at
			}
		}
		if pick < 0 {
			p.armLocked(now, next)
			return
		}
		st := p.ring[pick]
		p.ring = slices.Delete(p.ring, pick, pick+1)
		close(st.waiting[0])
		st.waiting = st.waiting[1:]
		st.tat = later(st.tat, now).Add(max(st.gap, 0))
		p.tat = later(p.tat, now).Add(max(p.global, 0))
		if len(st.waiting) > 0 {
			p.ring = append(p.ring, st) // its next turn comes after the others'
		} else {
			st.inRing = false
		}
	}
	if len(p.chats) > 4096 {
		for _, st := range p.chats {
			p.forgetLocked(st, now)
		}
	}
}

// armLocked makes schedule run again at at, unless a timer already does so
// sooner.
func (p *pacer) armLocked(now, at time.Time) {
	if p.timer != nil {
		if !p.timerAt.After(at) {
			return
		}
		p.timer()
	}
	p.gen++
	gen := p.gen
	p.timerAt = at
	p.timer = p.after(at.Sub(now), func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.gen == gen {
			p.timer = nil
		}
		p.scheduleLocked()
	})
}

// ready is when the next message may go under the generic cell rate
// algorithm: tat is the theoretical arrival time of the next message;
// burst messages may go at once, then one per gap.
func ready(tat, now time.Time, gap time.Duration, burst int) time.Time {
	if gap <= 0 {
		return now
	}
	return later(tat.Add(-time.Duration(burst-1)*gap), now)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
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

// RatePacing is the Pacing for rates as an operator gives them: messages a
// second overall, a second in one private chat, and a minute in one group
// (Telegram's own units). 0 means no limit.
func RatePacing(overall, chatPerSecond, groupPerMinute float64) Pacing {
	p := Pacing{PerSecond: -1, Private: -1, Group: -1}
	if overall > 0 {
		p.PerSecond = overall
	}
	if chatPerSecond > 0 {
		p.Private = time.Duration(float64(time.Second) / chatPerSecond)
	}
	if groupPerMinute > 0 {
		p.Group = time.Duration(float64(time.Minute) / groupPerMinute)
	}
	return p
}
