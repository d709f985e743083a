// Package config reads unionbot's configuration from UNIONBOT_* environment
// variables (and flags that override them) and validates it with messages
// that name the variable at fault.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is everything an operator can set.
type Config struct {
	RedisURL    string
	RedisPrefix string
	DataDir     string

	LogLevel  string
	LogFormat string
	Lang      string
	HTTPAddr  string

	ConsoleModerator bool

	// Languages are the languages the bot speaks (bot/i18n's, filled in by
	// main before Validate); nil skips the check of UNIONBOT_LANG. Config
	// knows no package of the bot's, so it is told them.
	Languages []string

	ApprovalsRequired int
	SuggestPerHour    int
	SuggestPerDay     int
	MaxPending        int
	Retention         time.Duration
	// OutcomeTTL is how long a decision that could not be sent to its
	// sender privately is held for them.
	OutcomeTTL time.Duration
	// AuditDays is how many days audit log entries are kept.
	AuditDays int

	// LeaseTTL and LeaseRenew time the leases that let one replica at a
	// time long-poll Telegram and hold the Discord gateway.
	LeaseTTL   time.Duration
	LeaseRenew time.Duration
	// ClaimIdle is how long a moderator card may stay unacknowledged before
	// another process delivers it.
	ClaimIdle time.Duration
	// LinkCheck runs the weekly link checker (directory/linkcheck) in the
	// replica that holds its lease. ask, console and export never run it.
	LinkCheck bool

	TelegramToken         string
	TelegramAPIEndpoint   string
	TelegramModChat       string
	TelegramModerators    []string
	TelegramWebhookURL    string
	TelegramWebhookSecret string
	// TelegramRate is messages a second overall, TelegramChatRate a
	// second in one private chat, TelegramGroupRate a minute in one
	// group; 0 means no limit.
	TelegramRate      float64
	TelegramChatRate  float64
	TelegramGroupRate float64

	DiscordToken      string
	DiscordAppID      string
	DiscordGuild      string
	DiscordModChannel string
	DiscordModRoles   []string
	DiscordAPIBase    string
	DiscordPublicKey  string
}

// langBase is a BCP 47 tag's language, lowercased: "pt-BR" → "pt".
func langBase(tag string) string {
	base, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	return strings.ToLower(strings.TrimSpace(base))
}

// Var describes one environment variable.
type Var struct {
	Name    string
	Default string
	Help    string
	set     func(c *Config, v string) error
}

func str(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

func list(p func(*Config) *[]string) func(*Config, string) error {
	return func(c *Config, v string) error {
		var out []string
		for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			out = append(out, s)
		}
		*p(c) = out
		return nil
	}
}

func integer(p func(*Config) *int, lo, hi int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("must be a whole number, not %q", v)
		}
		if n < lo || n > hi {
			return fmt.Errorf("must be between %d and %d, not %d", lo, hi, n)
		}
		*p(c) = n
		return nil
	}
}

// rate is a number of messages per unit of time; 0 means no limit.
func rate(p func(*Config) *float64) func(*Config, string) error {
	return func(c *Config, v string) error {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 || f > 1e6 || f != f {
			return fmt.Errorf("must be a number of messages from 0 (no limit) to 1000000, not %q", v)
		}
		*p(c) = f
		return nil
	}
}

func boolean(p func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("must be true or false, not %q", v)
		}
		*p(c) = b
		return nil
	}
}

// onOff reads on/off as well as true/false.
func onOff(p func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "on", "yes":
			*p(c) = true
			return nil
		case "off", "no":
			*p(c) = false
			return nil
		}
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("must be on or off, not %q", v)
		}
		*p(c) = b
		return nil
	}
}

func duration(p func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d <= 0 {
			return fmt.Errorf("must be a positive duration such as 720h or 10s, not %q", v)
		}
		*p(c) = d
		return nil
	}
}

