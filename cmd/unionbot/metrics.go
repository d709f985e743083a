package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/moderation"
	"github.com/unionbot/unionbot/store"
)

// metrics are the app's Prometheus metrics, served on /metrics. They live
// in a registry of the App's own (no package globals), so tests can start
// several apps in one process.
//
// Labels never carry a user, a chat or a message: only platforms, command
// names from the router's list, store operations and lease names.
type metrics struct {
	reg *prometheus.Registry

	commands   *prometheus.CounterVec
	forms      *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	apiCalls   *prometheus.CounterVec
	apiErrors  *prometheus.CounterVec
	apiLimited *prometheus.CounterVec
	storeErrs  *prometheus.CounterVec
	leaseHeld  *prometheus.GaugeVec
	tgSkipped  prometheus.Counter
	tgDropped  prometheus.Counter

	known atomic.Pointer[map[string]bool] // command names, to bound the label
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.commands = m.counter("unionbot_commands_total",
		"Commands handled, by platform, command and outcome (ok, or the kind of error: invalid, not_found, not_allowed, unavailable, limited, conflict, internal).",
		"platform", "command", "outcome")
	m.forms = m.counter("unionbot_forms_opened_total",
		"Commands that only opened their form or asked their first question (a /suggest form): not counted in unionbot_commands_total; the submission is.",
		"platform", "command")
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "unionbot_command_duration_seconds",
		Help:    "Time to answer a command, by platform and command, without sending the answer.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"platform", "command"})
	m.apiCalls = m.counter("unionbot_platform_api_requests_total",
		"HTTP requests to the platforms' APIs (Telegram's long polls included).",
		"platform")
	m.apiErrors = m.counter("unionbot_platform_api_errors_total",
		"Failed requests to the platforms' APIs, by kind: network (no answer), client (4xx other than 429), server (5xx).",
		"platform", "kind")
	m.apiLimited = m.counter("unionbot_platform_api_rate_limited_total",
		"Requests the platforms refused with 429 Too Many Requests.",
		"platform")
	m.storeErrs = m.counter("unionbot_store_errors_total",
		"Store operations that failed because the store could not be reached, by operation.",
		"op")
	m.leaseHeld = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "unionbot_lease_held",
		Help: "1 while this process holds the lease (telegram-poller: it long-polls Telegram; discord-gateway: it holds the Discord gateway).",
	}, []string{"lease"})
	// Without labels, the one series exists (at zero) from the start.
	m.tgSkipped = m.counter("unionbot_telegram_updates_skipped_total",
		"Telegram updates that could not be decoded and were skipped, so that the ones after them still arrive.").WithLabelValues()
	m.tgDropped = m.counter("unionbot_telegram_replies_dropped_total",
		"Telegram replies dropped because their chat already had too many replies waiting for its pace.").WithLabelValues()
	m.reg.MustRegister(m.latency, m.leaseHeld,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// counter registers a new counter family name, with help and labels.
func (m *metrics) counter(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	m.reg.MustRegister(c)
	return c
}

// telegramObserver counts what the Telegram adapter drops.
type telegramObserver struct{ m *metrics }

func (o telegramObserver) UpdateSkipped() { o.m.tgSkipped.Inc() }
func (o telegramObserver) ReplyDropped()  { o.m.tgDropped.Inc() }

// handler serves the metrics in Prometheus' text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// setCommands sets the command names counted by name; any other (a typo, a
// command for another bot) is counted as "other", so that what people type
// cannot grow the number of series without bound. Every command on every
// platform served starts at zero for every outcome, so that a rate of
// errors has a series before the first error.
func (m *metrics) setCommands(cmds []bot.Command, platforms []string) {
	// Text that is not a command, and inline queries; /page is registered.
	known := map[string]bool{"text": true, bot.InlineCommand: true}
	// The values of the outcome label (see outcome).
	outcomes := []string{"ok", "invalid", "not_found", "not_allowed", "unavailable", "limited", "conflict", "internal"}
	for _, c := range cmds {
		known[c.Name] = true
	}
	m.known.Store(&known)
	for _, p := range platforms {
		for c := range known {
			for _, o := range outcomes {
				m.commands.WithLabelValues(p, c, o)
			}
		}
		for _, o := range outcomes {
			m.commands.WithLabelValues(p, "other", o)
		}
	}
}

// label is command, or "other" when it is not a known command.
func (m *metrics) label(command string) string {
	if k := m.known.Load(); k == nil || !(*k)[command] {
		return "other"
	}
	return command
}

// Observe implements bot.Observer.
func (m *metrics) Observe(platform, command string, took time.Duration, err error) {
	command = m.label(command)
	m.commands.WithLabelValues(platform, command, outcome(err)).Inc()
	m.latency.WithLabelValues(platform, command).Observe(took.Seconds())
}

// FormOpened implements bot.FormObserver.
func (m *metrics) FormOpened(platform, command string) {
	m.forms.WithLabelValues(platform, m.label(command)).Inc()
}

func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	switch bot.ErrorCode(err) {
	case bot.Invalid:
		return "invalid"
	case bot.NotFound:
		return "not_found"
	case bot.NotAllowed:
		return "not_allowed"
	case bot.Unavailable:
		return "unavailable"
	case bot.Limited:
		return "limited"
	case bot.Conflict:
		return "conflict"
	default:
		return "internal"
	}
}

