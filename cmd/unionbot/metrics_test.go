package main

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

// series reports the value of the series of family name whose labels are
// exactly labels, and whether the registry has it at all.
func series(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	metric:
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue metric
				}
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue(), true
			}
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

func cmdLabels(platform, command, outcome string) map[string]string {
	return map[string]string{"platform": platform, "command": command, "outcome": outcome}
}

// TestMetricsCountPerKind is issue 14's "metrics are counted per kind",
// through the real app and the real Telegram client: every error counter
// is there at zero before any traffic; an inline query is counted once as
// "inline", and the cards it opens on the person's behalf are not counted
// as /org; a search with no result is not_found; opening /suggest's guided
// dialog is a form opened, not a suggestion.
func TestMetricsCountPerKind(t *testing.T) {
	tg := telegramtest.New(t, "123456:METRICS-token")
	env := opsTelegramEnv(tg, map[string]string{"UNIONBOT_DATA_DIR": t.TempDir(), "UNIONBOT_HTTP_ADDR": "127.0.0.1:0"})
	app, _ := opsStart(t, env, opsNoPacing())
	m := app.ops.metrics
	reg := m.reg

	// At zero from the start.
	for _, l := range []map[string]string{
		cmdLabels("telegram", "find", "internal"),
		cmdLabels("telegram", "find", "not_found"),
		cmdLabels("telegram", "inline", "unavailable"),
		cmdLabels("telegram", "suggest", "limited"),
		cmdLabels("telegram", "other", "invalid"),
		{"platform": "telegram", "kind": "server"},
		{"platform": "telegram", "kind": "network"},
		{"op": "get"},
		{"op": "publish"},
	} {
		name := "unionbot_commands_total"
		switch {
		case l["kind"] != "":
			name = "unionbot_platform_api_errors_total"
		case l["op"] != "":
			name = "unionbot_store_errors_total"
		}
		if v, ok := series(t, reg, name, l); !ok || v != 0 {
			t.Errorf("%s%v = %v (present %v) before any traffic, want 0", name, l, v, ok)
		}
	}
	if v, ok := series(t, reg, "unionbot_platform_api_rate_limited_total", map[string]string{"platform": "telegram"}); !ok || v != 0 {
		t.Errorf("rate-limited counter = %v (present %v), want 0", v, ok)
	}
	if n := testutil.CollectAndCount(m.commands); n < 8*10 {
		t.Errorf("%d command series at start, want every outcome of every command", n)
	}

	count := func(command string) float64 {
		total := 0.0
		for _, o := range []string{"ok", "invalid", "not_found", "not_allowed", "unavailable", "limited", "conflict", "internal"} {
			total += testutil.ToFloat64(m.commands.WithLabelValues("telegram", command, o))
		}
		return total
	}

	alice := telegramtest.User{ID: 42, FirstName: "Alice"}
	tg.PushUpdate(telegramtest.InlineUpdate(alice, "Canada"))
	c := tg.WaitFor(t, "answerInlineQuery", telegramtest.Succeeded, opsWait)
	if len(c.Results()) < 2 {
		t.Fatalf("the inline answer has %d results; the test needs the cards it opens", len(c.Results()))
	}
	if v := testutil.ToFloat64(m.commands.WithLabelValues("telegram", "inline", "ok")); v != 1 {
		t.Errorf("inline ok = %v, want 1 for one inline query", v)
	}
	if org, find := count("org"), count("find"); org != 0 || find != 0 {
		t.Errorf("an inline query counted %v /org and %v /find commands, want none", org, find)
	}

	tg.PushUpdate(telegramtest.TextUpdate(alice, telegramtest.PrivateChat(alice), "/find zzqxvbnm"))
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(42), telegramtest.Succeeded), opsWait)
	if nf, ok := testutil.ToFloat64(m.commands.WithLabelValues("telegram", "find", "not_found")), testutil.ToFloat64(m.commands.WithLabelValues("telegram", "find", "ok")); nf != 1 || ok != 0 {
		t.Errorf("a search with no result: not_found %v, ok %v; want 1 and 0", nf, ok)
	}

	tg.PushUpdate(telegramtest.TextUpdate(alice, telegramtest.PrivateChat(alice), "/suggest"))
	opsEventually(t, "the guided /suggest to be counted", func() bool {
		return testutil.ToFloat64(m.forms.WithLabelValues("telegram", "suggest")) == 1
	})
	if n := count("suggest"); n != 0 {
		t.Errorf("opening /suggest counted %v suggestions, want none", n)
	}
}

// TestEveryStoreOpStartsAtZero: each operation observedStore counts has its
// series at zero before the first failure, TrimOldest's "trim" included.
func TestEveryStoreOpStartsAtZero(t *testing.T) {
	m := newMetrics()
	m.observe(nil)
	for _, op := range []string{"get", "trim", "tail", "ping"} {
		if v, ok := series(t, m.reg, "unionbot_store_errors_total", map[string]string{"op": op}); !ok || v != 0 {
			t.Errorf("store errors{op=%q} = %v (present %v) before any call, want 0", op, v, ok)
		}
	}
}
