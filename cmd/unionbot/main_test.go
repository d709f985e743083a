package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
)

// runBot runs the command as main would, with an environment of its own.
func runBot(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	code = run(context.Background(), args, getenv, environ, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func embeddedEnv(t *testing.T) map[string]string {
	return map[string]string{"UNIONBOT_DATA_DIR": t.TempDir()}
}

func TestAskFindCanada(t *testing.T) {
	code, out, errs := runBot(t, embeddedEnv(t), "", "ask", "/find Canada")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range seed.Organisations {
		for _, c := range o.Countries {
			if c == "CA" && !strings.Contains(out, o.Name) {
				t.Errorf("ask /find Canada misses %s", o.Name)
			}
		}
	}
}

func TestAskExamples(t *testing.T) {
	env := embeddedEnv(t)
	for _, tc := range []struct{ cmd, want string }{
		{"/find Vancover", "Vancouver Area Network of Drug Users"},
		{"/find Italy", "no group listed in Italy yet"},
		{"/find Italy", "European Network of People who Use Drugs"},
		{"/network Asia", "Asian Network of People who Use Drugs"},
		{"/find Holland", "MDHG"},
		{"/find VANDU", "vandu.org"},
	} {
		code, out, errs := runBot(t, env, "", "ask", tc.cmd)
		if code != 0 || !strings.Contains(out, tc.want) {
			t.Errorf("ask %q: exit %d, output %q (stderr %q), want %q", tc.cmd, code, out, errs, tc.want)
		}
	}
}

// TestConsoleModerationFlow is the whole community flow in the terminal:
// suggest, see the queue, approve, and find the new organisation.
func TestConsoleModerationFlow(t *testing.T) {
	env := embeddedEnv(t)
	in := "/suggest Lisbon Drug Users Union (LDUU) | Lisbon, Portugal | https://lduu.example.org | peer-run union\n" +
		"/queue\n/approve S-1\n/find Portugal\n"
	code, out, errs := runBot(t, env, in, "console")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Your suggestion is S-1", "1 waiting for a decision", "S-1 approved", "Groups for Portugal", "Lisbon Drug Users Union (LDUU)"} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q:\n%s", want, out)
		}
	}
	// It persists: a new process finds it.
	code, out, _ = runBot(t, env, "", "ask", "/find LDUU")
	if code != 0 || !strings.Contains(out, "Lisbon Drug Users Union") {
		t.Errorf("after restart: exit %d, %q", code, out)
	}
	// And export writes it in the seed's format, with the seed.
	code, out, errs = runBot(t, env, "", "export")
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	var exported directory.Seed
	if err := yaml.Unmarshal([]byte(out), &exported); err != nil {
		t.Fatalf("export is not seed YAML: %v", err)
	}
	names := map[string]bool{}
	for _, o := range exported.Organisations {
		names[o.Name] = true
	}
	if !names["Lisbon Drug Users Union"] || !names["Vancouver Area Network of Drug Users"] {
		t.Errorf("export lacks the new or a seed entry (%d entries)", len(exported.Organisations))
	}
}

func TestBadConfigurationNamesTheVariable(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"UNIONBOT_LOG_LEVEL": "loud"}, "UNIONBOT_LOG_LEVEL"},
		{map[string]string{"UNIONBOT_APPROVALS_REQUIRED": "7"}, "UNIONBOT_APPROVALS_REQUIRED"},
		{map[string]string{"UNIONBOT_REDIS_URL": "http://nope"}, "UNIONBOT_REDIS_URL"},
		{map[string]string{"UNIONBOT_TELEGRAM_TOKEN": "x", "UNIONBOT_TELEGRAM_API_ENDPOINT": "https://x/"}, "UNIONBOT_TELEGRAM_API_ENDPOINT"},
	} {
		tc.env["UNIONBOT_DATA_DIR"] = t.TempDir()
		exitsTwoNaming(t, tc.env, tc.want, "ask", "/help")
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"frobnicate"}, {"ask"}, {"ask", "a", "b"}, {"console", "extra"}} {
		if code, _, errs := runBot(t, embeddedEnv(t), "", args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, errs)
		}
	}
	if code, _, _ := runBot(t, embeddedEnv(t), "", "-h"); code != 0 {
		t.Errorf("-h exit %d", code)
	}
}

func TestUnreachableRedis(t *testing.T) {
	env := map[string]string{"UNIONBOT_REDIS_URL": "redis://127.0.0.1:1/0"}
	code, _, errs := runBot(t, env, "", "ask", "/help")
	if code != 1 || !strings.Contains(errs, "UNIONBOT_REDIS_URL") {
		t.Errorf("exit %d, stderr %q; want 1 naming UNIONBOT_REDIS_URL", code, errs)
	}
}
