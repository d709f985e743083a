package main

// Tests of what operators use: `unionbot check`, `unionbot import`, the
// health checks and metrics, and the lease loop that lets replicas share
// one bot token.

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot/discord/discordtest"
	"github.com/unionbot/unionbot/bot/telegram"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
	"github.com/unionbot/unionbot/config"
	"github.com/unionbot/unionbot/store"
	"github.com/unionbot/unionbot/store/bothstores"
	"github.com/unionbot/unionbot/store/redisstore"
	"github.com/unionbot/unionbot/store/redisstore/redistest"
)

// opsWait bounds every wait in these tests.
const opsWait = 10 * time.Second

// opsBuffer is a goroutine-safe buffer.
type opsBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *opsBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *opsBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// opsStart builds the app from env as main does and runs it until the test
// ends. Create fakes before calling it, so that they close after the app.
func opsStart(t *testing.T, env map[string]string, opts ...option) (*App, *opsBuffer) {
	t.Helper()
	app, logs, _ := opsStartStoppable(t, env, opts...)
	return app, logs
}

// opsStartStoppable is opsStart with a function that stops the app before
// the test ends (and fails the test if Run returns an error).
func opsStartStoppable(t *testing.T, env map[string]string, opts ...option) (*App, *opsBuffer, func()) {
	t.Helper()
	if env["UNIONBOT_LOG_LEVEL"] == "" {
		env["UNIONBOT_LOG_LEVEL"] = "debug"
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &opsBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("app log:\n%s", logs.String())
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	// Links checked in tests never leave the machine (a test's own
	// option, later in the list, may set a transport of its own).
	opts = append([]option{offlineLinks()}, opts...)
	app, err := NewApp(ctx, cfg, Streams{In: strings.NewReader(""), Out: io.Discard, Err: logs}, opts...)
	if err != nil {
		cancel()
		t.Fatalf("NewApp: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run returned %v", err)
				}
			case <-time.After(shutdownBudget + 2*time.Second):
				t.Errorf("Run did not return within %v of its context ending", shutdownBudget+2*time.Second)
			}
			app.Close()
		})
	}
	t.Cleanup(stop)
	return app, logs, stop
}

// opsHTTPAddr waits for the app's HTTP server and returns its base URL.
func opsHTTPAddr(t *testing.T, app *App) string {
	t.Helper()
	deadline := time.Now().Add(opsWait)
	for app.HTTPAddr() == "" {
		if time.Now().After(deadline) {
			t.Fatal("the HTTP server did not start")
		}
		time.Sleep(5 * time.Millisecond) // polling for a state with nothing to wait on
	}
	return "http://" + app.HTTPAddr()
}

// opsGet fetches a URL and returns its status and body.
func opsGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// opsEventually polls cond until it is true, failing after opsWait.
func opsEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(opsWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", opsWait, what)
		}
		time.Sleep(10 * time.Millisecond) // polling a remote state with a deadline
	}
}

func opsTelegramEnv(tg *telegramtest.Server, env map[string]string) map[string]string {
	env["UNIONBOT_TELEGRAM_TOKEN"] = tg.Token()
	env["UNIONBOT_TELEGRAM_API_ENDPOINT"] = tg.Endpoint()
	env["UNIONBOT_TELEGRAM_MOD_CHAT"] = "-100777"
	env["UNIONBOT_TELEGRAM_MODERATORS"] = "5001"
	return env
}

func opsNoPacing() option {
	return option{telegram: func(c *telegram.Config) { c.Pacing = telegram.Pacing{Off: true} }}
}

// ---- unionbot check ----