// watchDirectory adds the index's size and rebuilds.
func (m *metrics) watchDirectory(dir *directory.Live) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "unionbot_directory_organisations",
			Help: "Organisations in this process's search index.",
		}, func() float64 { return float64(dir.Index().Len()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "unionbot_directory_index_builds_total",
			Help: "Times this process rebuilt its search index from the store's community changes.",
		}, func() float64 { return float64(dir.Builds()) }),
		// An approval normally derives the next index from the current
		// one; a full build is the start and the fallback, so a rising
		// builds counter beside a flat steps counter says approvals are
		// taking the slow path.
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "unionbot_directory_index_steps_total",
			Help: "Times this process updated its search index incrementally, for a few changed organisations.",
		}, func() float64 { return float64(dir.Steps()) }),
		// A follower catches up with another process's approval by the
		// store's change log; a listing of every change is the start and
		// the fallback (log trimmed past its version, too many changes).
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "unionbot_directory_log_refreshes_total",
			Help: "Times this process caught up with the store's community changes by reading what changed since its version, rather than listing them all.",
		}, func() float64 { return float64(dir.LogRefreshes()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "unionbot_directory_index_compactions_total",
			Help: "Times this process folded its index's incremental changes back in, in the background.",
		}, func() float64 { return float64(dir.Compactions()) }),
	)
}

// watchQueue adds the moderation queue's depth and the age of its oldest
// item, read from the store at most every queueStatsEvery.
func (m *metrics) watchQueue(stats func(context.Context) (moderation.Stats, error)) {
	m.reg.MustRegister(&queueCollector{stats: stats,
		pending: prometheus.NewDesc("unionbot_moderation_pending",
			"Suggestions and reports waiting for a moderator's decision.", nil, nil),
		oldest: prometheus.NewDesc("unionbot_moderation_oldest_pending_seconds",
			"How long the oldest item waiting for a decision has waited (0 when none waits).", nil, nil),
	})
}

// watchDelivery adds the failed attempts to post moderator cards and the
// channels that refuse them now.
func (m *metrics) watchDelivery(failures func() int64, health func() []moderation.ChannelHealth) {
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "unionbot_moderation_card_failures_total",
			Help: "Failed attempts to post a moderator card (403, missing permissions, 429, 5xx…); each is retried with back-off.",
		}, func() float64 { return float64(failures()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "unionbot_moderation_channels_failing",
			Help: "Moderators' channels whose last card could not be posted.",
		}, func() float64 {
			n := 0
			for _, h := range health() {
				if !h.OK {
					n++
				}
			}
			return float64(n)
		}),
	)
}

// queueStatsEvery bounds how often a scrape reads the queue from the store.
const queueStatsEvery = 10 * time.Second

