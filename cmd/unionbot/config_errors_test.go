package main

import (
	"strings"
	"testing"
)

// TestConfigurationErrorsExitTwo: each of these used to be accepted, or to
// fail later with exit 1 and no variable named.
func TestConfigurationErrorsExitTwo(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"UNIONBOT_LANG": "xx"}, "UNIONBOT_LANG"},
		{map[string]string{"UNIONBOT_HTTP_ADDR": "nope"}, "UNIONBOT_HTTP_ADDR"},
		{map[string]string{"UNIONBOT_TELEGRAM_TOKEN": "not a token"}, "UNIONBOT_TELEGRAM_TOKEN"},
		{map[string]string{"UNIONBOT_DISCORD_TOKEN": "two words"}, "UNIONBOT_DISCORD_TOKEN"},
	} {
		tc.env["UNIONBOT_DATA_DIR"] = t.TempDir()
		for _, args := range [][]string{nil, {"ask", "/help"}} { // run, and ask
			exitsTwoNaming(t, tc.env, tc.want, args...)
		}
	}
}

// exitsTwoNaming fails t unless unionbot, run with env and args, exits 2
// with want in its standard error.
func exitsTwoNaming(t *testing.T, env map[string]string, want string, args ...string) {
	t.Helper()
	if code, _, errs := runBot(t, env, "", args...); code != 2 || !strings.Contains(errs, want) {
		t.Errorf("%q with %v: exit %d, stderr %q; want 2 naming %s", args, env, code, errs, want)
	}
}

// TestUnknownVariableWarns: a misspelt variable is named, with the one
// meant, at start and by check.
func TestUnknownVariableWarns(t *testing.T) {
	env := embeddedEnv(t)
	env["UNIONBOT_SUGEST_PER_DAY"] = "5"
	code, _, errs := runBot(t, env, "", "ask", "/help")
	if code != 0 || !strings.Contains(errs, "warning: UNIONBOT_SUGEST_PER_DAY is not a variable unionbot reads; did you mean UNIONBOT_SUGGEST_PER_DAY?") {
		t.Errorf("exit %d, stderr %q; want a warning naming UNIONBOT_SUGGEST_PER_DAY", code, errs)
	}
	_, out, _ := runBot(t, env, "", "check")
	if !strings.Contains(out, "WARNING  configuration: UNIONBOT_SUGEST_PER_DAY is not a variable unionbot reads; did you mean UNIONBOT_SUGGEST_PER_DAY?") {
		t.Errorf("check output lacks the warning:\n%s", out)
	}
}

// TestNoModeratorIsReachedWarns: with the console moderator off and no
// platform, check and the start-up log say suggestions reach nobody, and
// /suggest says review is not set up instead of taking it.
func TestNoModeratorIsReachedWarns(t *testing.T) {
	env := embeddedEnv(t)
	env["UNIONBOT_CONSOLE_MODERATOR"] = "false"
	_, out, _ := runBot(t, env, "", "check")
	if !strings.Contains(out, "WARNING  moderation: UNIONBOT_CONSOLE_MODERATOR is false") {
		t.Errorf("check output lacks the moderation warning:\n%s", out)
	}
	code, out, errs := runBot(t, env, "", "ask", "/suggest Lisbon Peers | Lisbon, Portugal")
	if code != 0 || !strings.Contains(out, "isn't set up on this bot") || strings.Contains(out, "S-1") {
		t.Errorf("exit %d, stdout %q; want review not set up, nothing queued", code, out)
	}
	if !strings.Contains(errs, "suggestions and reports can reach no moderator") {
		t.Errorf("start-up log lacks the warning: %q", errs)
	}
}