func TestCheck(t *testing.T) {
	tg := telegramtest.New(t, "123456:CHECK-secret-token")
	dc := discordtest.New(t)
	good := func() map[string]string {
		return map[string]string{
			"UNIONBOT_DATA_DIR":              t.TempDir(),
			"UNIONBOT_TELEGRAM_TOKEN":        tg.Token(),
			"UNIONBOT_TELEGRAM_API_ENDPOINT": tg.Endpoint(),
			"UNIONBOT_DISCORD_TOKEN":         "check-discord-secret",
			"UNIONBOT_DISCORD_API_BASE":      dc.APIBase(),
			"UNIONBOT_HTTP_ADDR":             ":8080",
		}
	}
	code, out, _ := runBot(t, good(), "", "check")
	if code != 0 {
		t.Fatalf("check of a good configuration: exit %d:\n%s", code, out)
	}
	for _, want := range []string{"configuration", "embedded store", "@" + telegramtest.DefaultUsername, "Discord accepts the token", "Everything checked works"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}

	for _, tc := range []struct {
		name string
		env  func(map[string]string)
		want string
	}{
		{"telegram token", func(e map[string]string) { e["UNIONBOT_TELEGRAM_TOKEN"] = "999:WRONG-secret-token" }, "Telegram refuses the bot token (UNIONBOT_TELEGRAM_TOKEN)"},
		{"telegram down", func(e map[string]string) { e["UNIONBOT_TELEGRAM_API_ENDPOINT"] = "http://127.0.0.1:1/bot%s/%s" }, "cannot reach Telegram at 127.0.0.1:1"},
		{"discord base", func(e map[string]string) { e["UNIONBOT_DISCORD_API_BASE"] = "http://127.0.0.1:1" }, "cannot reach Discord at 127.0.0.1:1"},
		{"redis down", func(e map[string]string) {
			e["UNIONBOT_REDIS_URL"] = "redis://127.0.0.1:1/0?max_retries=-1&dial_timeout=1s"
		}, "cannot reach Redis at 127.0.0.1:1 (UNIONBOT_REDIS_URL)"},
		{"bad variable", func(e map[string]string) { e["UNIONBOT_APPROVALS_REQUIRED"] = "7" }, "UNIONBOT_APPROVALS_REQUIRED must be between 1 and 2"},
		{"bad address", func(e map[string]string) { e["UNIONBOT_HTTP_ADDR"] = "8080" }, "UNIONBOT_HTTP_ADDR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := good()
			tc.env(env)
			code, out, errs := runBot(t, env, "", "check")
			if code != 1 || !strings.Contains(out, tc.want) || !strings.Contains(out, "problem(s) found") {
				t.Errorf("exit %d, output:\n%s\nstderr %q\nwant exit 1 and %q", code, out, errs, tc.want)
			}
			for _, secret := range []string{"secret-token", "check-discord-secret"} {
				if strings.Contains(out+errs, secret) {
					t.Errorf("check printed a token:\n%s%s", out, errs)
				}
			}
		})
	}
}

func TestCheckRedis(t *testing.T) {
	url := os.Getenv("UNIONBOT_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/15"
	}
	_ = opsRedisStore(t) // skips (or fails under CI=true) without Redis
	code, out, _ := runBot(t, map[string]string{"UNIONBOT_REDIS_URL": url}, "", "check")
	if code != 0 || !strings.Contains(out, "(UNIONBOT_REDIS_URL) answers") {
		t.Fatalf("check against the test Redis: exit %d:\n%s", code, out)
	}
}

// ---- unionbot import ----

