package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/directory/directorytest"
	"github.com/unionbot/unionbot/store"
)

// memPrefs is an in-memory Prefs, like store.KV.
type memPrefs struct {
	mu      sync.Mutex
	m       map[string][]byte
	ttls    map[string]time.Duration
	takeErr error // returned by Peek when set
	putErr  error // returned by Put when set
}

func newMemPrefs() *memPrefs {
	return &memPrefs{m: map[string][]byte{}, ttls: map[string]time.Duration{}}
}

func (p *memPrefs) Put(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.putErr != nil {
		return p.putErr
	}
	p.m[key] = append([]byte(nil), val...)
	p.ttls[key] = ttl
	return nil
}

func (p *memPrefs) Peek(ctx context.Context, key string) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.takeErr != nil {
		return nil, p.takeErr
	}
	v, ok := p.m[key]
	if !ok {
		return nil, store.ErrNotFound
	}
	return v, nil
}

func (p *memPrefs) Remove(ctx context.Context, key string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.m, key)
	return nil
}

func (p *memPrefs) snapshot() map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]string{}
	for k, v := range p.m {
		out[k] = string(v)
	}
	return out
}

// langBot is a core over the seed with language choices kept in prefs
// (none when nil) and a default language.
func langBot(t testing.TB, prefs Prefs, def string) *Bot {
	t.Helper()
	o := Options{Directory: directorytest.MustSeed(t), Log: slog.New(slog.DiscardHandler), DefaultLang: def}
	if prefs != nil {
		o.Prefs = prefs
	}
	return New(o)
}

// from is a private message from user u whose app is set to lang.
func from(u, lang, text string) *Message {
	return &Message{Platform: "test", Text: text, Lang: lang, User: User{ID: u}, Chat: Chat{ID: "c-" + u, Private: true}}
}

func mustContainAll(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s:\n%s\nwant it to contain %q", what, got, w)
		}
	}
}

// TestEveryLanguage asks the same commands in each language and checks the
// answer is in it: headings, text from the core, a country's name, and an
// error.
func TestEveryLanguage(t *testing.T) {
	b := MustBot(t)
	for _, tc := range []struct {
		lang                    string
		help, start, germany    string
		nothing, privacy, about string
	}{
		{"en", "What I can do", "Hello! I help people who use drugs", "Groups for Germany", "I couldn't find anything for", "Your privacy", "Nothing about us without us."},
		{"fr-FR", "Ce que je sais faire", "personnes qui utilisent des drogues", "Groupes : Allemagne", "Je n’ai rien trouvé pour", "Votre vie privée", "Rien pour nous sans nous."},
		{"es-419", "Lo que puedo hacer", "personas que usan drogas", "Grupos en Alemania", "No encontré nada para", "Tu privacidad", "Nada sobre nosotros sin nosotros."},
		{"pt-BR", "O que eu sei fazer", "pessoas que usam drogas", "Grupos em: Alemanha", "Não encontrei nada para", "Sua privacidade", "Nada sobre nós sem nós."},
		{"ru", "Что я умею", "людям, употребляющим наркотики", "Группы: Германия", "Я ничего не нашёл", "Ваша конфиденциальность", "Ничего о нас без нас."},
		{"de-AT", "Was ich kann", "Menschen, die Drogen gebrauchen", "Gruppen für Deutschland", "Ich habe nichts zu", "Deine Privatsphäre", "Nichts über uns ohne uns."},
		{"id", "Yang bisa saya lakukan", "orang yang menggunakan napza", "Kelompok untuk Jerman", "Saya tidak menemukan apa pun", "Privasi Anda", "Tidak ada tentang kami tanpa kami."},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			mustContainAll(t, "/help", ask(t, b, from("u", tc.lang, "/help")), tc.help)
			mustContainAll(t, "/start", ask(t, b, from("u", tc.lang, "/start")), tc.start)
			mustContainAll(t, "/find Germany", ask(t, b, from("u", tc.lang, "/find Germany")), tc.germany, "German Drug Users Union")
			mustContainAll(t, "/find zzqqxxjj", ask(t, b, from("u", tc.lang, "/find zzqqxxjj")), tc.nothing, "zzqqxxjj")
			mustContainAll(t, "/privacy", ask(t, b, from("u", tc.lang, "/privacy")), tc.privacy)
			mustContainAll(t, "/about", ask(t, b, from("u", tc.lang, "/about")), tc.about, "INPUD", "GeoNames")
		})
	}
}