// Vars lists every variable unionbot reads, with its default and meaning.
// The README's table and the check of .env.example are made from it.
func Vars() []Var {
	return []Var{
		{"UNIONBOT_REDIS_URL", "", "Redis URL (redis://host:6379/0). Empty: the embedded store in UNIONBOT_DATA_DIR.", str(func(c *Config) *string { return &c.RedisURL })},
		{"UNIONBOT_REDIS_PREFIX", "unionbot:", "Prefix of every Redis key.", str(func(c *Config) *string { return &c.RedisPrefix })},
		{"UNIONBOT_DATA_DIR", "", "Directory of the embedded store. Default: unionbot in the user's data directory (~/.local/share/unionbot).", str(func(c *Config) *string { return &c.DataDir })},
		{"UNIONBOT_LOG_LEVEL", "info", "debug, info, warn or error.", str(func(c *Config) *string { return &c.LogLevel })},
		{"UNIONBOT_LOG_FORMAT", "text", "text or json.", str(func(c *Config) *string { return &c.LogFormat })},
		{"UNIONBOT_LANG", "en", "Reply language when the platform gives none.", str(func(c *Config) *string { return &c.Lang })},
		{"UNIONBOT_HTTP_ADDR", "", "Address for /healthz, /readyz and /metrics (and Discord interactions), e.g. :8080. Empty: off.", str(func(c *Config) *string { return &c.HTTPAddr })},
		{"UNIONBOT_CONSOLE_MODERATOR", "true", "Whether the person at the console is a moderator.", boolean(func(c *Config) *bool { return &c.ConsoleModerator })},
		{"UNIONBOT_APPROVALS_REQUIRED", "1", "Moderator approvals an entry needs (1 or 2).", integer(func(c *Config) *int { return &c.ApprovalsRequired }, 1, 2)},
		{"UNIONBOT_SUGGEST_PER_HOUR", "3", "Suggestions and reports one person may send an hour.", integer(func(c *Config) *int { return &c.SuggestPerHour }, 1, 1000)},
		{"UNIONBOT_SUGGEST_PER_DAY", "10", "Suggestions and reports one person may send a day.", integer(func(c *Config) *int { return &c.SuggestPerDay }, 1, 10000)},
		{"UNIONBOT_MAX_PENDING", "500", "Most items waiting for moderators at once.", integer(func(c *Config) *int { return &c.MaxPending }, 1, 1000000)},
		{"UNIONBOT_RETENTION", "720h", "How long decided suggestions are kept before they are deleted.", duration(func(c *Config) *time.Duration { return &c.Retention })},
		{"UNIONBOT_OUTCOME_TTL", "720h", "How long a decision that could not be sent to its sender privately (closed direct messages) is held for them, to be shown when they next write to the bot privately or send /status.", duration(func(c *Config) *time.Duration { return &c.OutcomeTTL })},
		{"UNIONBOT_AUDIT_DAYS", "365", "Days the moderation audit log keeps an entry; the daily sweep deletes older ones.", integer(func(c *Config) *int { return &c.AuditDays }, 1, 36500)},
		{"UNIONBOT_LEASE_TTL", "10s", "With several replicas on one Redis: how long the replica that long-polls Telegram (and the one on the Discord gateway) keeps that role without renewing it. Another replica takes over this long after it dies.", duration(func(c *Config) *time.Duration { return &c.LeaseTTL })},
		{"UNIONBOT_LEASE_RENEW", "3s", "How often that replica renews its lease, and how often the others try to take it. Must be less than UNIONBOT_LEASE_TTL.", duration(func(c *Config) *time.Duration { return &c.LeaseRenew })},
		{"UNIONBOT_QUEUE_CLAIM_IDLE", "1m", "How long a moderator card may stay undelivered by a process that stopped before another process delivers it.", duration(func(c *Config) *time.Duration { return &c.ClaimIdle })},
		{"UNIONBOT_LINKCHECK", "on", "on or off: check every listed website and social link once a week (one replica at a time) and tell moderators about dead or moved ones.", onOff(func(c *Config) *bool { return &c.LinkCheck })},
		{"UNIONBOT_TELEGRAM_TOKEN", "", "Telegram bot token from BotFather. Empty: Telegram off.", str(func(c *Config) *string { return &c.TelegramToken })},
		{"UNIONBOT_TELEGRAM_API_ENDPOINT", "https://api.telegram.org/bot%s/%s", "Bot API endpoint, in tgbotapi's format (token, method).", str(func(c *Config) *string { return &c.TelegramAPIEndpoint })},
		{"UNIONBOT_TELEGRAM_MOD_CHAT", "", "Chat id of the Telegram moderators' group.", str(func(c *Config) *string { return &c.TelegramModChat })},
		{"UNIONBOT_TELEGRAM_MODERATORS", "", "Comma-separated Telegram user ids allowed to decide.", list(func(c *Config) *[]string { return &c.TelegramModerators })},
		{"UNIONBOT_TELEGRAM_WEBHOOK_URL", "", "Public HTTPS URL for webhook mode. Empty: long polling.", str(func(c *Config) *string { return &c.TelegramWebhookURL })},
		{"UNIONBOT_TELEGRAM_WEBHOOK_SECRET", "", "Secret Telegram sends with each webhook request.", str(func(c *Config) *string { return &c.TelegramWebhookSecret })},
		{"UNIONBOT_TELEGRAM_RATE", "30", "Telegram messages a second, overall, shared in turn among the chats waiting. 30 is Telegram's limit; raise it for a self-hosted Bot API server or paid broadcasts. 0: no limit.", rate(func(c *Config) *float64 { return &c.TelegramRate })},
		{"UNIONBOT_TELEGRAM_CHAT_RATE", "1", "Telegram messages a second in one private chat. 0: no limit.", rate(func(c *Config) *float64 { return &c.TelegramChatRate })},
		{"UNIONBOT_TELEGRAM_GROUP_RATE", "20", "Telegram messages a minute in one group (Telegram allows 20). 0: no limit.", rate(func(c *Config) *float64 { return &c.TelegramGroupRate })},
		{"UNIONBOT_DISCORD_TOKEN", "", "Discord bot token. Empty: Discord off.", str(func(c *Config) *string { return &c.DiscordToken })},
		{"UNIONBOT_DISCORD_APP_ID", "", "Discord application id. Empty: taken from READY.", str(func(c *Config) *string { return &c.DiscordAppID })},
		{"UNIONBOT_DISCORD_GUILD", "", "Register commands in this server only (they update at once). Empty: globally.", str(func(c *Config) *string { return &c.DiscordGuild })},
		{"UNIONBOT_DISCORD_MOD_CHANNEL", "", "Channel id for Discord moderator cards.", str(func(c *Config) *string { return &c.DiscordModChannel })},
		{"UNIONBOT_DISCORD_MOD_ROLES", "", "Comma-separated role ids allowed to decide (Manage Server counts too).", list(func(c *Config) *[]string { return &c.DiscordModRoles })},
		{"UNIONBOT_DISCORD_API_BASE", "https://discord.com", "Where every Discord REST call goes.", str(func(c *Config) *string { return &c.DiscordAPIBase })},
		{"UNIONBOT_DISCORD_PUBLIC_KEY", "", "Application public key, for the HTTP interactions endpoint.", str(func(c *Config) *string { return &c.DiscordPublicKey })},
	}
}