type queueCollector struct {
	stats           func(context.Context) (moderation.Stats, error)
	pending, oldest *prometheus.Desc

	mu   sync.Mutex
	last moderation.Stats
	at   time.Time
	ok   bool
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.oldest
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ok || time.Since(c.at) > queueStatsEvery {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		st, err := c.stats(ctx)
		cancel()
		c.at = time.Now()
		if err == nil {
			c.last, c.ok = st, true
		}
		// On an error the last known values stay (or none is shown): the
		// store's errors are counted on their own.
	}
	if !c.ok {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(c.last.Pending))
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, c.last.OldestPending.Seconds())
}

// ---- platform APIs ----

// apiHealth remembers whether a platform's API answered the last request,
// for /readyz.
type apiHealth struct {
	mu      sync.Mutex
	ok      bool
	problem string // plain words, no token, no URL
}

func newAPIHealth() *apiHealth { return &apiHealth{ok: true} }

func (h *apiHealth) set(ok bool, problem string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ok, h.problem = ok, problem
}

func (h *apiHealth) get() (bool, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ok, h.problem
}

// apiTransport counts a platform's API requests and their failures, and
// keeps its apiHealth. It sees requests as the adapters make them, so the
// adapters need no hooks of their own.
type apiTransport struct {
	platform string
	next     http.RoundTripper
	m        *metrics
	health   *apiHealth
}

// instrument returns a copy of c (or of a new client with timeout when c is
// nil) whose requests go through an apiTransport. The caller's client is
// not changed.
func (m *metrics) instrument(platform string, c *http.Client, timeout time.Duration, h *apiHealth) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	} else {
		out.Timeout = timeout
	}
	next := out.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	out.Transport = &apiTransport{platform: platform, next: next, m: m, health: h}
	// The error counters start at zero.
	for _, kind := range []string{"network", "client", "server"} {
		m.apiErrors.WithLabelValues(platform, kind)
	}
	m.apiLimited.WithLabelValues(platform)
	return &out
}

func (t *apiTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	t.m.apiCalls.WithLabelValues(t.platform).Inc()
	switch {
	case err != nil:
		if errors.Is(err, context.Canceled) || errors.Is(req.Context().Err(), context.Canceled) {
			// We hung up (a long poll at shutdown): not the platform's fault.
			break
		}
		t.m.apiErrors.WithLabelValues(t.platform, "network").Inc()
		t.health.set(false, "cannot reach the API")
	case resp.StatusCode == http.StatusTooManyRequests:
		t.m.apiLimited.WithLabelValues(t.platform).Inc()
		t.health.set(true, "")
	case resp.StatusCode == http.StatusUnauthorized:
		t.m.apiErrors.WithLabelValues(t.platform, "client").Inc()
		t.health.set(false, "the API refuses the token")
	case resp.StatusCode >= 500:
		t.m.apiErrors.WithLabelValues(t.platform, "server").Inc()
		t.health.set(false, "the API answers with server errors")
	case resp.StatusCode >= 400:
		// A refused message (blocked by the user, bad request) says nothing
		// about the connection.
		t.m.apiErrors.WithLabelValues(t.platform, "client").Inc()
		t.health.set(true, "")
	default:
		t.health.set(true, "")
	}
	return resp, err
}

// ---- the store ----

// observedStore counts the store's failures by operation. Only errors that
// mean the store could not be reached count: "not found", a refused update
// and a cancelled request are answers, not failures.
type observedStore struct {
	store.Store
	m *metrics
}

// observe wraps s so that its failures are counted; every operation's
// counter (one per method of observedStore) starts at zero.
func (m *metrics) observe(s store.Store) store.Store {
	for _, op := range []string{"get", "update", "delete", "list", "version", "subscribe", "incr", "put", "peek", "remove",
		"append", "trim", "tail", "publish", "claim", "ack", "acquire", "release", "ping", "since"} {
		m.storeErrs.WithLabelValues(op)
	}
	return &observedStore{Store: s, m: m}
}

// count counts *err under op when it means the store could not be reached.
// Each method defers it on its named error, so that a method is the one
// call it wraps and nothing else.
func (s *observedStore) count(op string, err *error) {
	if *err != nil && errors.Is(*err, store.ErrUnavailable) {
		s.m.storeErrs.WithLabelValues(op).Inc()
	}
}

func (s *observedStore) Get(ctx context.Context, coll, id string) (b []byte, err error) {
	defer s.count("get", &err)
	return s.Store.Get(ctx, coll, id)
}