func TestImportRestoresAnExport(t *testing.T) {
	src := embeddedEnv(t)
	in := "/suggest Lisbon Drug Users Union (LDUU) | Lisbon, Portugal | https://lduu.example.org | peer-run union\n" +
		"/approve S-1\n/remove VANDU delete\n"
	if code, out, errs := runBot(t, src, in, "console"); code != 0 || !strings.Contains(out, "S-1 approved") {
		t.Fatalf("console: exit %d\n%s\n%s", code, out, errs)
	}
	code, backup, errs := runBot(t, src, "", "export")
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	file := filepath.Join(t.TempDir(), "backup.yaml")
	if err := os.WriteFile(file, []byte(backup), 0o600); err != nil {
		t.Fatal(err)
	}

	dst := embeddedEnv(t)
	code, out, errs := runBot(t, dst, backup, "import")
	if code != 0 || !strings.Contains(out, "1 added, 0 changed") || !strings.Contains(out, "1 listed entries are not in the file and stay listed") {
		t.Fatalf("import from stdin: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = runBot(t, dst, "", "import", "-delist-missing", file)
	if code != 0 || !strings.Contains(out, "0 added, 0 changed") || !strings.Contains(out, "1 delisted") {
		t.Fatalf("import -delist-missing: exit %d\n%s\n%s", code, out, errs)
	}
	// Idempotent: a second import changes nothing.
	code, out, errs = runBot(t, dst, "", "import", "-delist-missing", file)
	if code != 0 || !strings.Contains(out, "0 added, 0 changed") || !strings.Contains(out, "0 delisted") {
		t.Fatalf("second import: exit %d\n%s\n%s", code, out, errs)
	}
	_, restored, _ := runBot(t, dst, "", "export")
	if restored != backup {
		t.Errorf("the export after the import differs from the backup")
	}
	if _, out, _ := runBot(t, dst, "", "ask", "/find LDUU"); !strings.Contains(out, "Lisbon Drug Users Union") {
		t.Errorf("/find LDUU after the import: %q", out)
	}
	if _, out, _ := runBot(t, dst, "", "ask", "/find VANDU"); strings.Contains(out, "vandu.org") {
		t.Errorf("/find VANDU after the import still lists the delisted entry: %q", out)
	}
}

func TestImportRefusesBadInput(t *testing.T) {
	env := embeddedEnv(t)
	for _, tc := range []struct{ in, want string }{
		{"", "empty"},
		{"hello: world\n", "not in the export format"},
		{"organisations: []\n", "no organisations"},
		{"organisations:\n  - name: No Id\n    kind: local\n    countries: [PT]\n    source: x\n", "has no id"},
		{"organisations:\n  - id: a\n    name: A\n    kind: national\n    countries: [PT]\n    source: x\n  - id: a\n    name: B\n    kind: national\n    countries: [PT]\n    source: x\n", "listed twice"},
		{"organisations:\n  - id: nowhere\n    name: Nowhere Union\n    kind: national\n    countries: [XX]\n    source: x\n", "nothing was imported"},
	} {
		code, _, errs := runBot(t, env, tc.in, "import")
		if code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("import of %q: exit %d, stderr %q; want 1 and %q", tc.in, code, errs, tc.want)
		}
	}
	// Nothing was written by the refused imports.
	if _, out, _ := runBot(t, env, "", "export"); strings.Contains(out, "Nowhere Union") || strings.Contains(out, "id: a\n") {
		t.Errorf("a refused import wrote something")
	}
	if code, _, _ := runBot(t, env, "", "import", "a", "b"); code != 2 {
		t.Errorf("import with two files: exit %d, want 2", code)
	}
}

// ---- health and metrics ----

func TestHealthReadinessAndMetrics(t *testing.T) {
	tg := telegramtest.New(t, "123456:OPS-token")
	env := opsTelegramEnv(tg, map[string]string{"UNIONBOT_DATA_DIR": t.TempDir(), "UNIONBOT_HTTP_ADDR": "127.0.0.1:0"})
	app, _ := opsStart(t, env, opsNoPacing())
	base := opsHTTPAddr(t, app)

	if code, body := opsGet(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	tg.WaitPolling(t, opsWait)
	code, body := opsGet(t, base+"/readyz")
	if code != 200 || !strings.Contains(body, "store: ok") || !strings.Contains(body, "telegram: ok (holds telegram-poller)") {
		t.Errorf("/readyz = %d %q", code, body)
	}

	alice := telegramtest.User{ID: 42, FirstName: "Alice"}
	tg.PushUpdate(telegramtest.TextUpdate(alice, telegramtest.PrivateChat(alice), "/find Canada"))
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(42), telegramtest.TextContains("Groups for Canada")), opsWait)
	// A command no one registered is counted as "other", whatever it is.
	tg.PushUpdate(telegramtest.TextUpdate(alice, telegramtest.PrivateChat(alice), "/zzzsecret"))
	// Flood control on the next answer: counted, then retried.
	tg.FailNext("sendMessage", 1, 1)
	tg.PushUpdate(telegramtest.TextUpdate(alice, telegramtest.PrivateChat(alice), "/suggest Lisbon Drug Users Union | Lisbon, Portugal"))
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(42), telegramtest.TextContains("S-1"), telegramtest.Succeeded), opsWait)

	var metrics string
	want := []string{
		`unionbot_commands_total{command="find",outcome="ok",platform="telegram"} 1`,
		`unionbot_commands_total{command="suggest",outcome="ok",platform="telegram"} 1`,
		`unionbot_commands_total{command="other",outcome="ok",platform="telegram"} 1`,
		`unionbot_command_duration_seconds_bucket{command="find",platform="telegram",le="10"} 1`,
		`unionbot_platform_api_rate_limited_total{platform="telegram"} 1`,
		`unionbot_platform_api_requests_total{platform="telegram"}`,
		`unionbot_lease_held{lease="telegram-poller"} 1`,
		`unionbot_directory_organisations `,
		`unionbot_directory_index_builds_total `,
		`unionbot_directory_index_steps_total `,
		`unionbot_directory_index_compactions_total `,
		`unionbot_directory_log_refreshes_total `,
		`unionbot_moderation_pending 1`,
		`unionbot_moderation_oldest_pending_seconds `,
		`go_goroutines `,
	}
	opsEventually(t, "the metrics to count the commands", func() bool {
		_, metrics = opsGet(t, base+"/metrics")
		for _, w := range want {
			if !strings.Contains(metrics, w) {
				return false
			}
		}
		return true
	})
	if strings.Contains(metrics, "zzzsecret") {
		t.Errorf("what a person typed became a metric label")
	}
}

