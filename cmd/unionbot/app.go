package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/console"
	"github.com/unionbot/unionbot/bot/discord"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/bot/telegram"
	"github.com/unionbot/unionbot/config"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/directory/linkcheck"
	"github.com/unionbot/unionbot/moderation"
	"github.com/unionbot/unionbot/store"
	"github.com/unionbot/unionbot/store/boltstore"
	"github.com/unionbot/unionbot/store/redisstore"
)

// The language choices are cached this long, and this many at most: long
// enough that a conversation reads the store once, short enough that a
// change made through another replica soon shows.
const (
	prefsCacheTTL  = time.Minute
	prefsCacheSize = 10000
)

// Streams are the process's standard streams.
type Streams struct {
	In          io.Reader
	Out, Err    io.Writer
	Interactive bool // a person at a terminal: show a prompt
	// ConsoleOnly leaves the platforms alone even when their tokens are
	// set (ask, console and export talk to the terminal only).
	ConsoleOnly bool
}

// App is the whole bot, built from a Config. main runs it; tests start it
// the same way.
type App struct {
	cfg   config.Config
	log   *slog.Logger
	io    Streams
	store store.Store
	seed  *directory.Seed
	dir   *directory.Live
	bot   *bot.Bot
	mod   *moderation.Service
	// h is what every adapter feeds: the core, with moderation's held
	// outcomes shown to their owners (moderation.Service.Wrap).
	h       bot.Handler
	console *console.Adapter
	// platforms are the chat platforms configured; none means the console.
	platforms []bot.Adapter
	closers   []func() error
	// ops holds the metrics, the platforms' health and the leases (ops.go).
	ops *ops
	// links are the link states cards show; checker checks links (nil
	// when off); opts are NewApp's options (links.go).
	links   *linkcheck.Snapshot
	checker *linkcheck.Checker
	opts    []option
}

// option adjusts how NewApp builds the platform adapters; tests use it to
// point them at fake servers without pacing.
type option struct {
	telegram  func(*telegram.Config)
	discord   func(*discord.Config)
	linkcheck func(*linkcheck.Options)
	// moderation adjusts the moderation service (its retry pauses).
	moderation func(*moderation.Options)
	// noProbe leaves suggested websites unchecked (probe.go).
	noProbe bool
}