// TestCountryNamesInEveryLanguage: a country named in any of the seven
// languages finds its groups.
func TestCountryNamesInEveryLanguage(t *testing.T) {
	b := MustBot(t)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"Allemagne", []string{"German Drug Users Union", "Junkies, Ehemalige, Substituierte"}},
		{"Alemania", []string{"German Drug Users Union", "Junkies, Ehemalige, Substituierte"}},
		{"Alemanha", []string{"German Drug Users Union", "Junkies, Ehemalige, Substituierte"}},
		{"Германия", []string{"German Drug Users Union", "Junkies, Ehemalige, Substituierte"}},
		{"Jerman", []string{"German Drug Users Union", "Junkies, Ehemalige, Substituierte"}},
		{"Deutschland", []string{"German Drug Users Union", "Junkies, Ehemalige, Substituierte"}},
		{"Países Bajos", []string{"MDHG", "Landelijk Steunpunt Druggebruikers"}},
		{"Нидерланды", []string{"MDHG", "Landelijk Steunpunt Druggebruikers"}},
		{"Pays-Bas", []string{"MDHG", "Landelijk Steunpunt Druggebruikers"}},
		{"Países Baixos", []string{"MDHG", "Landelijk Steunpunt Druggebruikers"}},
		{"Niederlande", []string{"MDHG", "Landelijk Steunpunt Druggebruikers"}},
		{"Belanda", []string{"MDHG", "Landelijk Steunpunt Druggebruikers"}},
		{"США", []string{"National Urban Survivors Union"}},
		{"Canadá", []string{"VANDU", "CAPUD"}},
	} {
		got := ask(t, b, private("/find "+tc.query))
		mustContainAll(t, "/find "+tc.query, got, tc.want...)
		if strings.Contains(got, "could mean more than one") {
			t.Errorf("/find %s is ambiguous:\n%s", tc.query, got)
		}
	}
}

// TestFrenchReply: a French speaker asking in French gets French words
// around the groups, the country's French name, and French distances.
func TestFrenchReply(t *testing.T) {
	b := MustBot(t)
	got := ask(t, b, from("u", "fr", "/find Allemagne"))
	mustContainAll(t, "/find Allemagne in French", got, "Groupes : Allemagne", "Rhénanie-du-Nord-Westphalie", "German Drug Users Union — Cologne", "Groupes nationaux", "Réseaux régionaux", "Réseau international")
	// Descriptions are data, in English; the words around them are not.
	for _, english := range []string{"Groups for", "National groups", "Germany —", "regional network", "State of Berlin"} {
		if strings.Contains(got, english) {
			t.Errorf("%q in a French reply:\n%s", english, got)
		}
	}
	got = ask(t, b, from("u", "fr", "/find près de Lyon"))
	mustContainAll(t, "/find près de Lyon", got, "Lyon, Auvergne-Rhône-Alpes, France", "ASUD", "national, Paris", "Groupes les plus proches", "Cologne, Rhénanie-du-Nord-Westphalie · 596 km")
	got = ask(t, b, from("u", "fr", "/find "+strings.Repeat("x", 300)))
	mustContainAll(t, "a long search in French", got, "Cette recherche est longue", "200 caractères")
}

// TestLocationInTheUsersLanguage: a shared location is answered with the
// nearest groups and the region's networks, in the user's language.
func TestLocationInTheUsersLanguage(t *testing.T) {
	b := MustBot(t)
	m := from("u", "es", "")
	m.Location = &directory.Point{Lat: 45.764, Lon: 4.8357} // Lyon
	got := ask(t, b, m)
	mustContainAll(t, "a location in Lyon, in Spanish", got, "Grupos más cercanos a ti", "ASUD", "Cologne, Renania del Norte-Westfalia · 596 km", "EuroNPUD", "no se ha guardado")
}

