package discord

import (
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/discord/discordtest"
)

// TestCommandDescriptionsAreLocalized: every command the core registers is
// named and described in each supported language under Discord's locale
// codes, and so are the options; every name is one Discord accepts, and no
// two commands (or two options of a command) share a name in a locale.
func TestCommandDescriptionsAreLocalized(t *testing.T) {
	cmds := applicationCommands(MustBot(t).Router().Commands(), slog.New(slog.DiscardHandler))
	locales := []discordgo.Locale{discordgo.French, discordgo.SpanishES, discordgo.SpanishLATAM, discordgo.PortugueseBR, discordgo.Russian, discordgo.German, "id"}
	var find *discordgo.ApplicationCommand
	names := map[discordgo.Locale]map[string]string{}
	for _, c := range cmds {
		if c.NameLocalizations == nil {
			t.Errorf("/%s has no name localizations", c.Name)
		} else {
			for l, n := range *c.NameLocalizations {
				if !discordName.MatchString(n) || strings.ToLower(n) != n {
					t.Errorf("/%s in %s is named %q, which Discord refuses", c.Name, l, n)
				}
				if names[l] == nil {
					names[l] = map[string]string{}
				}
				if other, dup := names[l][n]; dup {
					t.Errorf("/%s and /%s are both %q in %s", c.Name, other, n, l)
				}
				names[l][n] = c.Name
			}
		}
		optNames := map[string]bool{}
		for _, o := range c.Options {
			for l, n := range o.NameLocalizations {
				if !discordName.MatchString(n) || strings.ToLower(n) != n || optNames[string(l)+" "+n] {
					t.Errorf("/%s option %s in %s is named %q", c.Name, o.Name, l, n)
				}
				optNames[string(l)+" "+n] = true
			}
		}
		if c.DescriptionLocalizations == nil {
			t.Errorf("/%s has no description localizations", c.Name)
			continue
		}
		for _, l := range locales {
			d := (*c.DescriptionLocalizations)[l]
			if d == "" || len([]rune(d)) > 100 || d == c.Description {
				t.Errorf("/%s in %s: %q", c.Name, l, d)
			}
		}
		for _, o := range c.Options {
			for _, l := range locales {
				if d := o.DescriptionLocalizations[l]; d == "" || len([]rune(d)) > 100 {
					t.Errorf("/%s option %s in %s: %q", c.Name, o.Name, l, d)
				}
			}
		}
		if c.Name == "find" {
			find = c
		}
	}
	if find == nil {
		t.Fatal("/find not registered")
	}
	for l, want := range map[discordgo.Locale]string{
		discordgo.French:       "Trouver des groupes d’autosupport par lieu ou par nom",
		discordgo.SpanishLATAM: "Buscar grupos dirigidos por pares por lugar o nombre",
		discordgo.PortugueseBR: "Encontrar grupos liderados por pares por lugar ou nome",
		discordgo.Russian:      "Найти группы самоорганизации по месту или названию",
		discordgo.German:       "Selbstorganisierte Gruppen nach Ort oder Name finden",
		"id":                   "Cari kelompok yang dikelola komunitas berdasarkan tempat atau nama",
	} {
		if got := (*find.DescriptionLocalizations)[l]; got != want {
			t.Errorf("/find in %s = %q, want %q", l, got, want)
		}
	}
	if got := find.Options[0].DescriptionLocalizations[discordgo.French]; got != "Une ville, un pays ou une région, ou le nom d’un groupe" {
		t.Errorf("/find place option in French = %q", got)
	}
	for l, want := range map[discordgo.Locale][2]string{
		discordgo.French:       {"chercher", "lieu"},
		discordgo.SpanishES:    {"buscar", "lugar"},
		discordgo.SpanishLATAM: {"buscar", "lugar"},
		discordgo.PortugueseBR: {"buscar", "lugar"},
		discordgo.Russian:      {"найти", "место"},
		discordgo.German:       {"finden", "ort"},
		"id":                   {"cari", "tempat"},
	} {
		if got := (*find.NameLocalizations)[l]; got != want[0] {
			t.Errorf("/find is named %q in %s, want %q", got, l, want[0])
		}
		if got := find.Options[0].NameLocalizations[l]; got != want[1] {
			t.Errorf("/find's place option is named %q in %s, want %q", got, l, want[1])
		}
	}
	if _, ok := (*find.NameLocalizations)[discordgo.EnglishUS]; ok {
		t.Error("English has a localization; it is the default name")
	}
}