// Load reads the configuration from getenv (os.Getenv in main) and fills
// defaults. It returns every problem at once, each naming its variable.
func Load(getenv func(string) string) (Config, error) {
	return LoadFor(getenv, nil)
}

// LoadFor is Load that also checks UNIONBOT_LANG against languages, the
// languages the bot speaks.
func LoadFor(getenv func(string) string, languages []string) (Config, error) {
	c := Config{Languages: languages}
	var errs []error
	for _, v := range Vars() {
		val := getenv(v.Name)
		if val == "" {
			val = v.Default
		}
		if val == "" {
			continue
		}
		if err := v.set(&c, val); err != nil {
			errs = append(errs, fmt.Errorf("%s %w", v.Name, err))
		}
	}
	if c.DataDir == "" {
		c.DataDir = defaultDataDir(getenv)
	}
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// defaultDataDir follows the XDG base directory convention on Unix.
func defaultDataDir(getenv func(string) string) string {
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "unionbot")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "unionbot")
	}
	return "unionbot-data"
}

// Validate checks values that depend on each other.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s %s", name, fmt.Sprintf(format, args...)))
	}
	if c.RedisURL != "" {
		u, err := url.Parse(c.RedisURL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") {
			bad("UNIONBOT_REDIS_URL", "must look like redis://host:6379/0")
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("UNIONBOT_LOG_LEVEL", "must be debug, info, warn or error, not %q", c.LogLevel)
	}
	if c.Languages != nil && !slices.Contains(c.Languages, langBase(c.Lang)) {
		bad("UNIONBOT_LANG", "must be one of the languages the bot speaks (%s), not %q", strings.Join(c.Languages, ", "), c.Lang)
	}
	if c.HTTPAddr != "" {
		if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil {
			bad("UNIONBOT_HTTP_ADDR", "must be an address such as :8080 or 127.0.0.1:8080, not %q", c.HTTPAddr)
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			bad("UNIONBOT_HTTP_ADDR", "must end in a port number from 0 to 65535, not %q", c.HTTPAddr)
		}
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		bad("UNIONBOT_LOG_FORMAT", "must be text or json, not %q", c.LogFormat)
	}
	if c.SuggestPerDay < c.SuggestPerHour {
		bad("UNIONBOT_SUGGEST_PER_DAY", "must be at least UNIONBOT_SUGGEST_PER_HOUR (%d)", c.SuggestPerHour)
	}
	if c.LeaseRenew >= c.LeaseTTL {
		bad("UNIONBOT_LEASE_RENEW", "must be less than UNIONBOT_LEASE_TTL (%v), or the lease expires between renewals", c.LeaseTTL)
	}
	if c.TelegramToken != "" {
		if !telegramToken.MatchString(c.TelegramToken) {
			bad("UNIONBOT_TELEGRAM_TOKEN", "is not a Telegram bot token: it looks like 123456789:AAE... (digits, a colon, then letters, digits, - and _), with no spaces or quotes; copy it again from @BotFather")
		}
		if strings.Count(c.TelegramAPIEndpoint, "%s") != 2 {
			bad("UNIONBOT_TELEGRAM_API_ENDPOINT", "must contain %%s twice, for the token and the method, like https://api.telegram.org/bot%%s/%%s")
		}
		if c.TelegramModChat != "" {
			if _, err := strconv.ParseInt(c.TelegramModChat, 10, 64); err != nil {
				bad("UNIONBOT_TELEGRAM_MOD_CHAT", "must be a numeric chat id such as -1001234567890")
			}
		}
		for _, id := range c.TelegramModerators {
			if _, err := strconv.ParseInt(id, 10, 64); err != nil {
				bad("UNIONBOT_TELEGRAM_MODERATORS", "must be numeric user ids separated by commas; %q is not one", id)
			}
		}
		if c.TelegramWebhookURL != "" {
			if u, err := url.Parse(c.TelegramWebhookURL); err != nil || u.Scheme != "https" || u.Host == "" {
				bad("UNIONBOT_TELEGRAM_WEBHOOK_URL", "must be an https:// URL")
			}
			if c.HTTPAddr == "" {
				bad("UNIONBOT_HTTP_ADDR", "must be set in webhook mode, for Telegram to reach the bot")
			}
			if len(c.TelegramWebhookSecret) < 16 {
				bad("UNIONBOT_TELEGRAM_WEBHOOK_SECRET", "must be at least 16 characters in webhook mode")
			}
		}
	}
	if c.DiscordToken != "" {
		if !discordToken.MatchString(strings.TrimPrefix(c.DiscordToken, "Bot ")) {
			bad("UNIONBOT_DISCORD_TOKEN", "is not a Discord bot token: it has only letters, digits, dots, - and _, with no spaces or quotes; copy it again from the Bot page of the application")
		}
		if u, err := url.Parse(c.DiscordAPIBase); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("UNIONBOT_DISCORD_API_BASE", "must be a URL such as https://discord.com")
		}
		if c.DiscordPublicKey != "" && c.HTTPAddr == "" {
			bad("UNIONBOT_HTTP_ADDR", "must be set when UNIONBOT_DISCORD_PUBLIC_KEY is, to serve interactions")
		}
	}
	return errors.Join(errs...)
}

