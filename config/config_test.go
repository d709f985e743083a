package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(env(map[string]string{"HOME": "/home/x"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.RedisURL != "" || c.RedisPrefix != "unionbot:" || c.ApprovalsRequired != 1 || c.SuggestPerHour != 3 || c.SuggestPerDay != 10 ||
		c.Retention != 720*time.Hour || !c.ConsoleModerator || c.TelegramAPIEndpoint != "https://api.telegram.org/bot%s/%s" ||
		c.DiscordAPIBase != "https://discord.com" || c.LogLevel != "info" || c.DataDir == "" ||
		c.LeaseTTL != 10*time.Second || c.LeaseRenew != 3*time.Second || c.ClaimIdle != time.Minute || c.AuditDays != 365 {
		t.Errorf("defaults = %+v", c)
	}
	c, _ = Load(env(map[string]string{"XDG_DATA_HOME": "/data"}))
	if c.DataDir != "/data/unionbot" {
		t.Errorf("DataDir = %q, want /data/unionbot", c.DataDir)
	}
}

func TestValues(t *testing.T) {
	c, err := Load(env(map[string]string{
		"UNIONBOT_REDIS_URL":           "redis://127.0.0.1:6379/0",
		"UNIONBOT_TELEGRAM_TOKEN":      "123:abc",
		"UNIONBOT_TELEGRAM_MODERATORS": "1, 2,3",
		"UNIONBOT_TELEGRAM_MOD_CHAT":   "-100123",
		"UNIONBOT_DISCORD_TOKEN":       "x",
		"UNIONBOT_DISCORD_MOD_ROLES":   "9,8",
		"UNIONBOT_APPROVALS_REQUIRED":  "2",
		"UNIONBOT_CONSOLE_MODERATOR":   "false",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.TelegramModerators, ",") != "1,2,3" || strings.Join(c.DiscordModRoles, ",") != "9,8" || c.ApprovalsRequired != 2 || c.ConsoleModerator {
		t.Errorf("config = %+v", c)
	}
}

func TestErrorsNameTheVariable(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"UNIONBOT_REDIS_URL": "localhost:6379"}, "UNIONBOT_REDIS_URL"},
		{map[string]string{"UNIONBOT_LOG_FORMAT": "xml"}, "UNIONBOT_LOG_FORMAT"},
		{map[string]string{"UNIONBOT_APPROVALS_REQUIRED": "two"}, "UNIONBOT_APPROVALS_REQUIRED must be a whole number"},
		{map[string]string{"UNIONBOT_APPROVALS_REQUIRED": "3"}, "UNIONBOT_APPROVALS_REQUIRED must be between 1 and 2"},
		{map[string]string{"UNIONBOT_CONSOLE_MODERATOR": "maybe"}, "UNIONBOT_CONSOLE_MODERATOR must be true or false"},
		{map[string]string{"UNIONBOT_RETENTION": "forever"}, "UNIONBOT_RETENTION"},
		{map[string]string{"UNIONBOT_AUDIT_DAYS": "0"}, "UNIONBOT_AUDIT_DAYS must be between 1 and 36500"},
		{map[string]string{"UNIONBOT_AUDIT_DAYS": "1y"}, "UNIONBOT_AUDIT_DAYS must be a whole number"},
		{map[string]string{"UNIONBOT_LEASE_TTL": "0s"}, "UNIONBOT_LEASE_TTL must be a positive duration"},
		{map[string]string{"UNIONBOT_LEASE_TTL": "2s", "UNIONBOT_LEASE_RENEW": "2s"}, "UNIONBOT_LEASE_RENEW must be less than UNIONBOT_LEASE_TTL"},
		{map[string]string{"UNIONBOT_QUEUE_CLAIM_IDLE": "soon"}, "UNIONBOT_QUEUE_CLAIM_IDLE"},
		{map[string]string{"UNIONBOT_SUGGEST_PER_HOUR": "5", "UNIONBOT_SUGGEST_PER_DAY": "4"}, "UNIONBOT_SUGGEST_PER_DAY must be at least"},
		{map[string]string{"UNIONBOT_TELEGRAM_TOKEN": "t", "UNIONBOT_TELEGRAM_MOD_CHAT": "mods"}, "UNIONBOT_TELEGRAM_MOD_CHAT"},
		{map[string]string{"UNIONBOT_TELEGRAM_TOKEN": "t", "UNIONBOT_TELEGRAM_MODERATORS": "1,bob"}, "UNIONBOT_TELEGRAM_MODERATORS"},
		{map[string]string{"UNIONBOT_TELEGRAM_TOKEN": "t", "UNIONBOT_TELEGRAM_WEBHOOK_URL": "http://x.org/hook"}, "UNIONBOT_TELEGRAM_WEBHOOK_URL"},
		{map[string]string{"UNIONBOT_TELEGRAM_TOKEN": "t", "UNIONBOT_TELEGRAM_WEBHOOK_URL": "https://x.org/hook", "UNIONBOT_HTTP_ADDR": ":8080"}, "UNIONBOT_TELEGRAM_WEBHOOK_SECRET"},
		{map[string]string{"UNIONBOT_DISCORD_TOKEN": "t", "UNIONBOT_DISCORD_API_BASE": "discord"}, "UNIONBOT_DISCORD_API_BASE"},
		{map[string]string{"UNIONBOT_DISCORD_TOKEN": "t", "UNIONBOT_DISCORD_PUBLIC_KEY": "ab"}, "UNIONBOT_HTTP_ADDR"},
	} {
		_, err := Load(env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.env, err, tc.want)
		}
	}
	// Several problems are reported together.
	_, err := Load(env(map[string]string{"UNIONBOT_LOG_LEVEL": "x", "UNIONBOT_LOG_FORMAT": "y"}))
	if err == nil || !strings.Contains(err.Error(), "UNIONBOT_LOG_LEVEL") || !strings.Contains(err.Error(), "UNIONBOT_LOG_FORMAT") {
		t.Errorf("want both variables named, got %v", err)
	}
}

func TestKnown(t *testing.T) {
	if !Known("UNIONBOT_REDIS_URL") || Known("UNIONBOT_NOPE") {
		t.Error("Known is wrong")
	}
	if len(Names()) != len(Vars()) {
		t.Error("Names and Vars differ")
	}
}

// TestREADMEDocumentsEveryVariable keeps the README's table in step with
// what the binary reads.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Vars() {
		if !strings.Contains(string(b), "| `"+v.Name+"` |") {
			t.Errorf("README.md's configuration table lacks %s", v.Name)
		}
	}
}
