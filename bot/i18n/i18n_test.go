package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// TestEveryMessageInEveryLanguage fails when a language lacks a message
// that English has, or has one English does not (a key renamed in English
// only), or when a translation's placeholders are not English's: the same
// arguments, each printed with the same verb.
func TestEveryMessageInEveryLanguage(t *testing.T) {
	c := Default()
	en := c.Messages(Reference)
	if len(en) < 100 {
		t.Fatalf("English has %d messages; the catalog did not load", len(en))
	}
	for _, lang := range c.Languages() {
		msgs := c.Messages(lang)
		for key := range msgs {
			if _, ok := en[key]; !ok {
				t.Errorf("%s.yaml: %q is not an English message", lang, key)
			}
		}
		for key, ref := range en {
			m, ok := msgs[key]
			if !ok {
				t.Errorf("%s.yaml: no translation of %q", lang, key)
				continue
			}
			want := placeholderSet(reference(ref))
			for _, v := range m.Variants() {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s.yaml: %q is empty", lang, key)
				}
				if got := placeholderSet(v); !slices.Equal(got, want) {
					t.Errorf("%s.yaml: %q has placeholders %v, English has %v: %q", lang, key, got, want, v)
				}
				if got, want := markup(v), markup(reference(ref)); got != want {
					t.Errorf("%s.yaml: %q has markup %s, English has %s: %q", lang, key, got, want, v)
				}
			}
		}
	}
}

// reference is the English text placeholders are compared with: the text,
// or the "other" plural form.
func reference(m Message) string {
	if m.Forms != nil {
		return m.Forms["other"]
	}
	return m.Text
}