// Review says why suggestions and reports could reach no moderator with
// this configuration, or "" when they can. With no platform token the bot
// runs in the terminal, whose operator sees the cards and decides (when
// UNIONBOT_CONSOLE_MODERATOR is true).
func Review(c Config) string {
	if c.TelegramToken == "" && c.DiscordToken == "" {
		if !c.ConsoleModerator {
			return "UNIONBOT_CONSOLE_MODERATOR is false and no platform is set up, so nobody can decide on suggestions"
		}
		return ""
	}
	var chat, who []string
	if c.TelegramToken != "" {
		if c.TelegramModChat != "" {
			chat = append(chat, "telegram")
		}
		if len(c.TelegramModerators) > 0 {
			who = append(who, "telegram")
		}
	}
	if c.DiscordToken != "" {
		if c.DiscordModChannel != "" {
			chat = append(chat, "discord")
		}
		if len(c.DiscordModRoles) > 0 || c.DiscordGuild != "" {
			who = append(who, "discord")
		}
	}
	switch {
	case len(chat) == 0:
		return "no moderators' chat is set (UNIONBOT_TELEGRAM_MOD_CHAT, UNIONBOT_DISCORD_MOD_CHANNEL): suggestions and reports can reach no moderator, so /suggest and /report tell people that review is not set up"
	case len(who) == 0:
		return "no moderators are set (UNIONBOT_TELEGRAM_MODERATORS, UNIONBOT_DISCORD_MOD_ROLES or UNIONBOT_DISCORD_GUILD): cards reach the moderators' chat but nobody can approve or reject them, so /suggest and /report tell people that review is not set up"
	}
	return ""
}