// NewApp opens the store and builds every part. Close releases them.
func NewApp(ctx context.Context, cfg config.Config, s Streams, opts ...option) (*App, error) {
	a := &App{cfg: cfg, io: s, log: newLogger(cfg, s.Err), ops: newOps(), opts: opts}
	var err error
	if cfg.RedisURL != "" {
		a.store, err = redisstore.Open(ctx, cfg.RedisURL, cfg.RedisPrefix)
		if err != nil {
			return nil, fmt.Errorf("cannot reach Redis at UNIONBOT_REDIS_URL: %w", err)
		}
		a.log.Debug("store: redis")
	} else {
		a.store, err = boltstore.Open(cfg.DataDir)
		if err != nil {
			return nil, fmt.Errorf("cannot open the data directory %s (UNIONBOT_DATA_DIR): %w", cfg.DataDir, err)
		}
		a.log.Debug("store: embedded", "dir", cfg.DataDir)
	}
	a.closers = append(a.closers, a.store.Close)
	a.store = a.ops.metrics.observe(a.store)
	a.seed, err = directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.dir = directory.NewLive(a.seed, a.store, a.log)
	if err := a.dir.Refresh(ctx); err != nil {
		// The seed alone still answers; changes arrive when the store does.
		a.log.Warn("could not load community changes; serving the seed", "err", err)
	}
	a.loadLinks(ctx)
	// Language choices of releases before keyed hashes are looked for
	// for a while after the upgrade (peoplekeys.go).
	legacyUntil, err := legacyKeysUntil(ctx, a.store, time.Now())
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("cannot read the store: %w", err)
	}
	// Loading the seed and building the first index leave garbage once the
	// index stands (about 5 MB now that the places come generated, 80 MB
	// before); the runtime would hand it back to the system only slowly,
	// and idle resident memory is what a small server pays for. Return it
	// now, once: 2.5 MB less resident at idle (see README "Speed and
	// size").
	debug.FreeOSMemory()
	// Button data is signed with a key every process of the deployment
	// shares, made once in the store.
	buttonKey, err := bot.ButtonSecret(ctx, a.store)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("cannot read or create the button secret in the store: %w", err)
	}
	a.bot = bot.New(bot.Options{
		Directory:  a.dir,
		Log:        a.log,
		Moderators: moderators(cfg),
		Observer:   a.ops.metrics,
		// /lang keeps each person's choice, under a hash of their id. It is
		// read on every message, so it is cached: a /find costs no round
		// trip, and another replica sees a change within a minute.
		Prefs:           store.NewCachedKV(a.store, prefsCacheTTL, prefsCacheSize),
		DefaultLang:     cfg.Lang,
		ButtonKey:       buttonKey,
		LegacyLangUntil: legacyUntil,
		ButtonTokens:    a.store,
		Links:           a.links, // link states for the cards (links.go)
	})
	a.console = console.New(s.In, s.Out, s.Interactive, cfg.Lang)
	mo := moderation.Options{
		ApprovalsRequired: cfg.ApprovalsRequired,
		PerHour:           cfg.SuggestPerHour,
		PerDay:            cfg.SuggestPerDay,
		MaxPending:        cfg.MaxPending,
		Retention:         cfg.Retention,
		OutcomeTTL:        cfg.OutcomeTTL,
		AuditRetention:    time.Duration(cfg.AuditDays) * 24 * time.Hour,
		Consumer:          consumerName(),
		ClaimIdle:         cfg.ClaimIdle,
		Lang:              cfg.Lang, // moderators' cards
		// Records about people are keyed with the deployment secret.
		People: a.bot.People(),
	}
	for _, o := range opts {
		if o.moderation != nil {
			o.moderation(&mo)
		}
	}
	a.mod = moderation.New(a.store, a.dir, a.log, mo)
	a.mod.Register(a.bot.Router())
	a.h = a.mod.Wrap(a.bot)
	if err := a.bot.Router().Err(); err != nil {
		a.Close()
		return nil, fmt.Errorf("commands: %w", err)
	}
	if !s.ConsoleOnly {
		if err := a.connectPlatforms(cfg, opts); err != nil {
			a.Close()
			return nil, err
		}
	}
	a.setupLinks(opts)
	a.setupProber(opts) // probe.go
	if len(a.platforms) == 0 {
		// The person at the terminal is a moderators' channel of their
		// own. Not when platforms run: cards would land in the service's
		// output, suggestions' text included.
		a.mod.AddChannel(moderation.Channel{Key: "console", To: bot.Address{Platform: console.Platform, ChatID: console.OperatorID}, Sender: a.bot.Signing(a.console)})
	}
	// Say so when suggestions can reach no moderator, rather than let
	// /suggest promise a review that never comes.
	why := config.Review(cfg)
	if len(a.platforms) == 0 {
		why = config.Review(config.Config{ConsoleModerator: cfg.ConsoleModerator})
	}
	if why != "" {
		a.mod.SetNoReview(why)
		a.log.Warn("suggestions and reports can reach no moderator", "why", why)
	}
	a.ops.wire(a)
	return a, nil
}

// connectPlatforms builds the adapters whose tokens are set, and makes
// their moderators' chats channels of the one moderation queue. It runs
// after every command is registered, because the adapters publish the
// command list to the platforms.
func (a *App) connectPlatforms(cfg config.Config, opts []option) error {
	cmds := a.bot.Router().Commands()
	if cfg.TelegramToken != "" {
		tc := telegram.Config{Token: cfg.TelegramToken, Endpoint: cfg.TelegramAPIEndpoint, Commands: cmds,
			WebhookURL: cfg.TelegramWebhookURL, WebhookSecret: cfg.TelegramWebhookSecret,
			Pacing: telegram.RatePacing(cfg.TelegramRate, cfg.TelegramChatRate, cfg.TelegramGroupRate), Client: telegram.HTTPClient(),
			InlineCommand: "find"} // "@bot Canada" is a search
		for _, o := range opts {
			if o.telegram != nil {
				o.telegram(&tc)
			}
		}
		a.ops.instrumentTelegram(&tc)
		tg, err := telegram.New(tc, a.log)
		if err != nil {
			return fmt.Errorf("telegram (UNIONBOT_TELEGRAM_TOKEN, UNIONBOT_TELEGRAM_API_ENDPOINT): %w", err)
		}
		a.addPlatform(tg, cfg.TelegramModChat)
	}
	if cfg.DiscordToken != "" {
		dc := discord.Config{Token: cfg.DiscordToken, AppID: cfg.DiscordAppID, Guild: cfg.DiscordGuild,
			APIBase: cfg.DiscordAPIBase, Commands: cmds, PublicKey: cfg.DiscordPublicKey, ModChannel: cfg.DiscordModChannel,
			Client: discord.HTTPClient()} // its pooled transport: instrumenting wraps it, and would otherwise wrap http.DefaultTransport (two idle connections)
		for _, o := range opts {
			if o.discord != nil {
				o.discord(&dc)
			}
		}
		a.ops.instrumentDiscord(&dc)
		d, err := discord.New(dc, a.log)
		if err != nil {
			return fmt.Errorf("discord (UNIONBOT_DISCORD_TOKEN, UNIONBOT_DISCORD_API_BASE): %w", err)
		}
		a.addPlatform(d, cfg.DiscordModChannel)
	}
	return nil
}