// TestLanguageChoice is /lang: offering the languages, keeping a choice
// under a hash of the user's id and without expiry, using it over the
// platform's language, and forgetting it.
func TestLanguageChoice(t *testing.T) {
	prefs := newMemPrefs()
	b := langBot(t, prefs, "")
	rep, err := b.Handle(context.Background(), from("u1", "en", "/lang"))
	if err != nil {
		t.Fatal(err)
	}
	got := text(rep)
	mustContainAll(t, "/lang", got, "I'm answering you in English.", "[Français|/lang fr]", "[Español|/lang es]", "[Português|/lang pt]",
		"[Русский|/lang ru]", "[Deutsch|/lang de]", "[Bahasa Indonesia|/lang id]", "[English|/lang en]", "[Automatic|/lang reset]")
	for _, row := range rep.Buttons {
		for _, btn := range row {
			if len(btn.Data) > MaxButtonData {
				t.Errorf("button data %q is too long", btn.Data)
			}
		}
	}

	mustContainAll(t, "/lang fr", ask(t, b, from("u1", "en", "/lang fr")), "Désormais, je vous répondrai en Français.", "/lang reset")
	kept := prefs.snapshot()
	if len(kept) != 1 {
		t.Fatalf("kept %v, want one choice", kept)
	}
	for k, v := range kept {
		if strings.Contains(k, "u1") || strings.Contains(k, "test") || v != "fr" {
			t.Errorf("kept %q = %q; want the language under a hash of the id", k, v)
		}
		if prefs.ttls[k] != 0 {
			t.Errorf("the choice expires after %v; it should be kept until reset", prefs.ttls[k])
		}
	}
	mustContainAll(t, "/help after /lang fr", ask(t, b, from("u1", "en", "/help")), "Ce que je sais faire", "/lang [langue]")
	// Someone else, and the same id on another platform, keep theirs.
	mustContainAll(t, "/help from another user", ask(t, b, from("u2", "en", "/help")), "What I can do")
	other := from("u1", "de", "/help")
	other.Platform = "other"
	mustContainAll(t, "/help from u1 elsewhere", ask(t, b, other), "Was ich kann")

	// By name, in any language.
	mustContainAll(t, "/lang Deutsch", ask(t, b, from("u1", "en", "/lang Deutsch")), "Ab jetzt antworte ich dir auf Deutsch.")
	mustContainAll(t, "/lang russe", ask(t, b, from("u1", "en", "/lang russe")), "Теперь я буду отвечать вам на языке: Русский.")
	mustContainAll(t, "/lang pt-BR", ask(t, b, from("u1", "en", "/lang pt-BR")), "A partir de agora vou responder a você em Português.")

	// A button press is acknowledged too.
	press := from("u1", "en", buttonData(t, rep, "/lang id"))
	press.Pressed = true
	rep, _ = b.Handle(context.Background(), press)
	if !strings.Contains(rep.Notice, "Bahasa Indonesia") || rep.Lang != "id" {
		t.Errorf("pressed /lang id: notice %q, lang %q", rep.Notice, rep.Lang)
	}

	mustContainAll(t, "/lang reset", ask(t, b, from("u1", "es", "/lang reset")), "Listo, he olvidado tu elección.")
	if kept := prefs.snapshot(); len(kept) != 0 {
		t.Errorf("after /lang reset the store holds %v", kept)
	}
	mustContainAll(t, "/help after reset", ask(t, b, from("u1", "es", "/help")), "Lo que puedo hacer")

	mustContainAll(t, "/lang klingon", ask(t, b, from("u1", "en", "/lang klingon")), "I don't speak “klingon” yet", "fr (Français)", "id (Bahasa Indonesia)")
}

// TestLanguageChoiceWhenTheStoreFails: reading the choice falls back to
// the platform's language without a word; saving it says so kindly.
func TestLanguageChoiceWhenTheStoreFails(t *testing.T) {
	prefs := newMemPrefs()
	b := langBot(t, prefs, "")
	ask(t, b, from("u1", "en", "/lang ru"))
	prefs.takeErr = errors.Join(store.ErrUnavailable, errors.New("connection refused"))
	mustContainAll(t, "/help with the store down", ask(t, b, from("u1", "de", "/help")), "Was ich kann")
	prefs.takeErr = nil
	prefs.putErr = errors.Join(store.ErrUnavailable, errors.New("connection refused"))
	mustContainAll(t, "/lang fr with the store down", ask(t, b, from("u9", "fr", "/lang es")), "Je ne peux pas enregistrer votre choix pour le moment.")
}

