package main

// How many round trips to Redis one request costs, counted on a real Redis
// connection with a go-redis hook, through the core and moderation exactly
// as NewApp builds them. A /find must cost none: the index answers from
// memory. A /suggest costs a fixed handful, whatever the directory's size.

import (
	"context"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/store/redisstore"
)

// roundTrips counts what goes to Redis: one per command sent alone, one per
// pipeline (a MULTI/EXEC transaction included) however many commands it
// holds. names keeps the commands in order, pipelines as "a+b+c".
type roundTrips struct {
	mu    sync.Mutex
	on    bool
	trips int
	names []string
}

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.record(cmd.Name())
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		names := make([]string, len(cmds))
		for i, c := range cmds {
			names[i] = c.Name()
		}
		r.record(strings.Join(names, "+"))
		return next(ctx, cmds)
	}
}

func (r *roundTrips) record(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		r.trips++
		r.names = append(r.names, name)
	}
}

// during counts the round trips fn makes.
func (r *roundTrips) during(fn func()) (int, []string) {
	r.mu.Lock()
	r.on, r.trips, r.names = true, 0, nil
	r.mu.Unlock()
	fn()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.trips, r.names
}

// hookRedis adds a counting hook to the client of the app's Redis store.
func hookRedis(t *testing.T, app *App) *roundTrips {
	t.Helper()
	obs, ok := app.store.(*observedStore)
	if !ok {
		t.Fatalf("the app's store is a %T, not the observed store NewApp makes", app.store)
	}
	rs, ok := obs.Store.(*redisstore.Store)
	if !ok {
		t.Fatalf("the app's store is a %T, not Redis", obs.Store)
	}
	rt := &roundTrips{}
	rs.Client().AddHook(rt)
	return rt
}

// maxSuggestTrips bounds a /suggest: the language choice, two rate-limit
// counters, the pending list, the reference counter, the item's write
// (WATCH with the read, then the transaction with its announcement), the
// moderators' queue and the audit log. Adding a round trip to the path should be a decision, so this is
// tight.
const maxSuggestTrips = 9

// firstMessageTrips is what a person's first message costs: reading their
// /lang choice, which is then cached (store.CachedKV). (For 30 days after
// a store used by an older release is upgraded, a second read looks under
// the old unkeyed hash; this store is new.) Whether moderation holds an
// outcome for them is answered from memory (heldindex.go).
var firstMessageTrips = []string{"get"}

func TestRedisRoundTripsPerRequest(t *testing.T) {
	env, _ := e2eRedisEnv(t)
	env["UNIONBOT_CONSOLE_MODERATOR"] = "true"
	app := newTestApp(t, env, Streams{ConsoleOnly: true})
	rt := hookRedis(t, app)
	h := app.Handler()
	ctx := t.Context()
	msg := func(user, text string) *bot.Message {
		return &bot.Message{Platform: "telegram", Text: text, User: bot.User{ID: user, Name: "Ana"},
			Chat: bot.Chat{ID: user, Private: true}, Lang: "en", PageSize: 5}
	}

	// Warm up once, so that what a process does once (loading a script,
	// reading the button key, the list of held outcomes) is not charged to
	// every request.
	if _, err := h.Handle(ctx, msg("900", "/find Canada")); err != nil {
		t.Fatal(err)
	}

	// A new person's first message reads their language choice once.
	n, names := rt.during(func() { _, _ = h.Handle(ctx, msg("901", "/start")) })
	if n > len(firstMessageTrips) || !slices.Equal(names, firstMessageTrips[:n]) {
		t.Errorf("a first message made %d Redis round trips %v, want at most %v", n, names, firstMessageTrips)
	}
	// After that, a /find costs no round trip at all: the directory is in
	// memory, and so are the language choice and the held outcomes.
	for _, q := range []string{"/find Canada", "/find drug users union", "/find vandu", "/network", "/find Kabul"} {
		var r *bot.Reply
		var err error
		n, names := rt.during(func() { r, err = h.Handle(ctx, msg("901", q)) })
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if r == nil || len(r.Blocks) == 0 {
			t.Fatalf("%s: no answer", q)
		}
		if n != 0 {
			t.Errorf("%s made %d Redis round trips %v, want none", q, n, names)
		}
	}

	for i, line := range []string{
		"/suggest Lisbon Drug Users Union (LDUU) | Lisbon, Portugal | https://lduu.example.org | peer-run union",
		"/suggest Porto Peer Network | Porto, Portugal | https://porto-peers.example.org | peer network",
	} {
		var r *bot.Reply
		var err error
		n, names := rt.during(func() { r, err = h.Handle(ctx, msg("902", line)) })
		if err != nil {
			t.Fatalf("suggest %d: %v", i+1, err)
		}
		if got := bot.PlainText(r.Blocks[0]); !strings.Contains(got, "S-") {
			t.Fatalf("suggest %d was not queued: %q", i+1, got)
		}
		t.Logf("/suggest %d: %d round trips: %v", i+1, n, names)
		if n > maxSuggestTrips {
			t.Errorf("/suggest %d made %d Redis round trips, want at most %d: %v", i+1, n, maxSuggestTrips, names)
		}
	}
}
