package archtest

import (
	"slices"
	"strings"
	"testing"
)

// Package groups, by import path below the module.
var (
	adapters    = []string{"bot/telegram", "bot/discord", "bot/console"}
	storeImpls  = []string{"store/boltstore", "store/redisstore"}
	testSupport = []string{"bot/bottest", "directory/directorytest", "internal/benchtest", "store/bothstores", "store/redisstore/redistest", "store/storetest",
		"bot/telegram/telegramtest", "bot/discord/discordtest"}
	// platformSDKs are the libraries that speak to a chat platform.
	platformSDKs = []string{"github.com/bwmarrin/discordgo", "github.com/go-telegram-bot-api/telegram-bot-api/v5",
		"github.com/gorilla/websocket"}
	// storeLibs are the libraries that speak to a store.
	storeLibs = []string{"github.com/redis/go-redis/v9", "go.etcd.io/bbolt"}
)

// rule forbids the packages in subjects to import anything matched by deny.
// Internal paths are written below the module ("bot/discord"); a path
// matches itself and the packages below it.
type rule struct {
	why      string
	subjects []string
	deny     []string
	// denyInternal forbids every package of the module.
	denyInternal bool
}

// rules are the import rules of README's Architecture section.
func rules() []rule {
	cat := func(lists ...[]string) []string { return slices.Concat(lists...) }
	return []rule{
		{why: "the domain and the leaf packages depend on nothing of ours",
			subjects: []string{"directory", "bot/i18n", "store", "config"}, denyInternal: true},
		{why: "the core imports no platform library, no adapter, no store implementation and not moderation (a plug-in that registers on it)",
			subjects: []string{"bot"},
			deny:     cat(adapters, storeImpls, []string{"moderation", "cmd"}, platformSDKs, storeLibs)},
		{why: "an adapter translates: it talks to the core only, never to moderation, a store or another adapter",
			subjects: adapters,
			deny:     cat(adapters, []string{"moderation", "store", "cmd"}, storeLibs)},
		{why: "moderation knows no platform and no store implementation",
			subjects: []string{"moderation"},
			deny:     cat(adapters, storeImpls, []string{"cmd"}, platformSDKs, storeLibs)},
		{why: "the link checker works on the domain and knows no chat, core or moderation",
			subjects: []string{"directory/linkcheck"},
			deny:     []string{"bot", "moderation", "cmd", "config"}},
		{why: "a store implementation serves store's contract and knows nothing of the bot",
			subjects: storeImpls,
			deny:     []string{"bot", "directory", "moderation", "cmd", "config"}},
	}
}

// full turns a path below the module into an import path; others stay.
func full(p string) string {
	if strings.Contains(p, ".") {
		return p
	}
	return module + "/" + p
}

func under(path, p string) bool {
	p = full(p)
	return path == p || strings.HasPrefix(path, p+"/")
}

func matchesAny(path string, ps []string) bool {
	for _, p := range ps {
		if under(path, p) {
			return true
		}
	}
	return false
}

// violations returns the imports of p that r forbids.
func (r rule) violations(p pkg) []string {
	var bad []string
	for _, imp := range p.Imports {
		if (r.denyInternal && under(imp, module)) || matchesAny(imp, r.deny) {
			bad = append(bad, imp)
		}
	}
	return bad
}

// TestImportRules checks every package of the module (not its tests)
// against rules, and that no package outside test support imports test
// support.
func TestImportRules(t *testing.T) {
	pkgs := goList(t, "./...")
	byPath := map[string]pkg{}
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	for _, r := range rules() {
		for _, s := range r.subjects {
			p, ok := byPath[full(s)]
			if !ok {
				t.Errorf("rule %q names %s, which is not a package any more: update the rule and README", r.why, s)
				continue
			}
			for _, imp := range r.violations(p) {
				t.Errorf("%s imports %s, but %s", s, strings.TrimPrefix(imp, module+"/"), r.why)
			}
		}
	}
	for _, p := range pkgs {
		// tools/load drives the fakes from outside the binary (go run
		// ./tools/load); it is a measuring tool, never linked into unionbot.
		if matchesAny(p.ImportPath, testSupport) || under(p.ImportPath, "archtest") || under(p.ImportPath, "tools/load") {
			continue
		}
		for _, imp := range p.Imports {
			if matchesAny(imp, testSupport) {
				t.Errorf("%s imports the test support package %s: only _test.go files may", p.ImportPath, imp)
			}
		}
	}
}

// TestRulesCatchWhatTheyForbid feeds the rules made-up packages, so that a
// mistake in matching cannot make them pass vacuously.
func TestRulesCatchWhatTheyForbid(t *testing.T) {
	byFirst := map[string]rule{}
	for _, r := range rules() {
		byFirst[r.subjects[0]] = r
	}
	for _, tc := range []struct {
		subject, imp string
		want         bool
	}{
		{"directory", full("bot"), true},
		{"directory", full("store"), true},
		{"directory", "golang.org/x/text/language", false},
		{"bot", "github.com/bwmarrin/discordgo", true},
		{"bot", full("bot/telegram"), true},
		{"bot", full("bot/i18n"), false},
		{"bot", full("botany"), false}, // by path element, not by prefix
		{"bot/telegram", full("moderation"), true},
		{"bot/telegram", full("bot/discord"), true},
		{"bot/telegram", full("bot"), false},
		{"moderation", full("bot/discord"), true},
		{"moderation", full("store/redisstore"), true},
		{"moderation", full("store"), false},
		{"store/boltstore", full("bot"), true},
	} {
		r, ok := byFirst[tc.subject]
		if !ok {
			t.Fatalf("no rule has %s as its first subject", tc.subject)
		}
		got := len(r.violations(pkg{ImportPath: full(tc.subject), Imports: []string{tc.imp}})) > 0
		if got != tc.want {
			t.Errorf("%s importing %s: forbidden = %v, want %v", tc.subject, tc.imp, got, tc.want)
		}
	}
}