// TestDefaultLanguage: with no choice and no usable platform language the
// default (UNIONBOT_LANG) applies, and English without one.
func TestDefaultLanguage(t *testing.T) {
	de := langBot(t, nil, "de")
	mustContainAll(t, "no platform language, default de", ask(t, de, from("u", "", "/help")), "Was ich kann")
	mustContainAll(t, "ja, default de", ask(t, de, from("u", "ja", "/help")), "Was ich kann")
	mustContainAll(t, "fr, default de", ask(t, de, from("u", "fr", "/help")), "Ce que je sais faire")
	en := langBot(t, nil, "")
	mustContainAll(t, "ja, no default", ask(t, en, from("u", "ja", "/help")), "What I can do")
	bad := langBot(t, nil, "xx")
	mustContainAll(t, "an unknown default", ask(t, bad, from("u", "", "/help")), "What I can do")
	// Without Prefs there is no /lang, and /privacy does not mention it.
	if got := ask(t, en, from("u", "en", "/privacy")); strings.Contains(got, "/lang") {
		t.Errorf("/privacy mentions /lang though it is off:\n%s", got)
	}
	if got := ask(t, en, from("u", "en", "/lang fr")); !strings.Contains(got, "I don't know /lang") {
		t.Errorf("/lang without Prefs = %q", got)
	}
	on := langBot(t, newMemPrefs(), "")
	mustContainAll(t, "/privacy with /lang on", ask(t, on, from("u", "en", "/privacy")), "/lang reset")
	mustContainAll(t, "/help with /lang on", ask(t, on, from("u", "en", "/help")), "/lang [language]")
}

// TestPagingInTheUsersLanguage: the page labels follow the language.
func TestPagingInTheUsersLanguage(t *testing.T) {
	b := MustBot(t)
	m := from("u", "de", "/find Canada")
	m.PageSize = 3
	got := ask(t, b, m)
	mustContainAll(t, "a German first page", got, "Seite 1 von", "[Weiter ▶|/page 2 /find Canada]")
}

// TestPlacesOfEveryKind: a country, a province, a city from the world
// list, a capital and a region, each answered as such.
func TestPlacesOfEveryKind(t *testing.T) {
	b := MustBot(t)
	for _, tc := range []struct {
		kind, query string
		want        []string
	}{
		{"country", "/find Canada", []string{"Groups for Canada", "VANDU", "CAPUD"}},
		{"province", "/find Ontario", []string{"Groups in Ontario, Canada", "Toronto Drug Users Union", "— Ottawa\n"}},
		{"province of the world list", "/find Bavaria", []string{"There's no group listed in Bavaria, Germany yet.", "Junkies, Ehemalige, Substituierte", "Know a peer-run group in Bavaria, Germany?"}},
		{"city of the world list", "/find Lyon", []string{"There's no group listed in Lyon, Auvergne-Rhône-Alpes, France yet.", "Auto-Support des Usagers de Drogues (ASUD) — national, Paris", "Cologne, North Rhine-Westphalia · 596 km"}},
		{"city of the world list, elsewhere", "/find Curitiba", []string{"There's no group listed in Curitiba, Paraná, Brazil yet.", "LANPUD", "Nearest groups", "RADAUD"}},
		{"capital", "/find Abuja", []string{"There's no group listed in Abuja", "AfricaNPUD", "Nearest groups", "KeNPUD"}},
		{"capital with a national body seated there", "/find Nairobi", []string{"Groups in Nairobi", "KeNPUD"}},
		{"region", "/find Asia", []string{"Asia (region)", "Asian Network of People who Use Drugs"}},
		{"near a world city", "/find near Kansas City", []string{"Kansas City, Missouri, United States", "Other places by that name: /find Kansas City, Kansas"}},
	} {
		mustContainAll(t, tc.kind+": "+tc.query, ask(t, b, private(tc.query)), tc.want...)
	}
}

// TestExamplesWork runs every example command the help texts show, in
// every language, and expects an answer, not "I couldn't find".
func TestExamplesWork(t *testing.T) {
	b := MustBot(t)
	for _, lang := range []string{"en", "fr", "es", "pt", "ru", "de", "id"} {
		for _, key := range []string{"start.try", "help.examples", "network.ask"} {
			for _, s := range Rich(lang, key) {
				if s.Style != Mono || !(strings.HasPrefix(s.Text, "/find ") || strings.HasPrefix(s.Text, "/network ")) {
					continue
				}
				got := ask(t, b, from("u", lang, s.Text))
				for _, bad := range []string{"I couldn't find", "I don't know a region", "Showing results for"} {
					if strings.Contains(ask(t, b, from("u", "en", s.Text)), bad) {
						t.Errorf("%s %s: the example %q answers %q:\n%s", lang, key, s.Text, bad, got)
					}
				}
			}
		}
	}
}