// Token shapes. They catch a token pasted with spaces, quotes or a line
// break, or a value put in the wrong variable, before any request is made;
// whether the platform accepts the token is `unionbot check`'s business.
var (
	telegramToken = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	discordToken  = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

// Unknown returns a warning for each UNIONBOT_* variable in environ
// ("NAME=value" pairs, as os.Environ gives) that unionbot does not read,
// naming the closest known variable: a misspelt name would otherwise be
// silently ignored. The warnings are sorted.
func Unknown(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "UNIONBOT_") || Known(name) || name == "UNIONBOT_TEST_REDIS_URL" {
			continue
		}
		w := fmt.Sprintf("%s is not a variable unionbot reads", name)
		if near := Closest(name); near != "" {
			w += fmt.Sprintf("; did you mean %s?", near)
		}
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// Closest is the known variable nearest to name by edit distance, or ""
// when none is near enough to be a likely misspelling.
func Closest(name string) string {
	best, bestD := "", -1
	for _, v := range Names() {
		d := editDistance(name, v)
		if bestD < 0 || d < bestD {
			best, bestD = v, d
		}
	}
	// A third of the part after UNIONBOT_, and at least 2, tells a typo
	// from another name.
	limit := max(2, (len(name)-len("UNIONBOT_"))/3)
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (variable names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Known reports whether name is a variable unionbot reads.
func Known(name string) bool {
	for _, v := range Vars() {
		if v.Name == name {
			return true
		}
	}
	return false
}

// Names lists the variables, sorted.
func Names() []string {
	var out []string
	for _, v := range Vars() {
		out = append(out, v.Name)
	}
	sort.Strings(out)
	return out
}