// TestInfoLogsHoldNoSecrets runs a conversation with logging at info, in
// JSON, and checks the log holds no token, no message text and no id.
func TestInfoLogsHoldNoSecrets(t *testing.T) {
	tg := telegramtest.New(t, "123456:LOGS-secret-token")
	env := opsTelegramEnv(tg, map[string]string{"UNIONBOT_DATA_DIR": t.TempDir(), "UNIONBOT_LOG_LEVEL": "info", "UNIONBOT_LOG_FORMAT": "json", "UNIONBOT_HTTP_ADDR": "127.0.0.1:0"})
	app, logs := opsStart(t, env, opsNoPacing())
	opsHTTPAddr(t, app)
	bob := telegramtest.User{ID: 987654321, FirstName: "Bobsecretname"}
	tg.PushUpdate(telegramtest.TextUpdate(bob, telegramtest.PrivateChat(bob), "/find Vancover"))
	tg.WaitFor(t, "sendMessage", telegramtest.ToChat(bob.ID), opsWait)
	tg.PushUpdate(telegramtest.TextUpdate(bob, telegramtest.PrivateChat(bob), "/suggest Secretive Peer Union | Lisbon, Portugal"))
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(bob.ID), telegramtest.TextContains("S-1")), opsWait)
	log := logs.String()
	if !strings.Contains(log, `"level":"INFO"`) {
		t.Fatalf("no JSON info lines in the log:\n%s", log)
	}
	for _, secret := range []string{"LOGS-secret-token", "Vancover", "Secretive", "987654321", "Bobsecretname"} {
		if strings.Contains(log, secret) {
			t.Errorf("the info log holds %q:\n%s", secret, log)
		}
	}
}

// ---- leases ----

// scriptedLeases is a store.Leases whose answers a test sets.
type scriptedLeases struct {
	mu      sync.Mutex
	holder  string // who holds it; "" nobody
	down    bool   // every call fails as if the store were unreachable
	renewed atomic.Int64
	failed  atomic.Int64
}

func (s *scriptedLeases) Acquire(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		s.failed.Add(1)
		return false, store.ErrUnavailable
	}
	if s.holder == "" || s.holder == holder {
		s.holder = holder
		s.renewed.Add(1)
		return true, nil
	}
	return false, nil
}

func (s *scriptedLeases) Release(ctx context.Context, name, holder string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.holder == holder {
		s.holder = ""
	}
	return nil
}

func (s *scriptedLeases) set(f func(*scriptedLeases)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *scriptedLeases) get() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.holder
}

// worker is work for a leaseRunner that records whether it runs.
type worker struct {
	running atomic.Int32
	starts  atomic.Int32
}

func (w *worker) run(ctx context.Context) error {
	w.starts.Add(1)
	w.running.Add(1)
	defer w.running.Add(-1)
	<-ctx.Done()
	return nil
}

func newRunner(l store.Leases, holder string) *leaseRunner {
	return &leaseRunner{leases: l, name: "test", holder: holder, ttl: time.Second, renew: 5 * time.Millisecond,
		log: discardLog(), held: func(bool) {}}
}

