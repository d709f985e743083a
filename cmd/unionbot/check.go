package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/unionbot/unionbot/bot/discord"
	"github.com/unionbot/unionbot/config"
	"github.com/unionbot/unionbot/store/boltstore"
	"github.com/unionbot/unionbot/store/redisstore"
)

// checkTimeout bounds each reachability check of `unionbot check`.
const checkTimeout = 10 * time.Second

// checker runs `unionbot check`: it validates the configuration and tries
// the store and each platform whose token is set, and says in plain words
// what works and what does not. It never prints a token.
type checker struct {
	w        io.Writer
	problems int
	client   *http.Client
}

func (c *checker) ok(format string, args ...any) {
	fmt.Fprintf(c.w, "ok       %s\n", fmt.Sprintf(format, args...))
}

func (c *checker) bad(format string, args ...any) {
	c.problems++
	fmt.Fprintf(c.w, "PROBLEM  %s\n", fmt.Sprintf(format, args...))
}

func (c *checker) warn(format string, args ...any) {
	fmt.Fprintf(c.w, "WARNING  %s\n", fmt.Sprintf(format, args...))
}

func (c *checker) note(format string, args ...any) {
	fmt.Fprintf(c.w, "note     %s\n", fmt.Sprintf(format, args...))
}

// runCheck checks cfg (as loaded, with loadErr the problems Load found) and
// returns the exit code: 0 when everything works, 1 otherwise.
// unknown are the warnings for UNIONBOT_* variables the bot does not read.
func runCheck(ctx context.Context, cfg config.Config, loadErr error, unknown []string, w io.Writer) int {
	c := &checker{w: w, client: &http.Client{Timeout: checkTimeout}}
	if loadErr != nil {
		for _, line := range strings.Split(loadErr.Error(), "\n") {
			c.bad("configuration: %s", line)
		}
	} else {
		c.ok("configuration: every UNIONBOT_* variable is valid")
	}
	for _, u := range unknown {
		c.warn("configuration: %s", u)
	}
	if loadErr == nil {
		if why := config.Review(cfg); why != "" {
			c.warn("moderation: %s", why)
		}
	}
	c.store(ctx, cfg)
	if cfg.TelegramToken != "" {
		c.telegram(ctx, cfg)
	} else {
		c.note("Telegram is off (UNIONBOT_TELEGRAM_TOKEN is empty)")
	}
	if cfg.DiscordToken != "" {
		c.discord(ctx, cfg)
	} else {
		c.note("Discord is off (UNIONBOT_DISCORD_TOKEN is empty)")
	}
	if cfg.TelegramToken == "" && cfg.DiscordToken == "" {
		c.note("with no platform token, `unionbot` chats in the terminal")
	}
	if cfg.HTTPAddr != "" && loadErr == nil {
		c.ok("health checks and metrics will be served on %s (/healthz, /readyz, /metrics)", cfg.HTTPAddr)
	}
	if c.problems > 0 {
		fmt.Fprintf(w, "\n%d problem(s) found.\n", c.problems)
		return 1
	}
	fmt.Fprintln(w, "\nEverything checked works.")
	return 0
}

func (c *checker) store(ctx context.Context, cfg config.Config) {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	if cfg.RedisURL == "" {
		s, err := boltstore.Open(cfg.DataDir, boltstore.WithLockTimeout(500*time.Millisecond))
		switch {
		case errors.Is(err, bolterrors.ErrTimeout):
			c.ok("embedded store in %s (UNIONBOT_DATA_DIR): in use by a running unionbot", cfg.DataDir)
		case err != nil:
			c.bad("embedded store: cannot open %s (UNIONBOT_DATA_DIR): %v", cfg.DataDir, err)
		default:
			s.Close()
			c.ok("embedded store in %s (UNIONBOT_DATA_DIR) opens; one process at a time can use it", cfg.DataDir)
		}
		return
	}
	where := redisAddr(cfg.RedisURL)
	s, err := redisstore.Open(ctx, cfg.RedisURL, cfg.RedisPrefix)
	if err != nil {
		var rerr redis.Error
		if errors.As(err, &rerr) {
			c.bad("Redis at %s (UNIONBOT_REDIS_URL) answers but refuses us: %s (check the password or user in the URL)", where, rerr.Error())
		} else {
			c.bad("cannot reach Redis at %s (UNIONBOT_REDIS_URL): is it running, and is the address right? (%v)", where, errors.Unwrap(err))
		}
		return
	}
	defer s.Close()
	c.ok("Redis at %s (UNIONBOT_REDIS_URL) answers", where)
	info, err := s.Client().Info(ctx, "persistence").Result()
	if err != nil {
		return // some hosted Redis hide INFO; nothing to say then
	}
	aof, rdb := infoField(info, "aof_enabled"), infoField(info, "rdb_last_save_time")
	switch {
	case aof == "1":
		c.ok("Redis keeps an append-only file, so a restart loses at most a second of changes")
	case rdb != "":
		c.note("Redis has no append-only file: a crash loses the changes since its last snapshot. Turn on appendonly yes (see README, Redis persistence)")
	}
}