// addPlatform runs p, reaches its users through it, and makes its
// moderators' chat (when set) a channel of the moderation queue, keyed
// "platform:chat" so the key stays the same across restarts.
func (a *App) addPlatform(p bot.Adapter, modChat string) {
	a.platforms = append(a.platforms, p)
	// What moderation sends carries buttons the core signs (bot/press.go).
	snd := a.bot.Signing(p)
	a.mod.AddSender(p.Name(), snd)
	if modChat != "" {
		a.mod.AddChannel(moderation.Channel{Key: p.Name() + ":" + modChat,
			To: bot.Address{Platform: p.Name(), ChatID: modChat}, Sender: snd})
	}
}

func moderators(cfg config.Config) bot.Moderators {
	m := bot.Moderators{Users: map[string]bool{}, Roles: map[string]bool{}, AdminSpaces: map[string]bool{}}
	if cfg.ConsoleModerator {
		m.Users[console.Platform+":"+console.OperatorID] = true
	}
	for _, id := range cfg.TelegramModerators {
		m.Users[telegram.Platform+":"+id] = true
	}
	for _, r := range cfg.DiscordModRoles {
		m.Roles[discord.Platform+":"+r] = true
	}
	if cfg.DiscordGuild != "" {
		m.AdminSpaces[discord.Platform+":"+cfg.DiscordGuild] = true
	}
	return m
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Handler is the core every adapter feeds.
func (a *App) Handler() bot.Handler { return a.h }

// Run serves until ctx ends: the configured platforms, or the console when
// none is configured.
func (a *App) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	// Once ctx ends, Run returns within shutdownBudget whatever still runs.
	late := afterDone(ctx, shutdownBudget)
	var wg sync.WaitGroup
	// Stop the background work when the adapters are done, then wait for it.
	defer waitStopped(&wg, late, a.log)
	defer cancel()
	wg.Add(3)
	go func() { defer wg.Done(); a.dir.Run(ctx) }()
	go func() { defer wg.Done(); a.runLinks(ctx) }()
	go func() { defer wg.Done(); a.mod.Run(ctx) }()
	if len(a.platforms) == 0 {
		return a.console.Run(ctx, a.Handler())
	}
	errs := make(chan error, len(a.platforms)+1)
	if a.cfg.HTTPAddr != "" {
		srv, err := a.serveHTTP(ctx)
		if err != nil {
			return err
		}
		defer srv.Close()
	}
	for _, p := range a.platforms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := a.runPlatform(ctx, p)
			if err != nil && ctx.Err() == nil {
				err = fmt.Errorf("%s: %w", p.Name(), err)
			} else {
				err = nil
			}
			errs <- err
		}()
	}
	a.log.Info("unionbot is running", "platforms", len(a.platforms))
	// The first platform to fail stops the others: a half-running bot is
	// worse than a restart by the supervisor.
	var first error
	for range a.platforms {
		select {
		case err := <-errs:
			if err != nil && first == nil {
				first = err
				cancel()
			}
		case <-late:
			a.log.Warn("shutdown: a platform is still stopping after the shutdown budget; stopping without it", "budget", shutdownBudget)
			return first
		}
	}
	return first
}

// Console answers commands read line by line from standard input.
func (a *App) Console(ctx context.Context) error {
	return a.Run(ctx)
}

// Ask answers one command and returns.
func (a *App) Ask(ctx context.Context, line string) error {
	return a.console.Ask(ctx, a.Handler(), line)
}

// Export writes the current directory in the seed file's format (see
// directory.Live.Export).
func (a *App) Export(ctx context.Context, w io.Writer) error {
	return a.dir.Export(ctx, w)
}

// Close releases what NewApp opened, in reverse order.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}

// consumerName tells this process apart from others sharing the store.
func consumerName() string {
	h, err := os.Hostname()
	if err != nil {
		h = "unionbot"
	}
	return fmt.Sprintf("%s-%d", h, os.Getpid())
}