// discordName is Discord's documented pattern for command and option names.
var discordName = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// TestCommandWithoutTranslation: a command the catalog does not know is
// registered in English only.
func TestCommandWithoutTranslation(t *testing.T) {
	cmds := applicationCommands([]bot.Command{{Name: "echo", Description: "Echo"}}, slog.New(slog.DiscardHandler))
	if len(cmds) != 1 || cmds[0].DescriptionLocalizations != nil || cmds[0].NameLocalizations != nil {
		t.Errorf("echo = %+v", cmds)
	}
}

// TestRegisteredWithLocalizations: the localizations reach Discord.
func TestRegisteredWithLocalizations(t *testing.T) {
	t.Parallel()
	h := start(t, MustBot(t), withGuild(discordtest.GuildID))
	put := h.fake.WaitFor(t, discordtest.CommandOverwrite(), wait)
	var cmds []struct {
		Name         string            `json:"name"`
		Localized    map[string]string `json:"description_localizations"`
		NameLocalize map[string]string `json:"name_localizations"`
	}
	if err := put.Decode(&cmds); err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		if c.Name == "help" && c.Localized["de"] != "So benutzt du den Bot" {
			t.Errorf("/help description_localizations = %v", c.Localized)
		}
		if c.Name == "network" && c.NameLocalize["pt-BR"] != "rede" {
			t.Errorf("/network name_localizations = %v", c.NameLocalize)
		}
	}
}

// TestAnswersInTheInteractionsLocale: Discord's locale picks the language.
func TestAnswersInTheInteractionsLocale(t *testing.T) {
	t.Parallel()
	h := start(t, MustBot(t))
	for locale, want := range map[string]string{
		"fr":     "Ce que je sais faire",
		"es-ES":  "Lo que puedo hacer",
		"es-419": "Lo que puedo hacer",
		"pt-BR":  "O que eu sei fazer",
		"ru":     "Что я умею",
		"de":     "Was ich kann",
		"id":     "Yang bisa saya lakukan",
		"en-US":  "What I can do",
		"ja":     "What I can do",
	} {
		in := discordtest.Command("help")
		in.Locale = locale
		id, _ := h.fake.Interaction(t, in)
		r, _ := h.callback(t, id)
		if got := content(t, r); !strings.Contains(got, want) {
			t.Errorf("/help with locale %s = %q, want %q", locale, got, want)
		}
	}
}

// TestAutocompleteInTheUsersLocale: "Alle" typed in a French client offers
// Allemagne, and choosing it finds Germany's groups.
func TestAutocompleteInTheUsersLocale(t *testing.T) {
	t.Parallel()
	h := start(t, MustBot(t))
	in := discordtest.Autocomplete("find", discordtest.Focused("place", "Alle"))
	in.Locale = "fr"
	id, _ := h.fake.Interaction(t, in)
	r, _ := h.callback(t, id)
	choices, _ := r.Data["choices"].([]any)
	if len(choices) == 0 {
		t.Fatalf("no choices for Alle in French: %v", r.Data)
	}
	first, _ := choices[0].(map[string]any)
	if first["name"] != "Allemagne" || first["value"] != "Allemagne" {
		t.Errorf("first choice = %v, want Allemagne", first)
	}
	in = discordtest.Command("find", discordtest.String("place", "Allemagne"))
	in.Locale = "fr"
	id, _ = h.fake.Interaction(t, in)
	r, _ = h.callback(t, id)
	if got := content(t, r); !strings.Contains(got, "Groupes : Allemagne") || !strings.Contains(got, "German Drug Users Union") {
		t.Errorf("/find Allemagne = %q", got)
	}
}

// TestHelpUsesTheNamesTheClientShows: /help from a French client lists
// the commands under the localized names its command menu shows
// (/chercher, not /find), and from an English one under their names; a
// name is the one registered for that locale.
func TestHelpUsesTheNamesTheClientShows(t *testing.T) {
	t.Parallel()
	h := start(t, MustBot(t))
	var registered []struct {
		Name              string            `json:"name"`
		NameLocalizations map[string]string `json:"name_localizations"`
	}
	if err := h.fake.WaitFor(t, discordtest.CommandOverwrite(), wait).Decode(&registered); err != nil {
		t.Fatal(err)
	}
	fr := ""
	for _, c := range registered {
		if c.Name == "find" {
			fr = c.NameLocalizations["fr"]
		}
	}
	if fr == "" || fr == "find" {
		t.Fatalf("/find is registered with the French name %q; this test needs one", fr)
	}
	for _, tc := range []struct{ locale, want, not string }{
		{"fr", "`/" + fr, "`/find"},
		{"en-US", "`/find", "`/" + fr},
	} {
		in := discordtest.Command("help")
		in.Locale = tc.locale
		id, _ := h.fake.Interaction(t, in)
		r, _ := h.callback(t, id)
		got := content(t, r)
		if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
			t.Errorf("/help in %s = %q, want %s and no %s", tc.locale, got, tc.want, tc.not)
		}
	}
}