func (s *observedStore) Update(ctx context.Context, coll, id string, fn func(old []byte) ([]byte, error)) (b []byte, err error) {
	defer s.count("update", &err)
	return s.Store.Update(ctx, coll, id, fn)
}

func (s *observedStore) Delete(ctx context.Context, coll, id string) (err error) {
	defer s.count("delete", &err)
	return s.Store.Delete(ctx, coll, id)
}

func (s *observedStore) List(ctx context.Context, coll string) (m map[string][]byte, err error) {
	defer s.count("list", &err)
	return s.Store.List(ctx, coll)
}

func (s *observedStore) Version(ctx context.Context, coll string) (v int64, err error) {
	defer s.count("version", &err)
	return s.Store.Version(ctx, coll)
}

// Since forwards to the store's change log, so that wrapping the store does
// not hide it from the directory; a store without one answers
// errors.ErrUnsupported, as store.ChangeLog says a wrapper does.
func (s *observedStore) Since(ctx context.Context, coll string, version int64) (changed map[string][]byte, removed []string, now int64, err error) {
	cl, ok := s.Store.(store.ChangeLog)
	if !ok {
		return nil, nil, 0, fmt.Errorf("%T keeps no change log: %w", s.Store, errors.ErrUnsupported)
	}
	defer s.count("since", &err)
	return cl.Since(ctx, coll, version)
}

func (s *observedStore) Subscribe(ctx context.Context, coll string) (ch <-chan struct{}, err error) {
	defer s.count("subscribe", &err)
	return s.Store.Subscribe(ctx, coll)
}

func (s *observedStore) Incr(ctx context.Context, key string, ttl time.Duration) (v int64, err error) {
	defer s.count("incr", &err)
	return s.Store.Incr(ctx, key, ttl)
}

func (s *observedStore) Put(ctx context.Context, key string, val []byte, ttl time.Duration) (err error) {
	defer s.count("put", &err)
	return s.Store.Put(ctx, key, val, ttl)
}

func (s *observedStore) Peek(ctx context.Context, key string) (b []byte, err error) {
	defer s.count("peek", &err)
	return s.Store.Peek(ctx, key)
}

func (s *observedStore) Remove(ctx context.Context, key string) (err error) {
	defer s.count("remove", &err)
	return s.Store.Remove(ctx, key)
}

func (s *observedStore) Append(ctx context.Context, log string, entry []byte) (err error) {
	defer s.count("append", &err)
	return s.Store.Append(ctx, log, entry)
}

func (s *observedStore) TrimOldest(ctx context.Context, log string, old func([]byte) bool) (n int, err error) {
	defer s.count("trim", &err)
	return s.Store.TrimOldest(ctx, log, old)
}

func (s *observedStore) Tail(ctx context.Context, log string, n int) (b [][]byte, err error) {
	defer s.count("tail", &err)
	return s.Store.Tail(ctx, log, n)
}

func (s *observedStore) Publish(ctx context.Context, topic string, payload []byte) (id string, err error) {
	defer s.count("publish", &err)
	return s.Store.Publish(ctx, topic, payload)
}

func (s *observedStore) Claim(ctx context.Context, topic, group, consumer string, n int, block, minIdle time.Duration) (d []store.Delivery, err error) {
	defer s.count("claim", &err)
	return s.Store.Claim(ctx, topic, group, consumer, n, block, minIdle)
}

func (s *observedStore) Ack(ctx context.Context, topic, group, id string) (err error) {
	defer s.count("ack", &err)
	return s.Store.Ack(ctx, topic, group, id)
}

func (s *observedStore) Acquire(ctx context.Context, name, holder string, ttl time.Duration) (ok bool, err error) {
	defer s.count("acquire", &err)
	return s.Store.Acquire(ctx, name, holder, ttl)
}

func (s *observedStore) Release(ctx context.Context, name, holder string) (err error) {
	defer s.count("release", &err)
	return s.Store.Release(ctx, name, holder)
}

func (s *observedStore) Ping(ctx context.Context) (err error) {
	defer s.count("ping", &err)
	return s.Store.Ping(ctx)
}
