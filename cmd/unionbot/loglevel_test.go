package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/config"
)

// TestLogLevelFlagWinsOverTheVariable checks the level main hands to
// process-wide logging (go-redis's): -log-level, else UNIONBOT_LOG_LEVEL,
// else the configuration's default.
func TestLogLevelFlagWinsOverTheVariable(t *testing.T) {
	for _, tc := range []struct {
		env  string
		args []string
		want string
	}{
		{"info", []string{"-log-level", "debug"}, "debug"},
		{"debug", []string{"-log-level", "warn"}, "warn"},
		{"debug", nil, "debug"},
		{"", nil, "info"},
	} {
		env := map[string]string{"UNIONBOT_DATA_DIR": t.TempDir(), "UNIONBOT_LOG_LEVEL": tc.env}
		var got []string
		var out, errb bytes.Buffer
		args := append(append([]string{}, tc.args...), "ask", "/help")
		code := runWith(context.Background(), args, func(k string) string { return env[k] }, nil,
			strings.NewReader(""), &out, &errb, func(cfg config.Config) { got = append(got, cfg.LogLevel) })
		if code != 0 {
			t.Fatalf("%v with UNIONBOT_LOG_LEVEL=%q: exit %d: %s", tc.args, tc.env, code, errb.String())
		}
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("%v with UNIONBOT_LOG_LEVEL=%q: configured with levels %q, want [%q]", tc.args, tc.env, got, tc.want)
		}
	}
}