// placeholderSet lists the distinct (argument, verb) pairs of a message,
// sorted: "%s was %[1]s" and "%[1]s was %[1]s" print the same.
func placeholderSet(s string) []string {
	var out []string
	for _, p := range Placeholders(s) {
		k := strconv.Itoa(p.Arg) + string(p.Verb)
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// markup counts a message's styled runs and its links, which a
// translation keeps.
func markup(s string) string {
	var bold, code int
	var links []string
	for _, p := range parseMarkup(explicit(s)) {
		switch {
		case p.URL != "":
			links = append(links, p.URL)
		case p.Style == Bold:
			bold++
		case p.Style == Code:
			code++
		}
	}
	return strconv.Itoa(bold) + " bold, " + strconv.Itoa(code) + " code, links " + strings.Join(links, " ")
}

// TestTheTestCanFail feeds the checks a catalog with a missing key and a
// changed placeholder, and expects them to notice.
func TestTheTestCanFail(t *testing.T) {
	files := fstest.MapFS{}
	for _, lang := range Default().Languages() {
		b, err := fs.ReadFile(localeFiles, "locales/"+lang+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		files["locales/"+lang+".yaml"] = &fstest.MapFile{Data: b}
	}
	fr := string(files["locales/fr.yaml"].Data)
	fr = regexp.MustCompile(`(?m)^find\.nothing:.*\n`).ReplaceAllString(fr, "")
	fr = strings.Replace(fr, `page.of: "Page %d sur %d"`, `page.of: "Page %s sur %d"`, 1)
	files["locales/fr.yaml"] = &fstest.MapFile{Data: []byte(fr)}
	c, err := New(files)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Messages("fr")["find.nothing"]; ok {
		t.Error("the removed message is still there")
	}
	if got, want := placeholderSet(c.Messages("fr")["page.of"].Text), placeholderSet(c.Messages("en")["page.of"].Text); slices.Equal(got, want) {
		t.Errorf("placeholders %v and %v compare equal", got, want)
	}
	// A missing translation falls back to English rather than showing
	// its key.
	if got := c.Tr("fr", "find.nothing", "x"); !strings.HasPrefix(got, "I couldn't find anything for “x”") {
		t.Errorf("fallback = %q", got)
	}
}

func TestPlaceholders(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Placeholder
	}{
		{"%s and %d", []Placeholder{{1, 's'}, {2, 'd'}}},
		{"%[2]s then %[1]s", []Placeholder{{2, 's'}, {1, 's'}}},
		{"%[2]s then %s", []Placeholder{{2, 's'}, {3, 's'}}},
		{"100%% of %.1f km", []Placeholder{{1, 'f'}}},
		{"no verbs", nil},
	} {
		if got := Placeholders(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Placeholders(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if got, want := explicit("%s of %-3d, 100%%, %[1]s"), "%[1]s of %-3[2]d, 100%%, %[1]s"; got != want {
		t.Errorf("explicit = %q, want %q", got, want)
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"en", "en", true},
		{"en-US", "en", true},
		{"fr", "fr", true},
		{"fr-CA", "fr", true},
		{"fr_BE", "fr", true},
		{"es-419", "es", true},
		{"es-ES", "es", true},
		{"pt-BR", "pt", true},
		{"pt-br", "pt", true},
		{"pt-PT", "pt", true},
		{"ru", "ru", true},
		{"ru-RU", "ru", true},
		{"de-AT", "de", true},
		{"de-CH", "de", true},
		{"id", "id", true},
		{"id-ID", "id", true},
		{"ja", "en", false},
		{"uk", "en", false},
		{"zh-Hans", "en", false},
		{"", "en", false},
		{"not a tag!", "en", false},
	} {
		// The second time, the answer comes from the memo.
		for pass := range 2 {
			got, ok := Match(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("pass %d: Match(%q) = %q, %v; want %q, %v", pass, tc.in, got, ok, tc.want, tc.ok)
			}
		}
	}
}

// TestMatchMemoIsBounded: however many different tags come, the memo of
// Match keeps at most maxMemoTags (and a few more that raced in), none
// longer than maxMemoTag, and its answers are those of a fresh catalog.
func TestMatchMemoIsBounded(t *testing.T) {
	c := mustNew(localeFiles)
	for i := range 3 * maxMemoTags {
		tag := "fr-x-" + strconv.FormatInt(int64(i), 36)
		if got, ok := c.Match(tag); got != "fr" || !ok {
			t.Fatalf("Match(%q) = %q, %v; want fr, true", tag, got, ok)
		}
	}
	long := "pt-BR-x-aaaaaaaa-bbbbbbbb" // longer than maxMemoTag
	if got, ok := c.Match(long); got != "pt" || !ok {
		t.Fatalf("Match(%q) = %q, %v; want pt, true", long, got, ok)
	}
	if n := c.matched.n.Load(); n > maxMemoTags {
		t.Errorf("the memo counts %d tags, more than %d", n, maxMemoTags)
	}
	kept := 0
	c.matched.m.Range(func(k, _ any) bool {
		kept++
		if len(k.(string)) > maxMemoTag {
			t.Errorf("the memo keeps %q, longer than %d bytes", k, maxMemoTag)
		}
		return true
	})
	if kept == 0 || kept > maxMemoTags {
		t.Errorf("the memo keeps %d tags, want 1 to %d", kept, maxMemoTags)
	}
}

func TestTr(t *testing.T) {
	for _, tc := range []struct{ lang, key, want string }{
		{"en", "page.of", "Page 2 of 3"},
		{"fr", "page.of", "Page 2 sur 3"},
		{"es-419", "page.of", "Página 2 de 3"},
		{"pt-BR", "page.of", "Página 2 de 3"},
		{"ru", "page.of", "Страница 2 из 3"},
		{"de-AT", "page.of", "Seite 2 von 3"},
		{"id", "page.of", "Halaman 2 dari 3"},
		{"ja", "page.of", "Page 2 of 3"},
	} {
		if got := Tr(tc.lang, tc.key, 2, 3); got != tc.want {
			t.Errorf("Tr(%q, %q) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
	// Decimal commas where the language has them.
	if got := Tr("fr", "km.tenths", 2.54); got != "2,5 km" {
		t.Errorf("fr km.tenths = %q", got)
	}
	if got := Tr("en", "km.tenths", 2.54); got != "2.5 km" {
		t.Errorf("en km.tenths = %q", got)
	}
}

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "You've sent 1 suggestion or report this hour"},
		{"en", 3, "You've sent 3 suggestions or reports this hour"},
		{"ru", 1, "вы отправили 1 предложение или сообщение"},
		{"ru", 3, "вы отправили 3 предложения или сообщения"},
		{"ru", 5, "вы отправили 5 предложений или сообщений"},
		{"ru", 21, "вы отправили 21 предложение или сообщение"},
		{"fr", 1, "Vous avez envoyé 1 proposition ou signalement"},
		{"fr", 3, "Vous avez envoyé 3 propositions ou signalements"},
		{"id", 3, "Anda sudah mengirim 3 usulan atau laporan"},
	} {
		if got := Tr(tc.lang, "mod.limit_hour", tc.n); !strings.Contains(got, tc.want) {
			t.Errorf("%s, %d: %q, want it to contain %q", tc.lang, tc.n, got, tc.want)
		}
	}
}

func TestRich(t *testing.T) {
	got := Rich("en", "about.sources")
	if len(got) < 4 || got[0] != (Part{Text: "Sources: ", Style: Bold}) {
		t.Fatalf("about.sources = %+v", got)
	}
	var link Part
	for _, p := range got {
		if p.URL != "" {
			link = p
		}
	}
	if link != (Part{Text: "INPUD", URL: "https://inpud.net"}) {
		t.Errorf("link = %+v", link)
	}
	// Markup in an argument stays text: people cannot style or link.
	parts := Rich("en", "card.whats_wrong", "**bold** `code` [x](https://evil.example)")
	if len(parts) != 2 || parts[1] != (Part{Text: "**bold** `code` [x](https://evil.example)"}) {
		t.Errorf("card.whats_wrong with markup in its argument = %+v", parts)
	}
	// The same argument twice, in a link.
	parts = Rich("fr", "card.link", "https://a.example")
	if len(parts) != 2 || parts[0].Text != "Lien : " || parts[1] != (Part{Text: "https://a.example", URL: "https://a.example"}) {
		t.Errorf("card.link = %+v", parts)
	}
	if got := parseMarkup("a ** b ` c [d"); len(got) != 1 || got[0].Text != "a ** b ` c [d" {
		t.Errorf("unclosed markup = %+v", got)
	}
}

// TestSourceUsesKnownKeys reads the Go source of the packages that talk to
// people and fails on any literal message key English lacks: in calls of
// Tr, Rich and bot.Errorf, and in any string literal shaped like a key of
// a known group ("dialog.name" in a list of prompts).
func TestSourceUsesKnownKeys(t *testing.T) {
	root := filepath.Join("..", "..")
	groups := map[string]bool{}
	for key := range Default().Messages(Reference) {
		g, _, _ := strings.Cut(key, ".")
		groups[g] = true
	}
	keyShape := regexp.MustCompile(`^[a-z]+\.[a-z_]+(\.[a-z_]+)?$`)
	used := map[string]bool{}
	checked := 0
	for _, dir := range []string{"bot", "bot/telegram", "bot/discord", "bot/console", "moderation"} {
		fset := token.NewFileSet()
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			path := filepath.Join(root, dir, name)
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					if i := keyArg(n); i >= 0 && i < len(n.Args) {
						if lit, ok := n.Args[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							key, _ := strconv.Unquote(lit.Value)
							checked++
							used[key] = true
							if !Default().Has(key) {
								t.Errorf("%s: message %q is not in en.yaml", fset.Position(lit.Pos()), key)
							}
						}
					}
				case *ast.BasicLit:
					if n.Kind != token.STRING {
						return true
					}
					s, _ := strconv.Unquote(n.Value)
					if g, _, _ := strings.Cut(s, "."); keyShape.MatchString(s) && groups[g] {
						used[s] = true
						if !Default().Has(s) {
							t.Errorf("%s: %q looks like a message key but is not in en.yaml", fset.Position(n.Pos()), s)
						}
					}
				}
				return true
			})
		}
	}
	if checked < 100 {
		t.Errorf("found only %d translated calls; is the scan looking in the right place?", checked)
	}
	// Every English message is used, except those looked up by a name
	// made at run time (commands' descriptions and options).
	for key := range Default().Messages(Reference) {
		if !used[key] && !strings.HasPrefix(key, "cmd.") && !strings.HasPrefix(key, "option.") {
			t.Errorf("en.yaml: %q is never used", key)
		}
	}
}

// keyArg is the index of the message key among a call's arguments: Tr
// and Rich (lang, key, …), bot.Errorf (code, key, …); -1 for other calls.
func keyArg(c *ast.CallExpr) int {
	var name, pkg string
	switch f := c.Fun.(type) {
	case *ast.Ident:
		name = f.Name
	case *ast.SelectorExpr:
		name = f.Sel.Name
		if id, ok := f.X.(*ast.Ident); ok {
			pkg = id.Name
		}
	}
	switch {
	case name == "Tr" || name == "Rich":
		return 1
	case name == "Errorf" && pkg != "fmt":
		return 1
	}
	return -1
}
