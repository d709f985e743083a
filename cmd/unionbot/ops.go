package main

import (
	"context"

	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/discord"
	"github.com/unionbot/unionbot/bot/telegram"
)

// shutdownBudget is how long Run may take to stop once its context ends:
// replies in flight get most of it, and whatever is still running then is
// abandoned, so that the process exits within 10 seconds of SIGTERM (the
// default grace of `docker stop` and of Kubernetes is 10 and 30 seconds).
const shutdownBudget = 8 * time.Second

// telegramShutdownGrace is how long the Telegram adapter waits for replies
// in flight when it stops, within shutdownBudget.
const telegramShutdownGrace = 5 * time.Second

// ops is what the App needs to be operated: metrics, the platforms'
// health for /readyz, and the leases that let replicas share one token.
type ops struct {
	metrics *metrics
	holder  string // this process's name in leases

	health map[string]*apiHealth // by platform, for /readyz

	mu   sync.Mutex
	held map[string]bool // lease → held by this process

	// httpAddr is the address the HTTP server listens on, once it does.
	httpAddr atomic.Pointer[string]
}

func newOps() *ops {
	return &ops{
		metrics: newMetrics(),
		holder:  newHolder(),
		health:  map[string]*apiHealth{telegram.Platform: newAPIHealth(), discord.Platform: newAPIHealth()},
		held:    map[string]bool{},
	}
}

// instrumentTelegram counts the adapter's API calls and keeps its health;
// it runs after the test options, so that it wraps the client they set.
func (o *ops) instrumentTelegram(c *telegram.Config) {
	c.Client = o.metrics.instrument(telegram.Platform, c.Client, 0, o.health[telegram.Platform])
	c.Observer = telegramObserver{o.metrics}
	if c.ShutdownGrace == 0 {
		c.ShutdownGrace = telegramShutdownGrace
	}
}

// instrumentDiscord is instrumentTelegram for Discord.
func (o *ops) instrumentDiscord(c *discord.Config) {
	c.Client = o.metrics.instrument(discord.Platform, c.Client, 20*time.Second, o.health[discord.Platform])
}

// wire registers what the metrics read from the app's parts, once they are
// all built.
func (o *ops) wire(a *App) {
	var platforms []string
	for _, p := range a.platforms {
		platforms = append(platforms, p.Name())
	}
	if len(platforms) == 0 {
		platforms = []string{"console"}
	}
	o.metrics.setCommands(a.bot.Router().Commands(), platforms)
	o.metrics.watchDirectory(a.dir)
	o.metrics.watchQueue(a.mod.Stats)
	o.metrics.watchDelivery(a.mod.CardFailures, a.mod.Delivery)
}

func (o *ops) setHeld(lease string, held bool) {
	o.mu.Lock()
	o.held[lease] = held
	o.mu.Unlock()
	v := 0.0
	if held {
		v = 1
	}
	o.metrics.leaseHeld.WithLabelValues(lease).Set(v)
}

func (o *ops) isHeld(lease string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.held[lease]
}

// leaseFor returns the lease a platform's Run must hold, or "" when it may
// run on every replica (Telegram in webhook mode).
func (a *App) leaseFor(p bot.Adapter) string {
	switch p.Name() {
	case telegram.Platform:
		if a.cfg.TelegramWebhookURL == "" {
			return leaseTelegram
		}
	case discord.Platform:
		return leaseDiscord
	}
	return ""
}

// runPlatform runs an adapter until ctx ends: at once when it needs no
// lease, otherwise only while this process holds the lease. With the
// embedded store there is one process, which always gets the lease.
func (a *App) runPlatform(ctx context.Context, p bot.Adapter) error {
	name := a.leaseFor(p)
	if name == "" {
		return p.Run(ctx, a.Handler())
	}
	a.ops.setHeld(name, false)
	l := &leaseRunner{
		leases: a.store,
		name:   name,
		holder: a.ops.holder,
		ttl:    a.cfg.LeaseTTL,
		renew:  a.cfg.LeaseRenew,
		log:    a.log,
		held:   func(h bool) { a.ops.setHeld(name, h) },
	}
	// Adapters can run again after they stop, so each term of the lease
	// runs the same one.
	return l.run(ctx, func(ctx context.Context) error { return p.Run(ctx, a.Handler()) })
}

// afterDone returns a channel that is closed d after ctx ends.
func afterDone(ctx context.Context, d time.Duration) <-chan struct{} {
	ch := make(chan struct{})
	context.AfterFunc(ctx, func() {
		time.AfterFunc(d, func() { close(ch) })
	})
	return ch
}

// waitStopped waits for wg, or gives up when late is closed.
func waitStopped(wg *sync.WaitGroup, late <-chan struct{}, log *slog.Logger) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-late:
		log.Warn("shutdown: background work still running after the shutdown budget; stopping without it", "budget", shutdownBudget)
	}
}

// HTTPAddr is the address of the health, metrics and webhook server once it
// listens ("" before, or without UNIONBOT_HTTP_ADDR): with port 0 in the
// configuration, the port the system chose.
func (a *App) HTTPAddr() string {
	if p := a.ops.httpAddr.Load(); p != nil {
		return *p
	}
	return ""
}