func TestLeaseRunnerStopsWhenLostAndCarriesOnWhenTheStoreIsDown(t *testing.T) {
	l := &scriptedLeases{}
	r := newRunner(l, "me")
	var w worker
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.run(ctx, w.run) }()
	opsEventually(t, "work to start under the lease", func() bool { return w.running.Load() == 1 })

	// The store goes away: the holder carries on.
	l.set(func(s *scriptedLeases) { s.down = true })
	opsEventually(t, "renewals to fail a few times", func() bool { return l.failed.Load() >= 3 })
	if w.running.Load() != 1 {
		t.Fatal("work stopped when the store could not be reached")
	}
	n := l.renewed.Load()
	l.set(func(s *scriptedLeases) { s.down = false })
	opsEventually(t, "a renewal after the outage", func() bool { return l.renewed.Load() > n })
	if w.running.Load() != 1 || w.starts.Load() != 1 {
		t.Fatalf("work stopped or restarted during a store outage: running %d, starts %d", w.running.Load(), w.starts.Load())
	}

	// Another replica has it now (this one was cut off past the ttl): stop.
	l.set(func(s *scriptedLeases) { s.holder = "other" })
	opsEventually(t, "work to stop once the lease is lost", func() bool { return w.running.Load() == 0 })
	// And start again when it is free.
	l.set(func(s *scriptedLeases) { s.holder = "" })
	opsEventually(t, "work to start again", func() bool { return w.running.Load() == 1 && w.starts.Load() == 2 })

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(opsWait):
		t.Fatal("run did not return after its context ended")
	}
	if h := l.get(); h != "" {
		t.Errorf("the lease is still held by %q after run returned; it must be released", h)
	}
}

func TestLeaseRunnersTakeTurns(t *testing.T) {
	st := bothstores.Bolt(t)
	leases := &countingLeases{Leases: st, tries: map[string]int{}}
	var running atomic.Int32
	var overlap atomic.Bool
	work := func(ctx context.Context) error {
		if running.Add(1) > 1 {
			overlap.Store(true)
		}
		defer running.Add(-1)
		<-ctx.Done()
		return nil
	}
	type proc struct {
		cancel context.CancelFunc
		done   chan error
	}
	start := func(holder string) proc {
		ctx, cancel := context.WithCancel(context.Background())
		p := proc{cancel, make(chan error, 1)}
		r := newRunner(leases, holder)
		go func() { p.done <- r.run(ctx, work) }()
		return p
	}
	a := start("a")
	opsEventually(t, "a to take the lease", func() bool { return running.Load() == 1 })
	b := start("b")
	c := start("c")
	// b and c try every 5 ms while a works: neither may start.
	opsEventually(t, "b and c to try the lease a few times", func() bool {
		return leases.count("b") >= 3 && leases.count("c") >= 3
	})
	a.cancel()
	<-a.done
	opsEventually(t, "another to take over after a stops", func() bool { return running.Load() == 1 })
	b.cancel()
	<-b.done
	opsEventually(t, "c to take over after b stops", func() bool { return running.Load() == 1 })
	c.cancel()
	<-c.done
	if overlap.Load() {
		t.Error("two runners worked at once")
	}
}

// countingLeases counts each holder's calls to Acquire.
type countingLeases struct {
	store.Leases
	mu    sync.Mutex
	tries map[string]int
}

func (c *countingLeases) Acquire(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	c.mu.Lock()
	c.tries[holder]++
	c.mu.Unlock()
	return c.Leases.Acquire(ctx, name, holder, ttl)
}

func (c *countingLeases) count(holder string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tries[holder]
}

func TestShutdownIsBounded(t *testing.T) {
	// Work that ignores its context must not keep Run from returning.
	var wg sync.WaitGroup
	wg.Add(1)
	defer wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	late := afterDone(ctx, 50*time.Millisecond)
	select {
	case <-late:
		t.Fatal("afterDone fired before its context ended")
	default:
	}
	cancel()
	start := time.Now()
	waitStopped(&wg, late, discardLog())
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("waitStopped took %v to give up", d)
	}
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// opsRedisStore opens the test Redis (skipping without one, failing under
// CI=true).
func opsRedisStore(t *testing.T) *redisstore.Store { return redistest.MustOpen(t) }