// redisAddr is host:port of a Redis URL, without user or password.
func redisAddr(raw string) string {
	o, err := redis.ParseURL(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return o.Addr
}

func infoField(info, name string) string {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return ""
}

func (c *checker) telegram(ctx context.Context, cfg config.Config) {
	endpoint := cfg.TelegramAPIEndpoint
	if strings.Count(endpoint, "%s") != 2 {
		return // reported with the configuration
	}
	host := hostOf(strings.ReplaceAll(endpoint, "%s", "x"))
	var me struct {
		OK          bool   `json:"ok"`
		Description string `json:"description"`
		Result      struct {
			Username string `json:"username"`
		} `json:"result"`
	}
	status, err := c.get(ctx, fmt.Sprintf(endpoint, cfg.TelegramToken, "getMe"), nil, &me)
	switch {
	case err != nil:
		c.bad("cannot reach Telegram at %s (UNIONBOT_TELEGRAM_API_ENDPOINT): %v", host, err)
	case status == http.StatusUnauthorized || status == http.StatusNotFound:
		c.bad("Telegram refuses the bot token (UNIONBOT_TELEGRAM_TOKEN): copy it again from @BotFather")
	case status != http.StatusOK || !me.OK:
		c.bad("Telegram answered getMe with HTTP %d: %s", status, me.Description)
	default:
		c.ok("Telegram accepts the token: the bot is @%s", me.Result.Username)
		if cfg.TelegramWebhookURL == "" {
			c.note("Telegram: long polling; with several replicas one polls at a time (UNIONBOT_LEASE_TTL)")
		} else {
			c.note("Telegram: webhook at %s; Telegram must reach it from the internet", cfg.TelegramWebhookURL)
		}
	}
}

func (c *checker) discord(ctx context.Context, cfg config.Config) {
	base := strings.TrimRight(cfg.DiscordAPIBase, "/")
	tok := strings.TrimSpace(cfg.DiscordToken)
	if !strings.HasPrefix(tok, "Bot ") {
		tok = "Bot " + tok
	}
	var me struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Message  string `json:"message"`
	}
	status, err := c.get(ctx, base+"/api/v10/users/@me", http.Header{"Authorization": {tok}}, &me)
	switch {
	case err != nil:
		c.bad("cannot reach Discord at %s (UNIONBOT_DISCORD_API_BASE): %v", hostOf(base), err)
	case status == http.StatusUnauthorized:
		c.bad("Discord refuses the bot token (UNIONBOT_DISCORD_TOKEN): reset it on the Bot page of the application and copy it again")
	case status != http.StatusOK:
		c.bad("Discord answered GET /users/@me with HTTP %d: %s", status, me.Message)
	default:
		c.ok("Discord accepts the token: the bot is %s", me.Username)
		if cfg.DiscordAppID != "" && me.ID != "" && cfg.DiscordAppID != me.ID {
			c.note("UNIONBOT_DISCORD_APP_ID (%s) differs from the bot's user id (%s); they are usually the same", cfg.DiscordAppID, me.ID)
		}
		c.discordModChannel(ctx, cfg)
	}
}

// discordModChannel checks that the bot may post cards in the moderators'
// channel, and says what an admin must set for the moderator roles to see
// the moderators' commands.
func (c *checker) discordModChannel(ctx context.Context, cfg config.Config) {
	if len(cfg.DiscordModRoles) > 0 {
		c.note("%s", discord.ModeratorSetup)
	}
	if cfg.DiscordModChannel == "" {
		return
	}
	dc := discord.Config{Token: cfg.DiscordToken, APIBase: cfg.DiscordAPIBase}
	if err := discord.CheckModChannel(ctx, dc, cfg.DiscordModChannel); err != nil {
		c.bad("moderators' channel (UNIONBOT_DISCORD_MOD_CHANNEL): %v", err)
		return
	}
	c.ok("the bot can post cards in the moderators' channel (view, send, embed links)")
}

// get fetches a JSON document. Errors say what failed without the URL,
// which may hold a token.
func (c *checker) get(ctx context.Context, u string, h http.Header, v any) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, errors.New("the address is not a valid URL")
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := c.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL may carry the token
		}
		return 0, err
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
	return resp.StatusCode, nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(invalid URL)"
	}
	return u.Host
}
