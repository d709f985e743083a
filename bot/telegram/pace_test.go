package telegram

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

// fakeClock is a clock that moves only when told to, so that pacing is
// tested without waiting for real time.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// Advance moves the clock and runs the timers that are due, in order.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*fakeTimer
	c.timers = slices.DeleteFunc(c.timers, func(t *fakeTimer) bool {
		if t.stopped {
			return true
		}
		if !t.at.After(c.now) {
			due = append(due, t)
			return true
		}
		return false
	})
	c.mu.Unlock()
	slices.SortStableFunc(due, func(a, b *fakeTimer) int { return a.at.Compare(b.at) })
	for _, t := range due {
		t.stopped = true
		t.f()
	}
}

// fakePacer is a pacer on a fake clock; queued receives a value each time
// a message starts waiting.
func fakePacer(cfg Pacing) (*pacer, *fakeClock, chan struct{}) {
	p := newPacer(cfg)
	c := &fakeClock{now: time.Unix(1_000_000, 0)}
	q := make(chan struct{}, 100)
	p.now, p.after, p.queued = c.Now, c.After, func() { q <- struct{}{} }
	return p, c, q
}

// waiters returns send, which starts a wait for a permit for chat (a
// private chat when chat > 0) and returns once the pacer has queued it, and
// granted, which receives name for each wait given its permit.
func waiters(p *pacer, queued <-chan struct{}) (send func(name string, chat int64), granted <-chan string) {
	ch := make(chan string, 10)
	send = func(name string, chat int64) {
		go func() {
			if err := p.wait(context.Background(), chat, chat > 0); err == nil {
				ch <- name
			}
		}()
		<-queued
	}
	return send, ch
}

func recv(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(wait):
		t.Fatal("no permit was given")
		return ""
	}
}

func none(t *testing.T, ch <-chan string) {
	t.Helper()
	select {
	case s := <-ch:
		t.Fatalf("%s got a permit too early", s)
	default:
	}
}

// The overall rate goes to the chats in turn: a chat that starts waiting
// behind another chat's backlog is served next, not after the backlog.
func TestPacerRoundRobin(t *testing.T) {
	p, clock, queued := fakePacer(Pacing{PerSecond: 1, Private: -1, Group: -1, Burst: 1})
	send, granted := waiters(p, queued)
	send("A1", -100)
	if got := recv(t, granted); got != "A1" {
		t.Fatalf("first permit to %s", got)
	}
	send("A2", -100)
	send("A3", -100)
	send("A4", -100)
	send("B1", 7)
	none(t, granted)
	var order []string
	for range 4 {
		clock.Advance(time.Second)
		order = append(order, recv(t, granted))
		none(t, granted) // one a second, overall
	}
	if want := []string{"A2", "B1", "A3", "A4"}; !slices.Equal(order, want) {
		t.Errorf("permits in order %v, want %v", order, want)
	}
}

// One chat's gap (burst, then one per gap) is kept, and a chat waiting for
// its own gap does not hold up a chat that is ready.
func TestPacerChatGap(t *testing.T) {
	p, clock, queued := fakePacer(Pacing{PerSecond: -1, Group: 3 * time.Second, Private: -1, Burst: 2})
	send, granted := waiters(p, queued)
	send("G1", -100)
	send("G2", -100)
	// Both are within the burst, so both get a permit at once; which of
	// their goroutines reports first is the scheduler's choice.
	if a, b := recv(t, granted), recv(t, granted); a+b != "G1G2" && a+b != "G2G1" {
		t.Fatalf("burst gave %s %s", a, b)
	}
	send("G3", -100)
	none(t, granted)
	send("P1", 9) // a private chat with no gap: not behind the group
	if got := recv(t, granted); got != "P1" {
		t.Fatalf("got %s, want P1 while the group waits", got)
	}
	clock.Advance(2 * time.Second)
	none(t, granted)
	clock.Advance(time.Second)
	if got := recv(t, granted); got != "G3" {
		t.Fatalf("got %s after the group's gap", got)
	}
}

func TestPacerBacklogBounded(t *testing.T) {
	p, _, queued := fakePacer(Pacing{MaxBacklog: 2})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	unlock, err := p.lock(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	<-queued
	errc := make(chan error, 1)
	go func() {
		u, err := p.lock(ctx, 5)
		if err == nil {
			u()
		}
		errc <- err
	}()
	// The second reply waits (holding a place in the backlog); a third is
	// refused, in another chat there is room.
	<-queued
	if _, err := p.lock(ctx, 5); err != errBacklog {
		t.Errorf("third lock: %v, want errBacklog", err)
	}
	u6, err := p.lock(ctx, 6)
	if err != nil {
		t.Errorf("another chat: %v", err)
	} else {
		u6()
	}
	unlock()
	if err := <-errc; err != nil {
		t.Errorf("the waiting reply: %v", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.chats) != 0 {
		t.Errorf("%d chats remembered after every reply was sent", len(p.chats))
	}
}

// A busy group delays only itself: with the group's pace effectively
// stopped (one message an hour), 70 /find@bot in it neither hold the
// workers nor stop the fetching of updates, and a private user's /find,
// sent after them all, is answered while the group's backlog waits. The
// backlog beyond MaxBacklog is dropped and counted.
func TestBusyGroupDoesNotStarvePrivate(t *testing.T) {
	obs := &counter{}
	e := start(t, MustCore(t), nil, withObserver(obs), func(c *Config, _ *telegramtest.Server) {
		c.Pacing = Pacing{PerSecond: 1000, Group: time.Hour, Private: -1, Burst: 1, MaxBacklog: 50}
		c.MaxInFlight = 4
		c.Commands = []bot.Command{{Name: "find", Description: "Find", Groups: true}}
		c.ShutdownGrace = time.Millisecond // the group's backlog is cancelled at the end
	})
	const n = 70
	for range n {
		e.srv.PushUpdate(text(bob, group, "/find@"+telegramtest.DefaultUsername+" Canada"))
	}
	last := e.srv.PushUpdate(text(alice, private(alice), "/find Canada"))

	e.srv.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.Succeeded, telegramtest.ToChat(alice.ID)), wait)
	if g := len(e.sent(group.ID)); g > 1 {
		t.Errorf("%d group replies went out before the private one; the group's pace allows 1", g)
	}
	// Fetching went on past the group's backlog.
	e.srv.WaitAcked(t, last, wait)
	// Every group update was handled: n-1 or n replies wait or were
	// dropped (one may have gone out in the burst).
	deadline := time.Now().Add(wait)
	for {
		e.a.pace.mu.Lock()
		waiting := 0
		if st := e.a.pace.chats[group.ID]; st != nil {
			waiting = st.refs
		}
		e.a.pace.mu.Unlock()
		sent := len(e.sent(group.ID))
		if waiting+sent+int(obs.dropped.Load()) == n {
			// Drops began only once the backlog was full.
			if waiting > 50 || waiting+sent < 50 {
				t.Errorf("%d replies wait in the group's backlog and %d went out; want MaxBacklog=50 used", waiting, sent)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("group: %d waiting, %d sent, %d dropped; want %d in all", waiting, sent, obs.dropped.Load(), n)
		}
		runtime.Gosched()
	}
	if d := obs.dropped.Load(); d < n-50-1 || d > n-50 {
		t.Errorf("%d replies dropped, want %d or %d", d, n-50-1, n-50)
	}
}