// TestDiscordGatewayLease runs two apps with Discord on one Redis: one
// holds the gateway at a time, the other takes over when it stops, and a
// holder that finds its lease taken disconnects and connects again (the same
// adapter, run again) once the lease is free.
func TestDiscordGatewayLease(t *testing.T) {
	st := opsRedisStore(t)
	url := redistest.URL()
	dc := discordtest.New(t)
	env := func() map[string]string {
		return map[string]string{
			"UNIONBOT_REDIS_URL":        url,
			"UNIONBOT_REDIS_PREFIX":     st.Prefix(),
			"UNIONBOT_HTTP_ADDR":        "127.0.0.1:0",
			"UNIONBOT_DISCORD_TOKEN":    "lease-discord-token",
			"UNIONBOT_DISCORD_API_BASE": dc.APIBase(),
			"UNIONBOT_DISCORD_GUILD":    discordtest.GuildID,
			"UNIONBOT_LEASE_TTL":        "1s",
			"UNIONBOT_LEASE_RENEW":      "50ms",
		}
	}
	connects := func() int { return dc.CountOf(discordtest.All(discordtest.CommandOverwrite(), discordtest.OK())) }
	a, _, stopA := opsStartStoppable(t, env())
	dc.WaitFor(t, discordtest.All(discordtest.CommandOverwrite(), discordtest.OK()), opsWait)
	b, _, _ := opsStartStoppable(t, env())
	baseA, baseB := opsHTTPAddr(t, a), opsHTTPAddr(t, b)
	opsEventually(t, "b to stand by", func() bool {
		_, m := opsGet(t, baseB+"/metrics")
		return strings.Contains(m, `unionbot_lease_held{lease="discord-gateway"} 0`)
	})
	if _, body := opsGet(t, baseA+"/readyz"); !strings.Contains(body, "discord: ok (holds discord-gateway)") {
		t.Errorf("a's /readyz: %q", body)
	}
	if _, body := opsGet(t, baseB+"/readyz"); !strings.Contains(body, "discord: ok (standing by") {
		t.Errorf("b's /readyz: %q", body)
	}
	if n := connects(); n != 1 {
		t.Fatalf("%d gateway sessions registered commands while two apps ran; want 1", n)
	}

	stopA()
	opsEventually(t, "b to take the gateway over", func() bool { return connects() == 2 })
	opsEventually(t, "b to hold the lease", func() bool {
		_, m := opsGet(t, baseB+"/metrics")
		return strings.Contains(m, `unionbot_lease_held{lease="discord-gateway"} 1`)
	})

	// Someone else has the lease now: b must let the gateway go, and
	// connect again once the lease is free.
	key := st.Prefix() + "lease:" + leaseDiscord
	if err := st.Client().Set(t.Context(), key, "another-replica", 0).Err(); err != nil {
		t.Fatal(err)
	}
	opsEventually(t, "b to give the gateway up", func() bool {
		_, m := opsGet(t, baseB+"/metrics")
		return strings.Contains(m, `unionbot_lease_held{lease="discord-gateway"} 0`)
	})
	if err := st.Client().Del(t.Context(), key).Err(); err != nil {
		t.Fatal(err)
	}
	opsEventually(t, "b to connect again", func() bool { return connects() == 3 })
}

// TestAPITransport checks how platform answers count in the metrics and in
// /readyz's view of the platform.
func TestAPITransport(t *testing.T) {
	var status atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	m := newMetrics()
	h := newAPIHealth()
	c := m.instrument("telegram", nil, 5*time.Second, h)
	for _, tc := range []struct {
		status  int
		healthy bool
	}{
		{200, true}, {429, true}, {500, false}, {200, true}, {401, false}, {403, true}, {502, false},
	} {
		status.Store(int32(tc.status))
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if ok, problem := h.get(); ok != tc.healthy {
			t.Errorf("after a %d: healthy %v (%q), want %v", tc.status, ok, problem, tc.healthy)
		}
	}
	dead := m.instrument("discord", nil, time.Second, newAPIHealth())
	if _, err := dead.Get("http://127.0.0.1:1/"); err == nil {
		t.Fatal("a request to a closed port succeeded")
	}
	rec := httptest.NewRecorder()
	m.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		`unionbot_platform_api_requests_total{platform="telegram"} 7`,
		`unionbot_platform_api_rate_limited_total{platform="telegram"} 1`,
		`unionbot_platform_api_errors_total{kind="server",platform="telegram"} 2`,
		`unionbot_platform_api_errors_total{kind="client",platform="telegram"} 2`,
		`unionbot_platform_api_errors_total{kind="network",platform="discord"} 1`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
