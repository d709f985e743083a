package bot

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
)

// Bot is the platform-neutral core: it owns the router with the directory
// commands, and the middleware every message passes through.
type Bot struct {
	dir    Directory
	log    *slog.Logger
	router *Router
	mods   Moderators
	prefs  Prefs
	links  LinkStatus // fresh.go
	lang   string     // the default language, matched to a supported one
	press  *presses
	people *People // people.go
	// answers keeps rendered /find answers (answers.go); nil keeps none.
	answers *answerCache
	// phrases holds each supported language's phrases (phrases.go);
	// read-only once New returns.
	phrases map[string]*phrases
	legacy  time.Time
	h       Handler
}

// Options configure the core.
type Options struct {
	Directory  Directory
	Log        *slog.Logger
	Moderators Moderators
	Observer   Observer // optional
	// Prefs keeps the language people choose with /lang. Nil turns /lang
	// off: everyone gets their platform's language.
	Prefs Prefs
	// DefaultLang is the reply language when neither a stored choice nor
	// the platform gives one (UNIONBOT_LANG); empty means English.
	DefaultLang string
	// Links tells cards what the link checker found (fresh.go); nil
	// shows no link states.
	Links LinkStatus
	// ButtonKey signs the data of every button the core emits (see
	// press.go); ButtonSecret reads or creates it in the store, so that
	// every process of a deployment shares it. Nil makes a random key for
	// this process alone (tests, the console).
	ButtonKey []byte
	// LegacyLangUntil is until when a language choice missing under the
	// keyed hash is looked for under the unkeyed hash of older releases
	// (lang.go); zero never looks.
	LegacyLangUntil time.Time
	// ButtonTokens keeps the command lines of buttons too long to carry
	// them, for a day; nil keeps them in memory.
	ButtonTokens Prefs
	// AnswerCache is how many rendered /find answers the core keeps
	// (answers.go): 0 for the default (256, about 2 MB at most), negative
	// for none.
	AnswerCache int
}

// New builds the core with the directory commands registered. Other parts
// (moderation) register theirs on Router() before the first message.
func New(o Options) *Bot {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bot{dir: o.Directory, log: log, router: NewRouter(), mods: o.Moderators, prefs: o.Prefs, links: o.Links}
	if b.links == nil {
		b.links = noLinks{}
	}
	b.lang, _ = i18n.Match(o.DefaultLang)
	b.answers = newAnswerCache(o.AnswerCache)
	b.phrases = allPhrases()
	r := b.router
	b.press = newPresses(o.ButtonKey, o.ButtonTokens, r.isModerator)
	// People's records are keyed with the same deployment secret, under
	// a label of their own.
	b.people = NewPeople(b.press.key)
	b.legacy = o.LegacyLangUntil
	r.Register(r.PageCommand())
	// The one declaration of each command: its options, whether its
	// answers may be public in a group, whether it belongs in group menus.
	// Adapters derive their platform's registration from these.
	r.RegisterFunc(Command{Name: "start", Description: "Welcome, and what this bot does", Public: true}, b.start)
	r.RegisterFunc(Command{Name: "help", Description: "How to use the bot", Public: true, Groups: true}, b.help)
	r.RegisterFunc(Command{Name: "find", Args: "<place or name>", Description: "Find peer-run groups by place or name", Groups: true,
		Options: []Option{{Name: "place", Required: true, Complete: true, Key: "option.find.place"}}}, b.find)
	r.RegisterFunc(Command{Name: "org", Args: "<id>", Description: "A group's full card",
		Options: []Option{{Name: "id", Required: true, Key: "option.org.id"}}}, b.org)
	r.RegisterFunc(Command{Name: "network", Args: "[region]", Description: "Regional networks of people who use drugs", Public: true, Groups: true,
		Options: []Option{{Name: "region", Complete: true, Key: "option.network.region"}}}, b.network)
	r.RegisterFunc(Command{Name: "about", Description: "Where the data comes from, and credits", Public: true, Groups: true}, b.about)
	r.RegisterFunc(Command{Name: "privacy", Description: "What the bot stores, and for how long", Groups: true}, b.privacy)
	if b.prefs != nil {
		r.RegisterFunc(Command{Name: "lang", Args: "[language]", Description: "Choose the language I answer in",
			Options: []Option{{Name: "language", Key: "option.lang.language"}}}, b.chooseLang)
	}
	r.Fallback(HandlerFunc(b.text))
	b.h = Chain(r, Recover(log), b.Language(), Errors(log), b.Presses(), Logging(log, o.Observer), o.Moderators.Middleware())
	return b
}

// Router is where other parts register commands.
func (b *Bot) Router() *Router { return b.router }

// Handle answers one message; it is what adapters call. It never panics and
// never returns an error: failures become kind replies.
func (b *Bot) Handle(ctx context.Context, m *Message) (*Reply, error) {
	return b.h.Handle(ctx, m)
}

// text answers a message that is not a command: in a private chat it is
// taken as a search, or a shared location; in a group it is left alone.
func (b *Bot) text(ctx context.Context, m *Message) (*Reply, error) {
	if m.Location != nil {
		return b.near(m, *m.Location), nil
	}
	if !m.Chat.Private || strings.TrimSpace(m.Text) == "" {
		return nil, nil
	}
	return b.find(ctx, m)
}

func (b *Bot) start(ctx context.Context, m *Message) (*Reply, error) {
	_, payload, _ := m.Command()
	if q, ok := strings.CutPrefix(payload, "find_"); ok && q != "" {
		inner := *m
		inner.Text = "/find " + strings.ReplaceAll(q, "_", " ")
		return b.find(ctx, &inner)
	}
	if id, ok := strings.CutPrefix(payload, "org_"); ok && id != "" {
		x := b.dir.Index()
		// Ids are lower case; /org accepts any case, and so does the
		// link a person types or a client capitalises.
		o, found := x.Org(strings.ToLower(id))
		if !found {
			return nil, Errorf(NotFound, "start.org_gone")
		}
		return b.fullCard(x, o, m.Lang), nil
	}
	r := &Reply{}
	r.Add(Rich(m.Lang, "start.hello")...)
	r.Add(Rich(m.Lang, "start.try")...)
	r.Add(T(i18n.Tr(m.Lang, "start.privacy")))
	r.Location = m.Chat.Private
	return r, nil
}

func (b *Bot) help(ctx context.Context, m *Message) (*Reply, error) {
	r := &Reply{}
	r.Heading(i18n.Tr(m.Lang, "help.heading"))
	shown := map[string]string{} // command → the name the client shows
	for _, c := range b.router.Commands() {
		if m.CommandName != nil {
			if n := m.CommandName(c); n != "" {
				shown[c.Name] = n
			}
		}
	}
	for _, c := range b.router.Commands() {
		if c.Hidden || (c.Moderator && !m.Moderator) {
			continue
		}
		name := c.Name
		if n, ok := shown[c.Name]; ok {
			name = n
		}
		line := "/" + name
		if a := c.ArgsIn(m.Lang); a != "" {
			line += " " + a
		}
		r.Add(C(line), T(" — "+c.DescriptionIn(m.Lang)))
	}
	// The examples are commands to type: under the names shown, too.
	examples := Rich(m.Lang, "help.examples")
	for i, s := range examples {
		head, rest, _ := strings.Cut(s.Text, " ")
		if n, ok := shown[strings.TrimPrefix(head, "/")]; ok && s.Style == Mono && strings.HasPrefix(head, "/") {
			examples[i].Text = strings.TrimSpace("/" + n + " " + rest)
		}
	}
	r.Add(examples...)
	return r, nil
}

func (b *Bot) network(ctx context.Context, m *Message) (*Reply, error) {
	_, q, _ := m.Command()
	x := b.dir.Index()
	if q == "" {
		// The list of every region's networks depends only on the
		// snapshot and the language: cached with the /find answers.
		return b.cachedAnswer(x, answerKey{lang: m.Lang, query: "\x00network"}, func() *Reply {
			return b.networks(x, m.Lang)
		}), nil
	}
	if len(q) > maxQuery {
		return nil, Errorf(Invalid, "network.too_long")
	}
	regions := x.FindRegion(q)
	if len(regions) == 0 {
		names := make([]string, 0)
		for _, g := range b.regionsIn(x, m.Lang) {
			names = append(names, x.RegionName(g.ID, m.Lang))
		}
		return Text(i18n.Tr(m.Lang, "network.unknown", echo(q), strings.Join(names, ", "))), nil
	}
	// A region is answered as /find answers it; a country or a place in
	// one, with each region it belongs to.
	r := &Reply{Private: true, Compact: true}
	for i, g := range regions {
		if mt, ok := x.RegionMatch(g.ID); ok {
			if i < len(regions)-1 {
				mt.International = nil // once, at the end
			}
			b.regionAnswer(r, x, &mt, m.Lang)
		}
	}
	return r, nil
}

// networks is /network without a query: every region and its networks.
func (b *Bot) networks(x *directory.Index, lang string) *Reply {
	r := &Reply{}
	r.Heading(i18n.Tr(lang, "network.regions"))
	for _, g := range b.regionsIn(x, lang) {
		reg, _ := x.Networks(g.ID)
		names := make([]string, 0, len(reg))
		for _, o := range reg {
			names = append(names, nameWithAcronym(o))
		}
		line := i18n.Tr(lang, "network.none_yet")
		if len(names) > 0 {
			line = strings.Join(names, ", ")
		}
		r.Add(B(x.RegionName(g.ID, lang)), T(" — "+line))
	}
	r.Add(Rich(lang, "network.ask")...)
	return r
}

// regionsIn lists the regions sorted by their names in lang.
func (b *Bot) regionsIn(x *directory.Index, lang string) []*directory.Region {
	regions := x.Regions()
	col := collate.New(language.Make(lang))
	sort.SliceStable(regions, func(i, j int) bool {
		return col.CompareString(x.RegionName(regions[i].ID, lang), x.RegionName(regions[j].ID, lang)) < 0
	})
	return regions
}

func nameWithAcronym(o *directory.Organisation) string {
	if o.Acronym != "" {
		return o.Acronym
	}
	return o.Name
}

func (b *Bot) about(ctx context.Context, m *Message) (*Reply, error) {
	x := b.dir.Index()
	r := &Reply{}
	r.Heading(i18n.Tr(m.Lang, "about.heading"))
	r.Add(T(i18n.Tr(m.Lang, "about.intro", x.Len())))
	r.Add(Rich(m.Lang, "about.sources")...)
	r.Add(Rich(m.Lang, "about.contribute")...)
	r.Add(Rich(m.Lang, "about.credits")...)
	return r, nil
}

func (b *Bot) privacy(ctx context.Context, m *Message) (*Reply, error) {
	r := &Reply{}
	r.Heading(i18n.Tr(m.Lang, "privacy.heading"))
	r.Add(T(i18n.Tr(m.Lang, "privacy.search")))
	r.Add(T(i18n.Tr(m.Lang, "privacy.suggest")))
	r.Add(T(i18n.Tr(m.Lang, "privacy.limits")))
	if b.prefs != nil {
		r.Add(T(i18n.Tr(m.Lang, "privacy.lang")))
	}
	r.Add(T(i18n.Tr(m.Lang, "privacy.private")))
	return r, nil
}

// Complete suggests places, regions and group names for /find and regions
// for /network while a person types, in lang (the platform's locale).
func (b *Bot) Complete(ctx context.Context, command, option, typed, lang string) []Choice {
	x := b.dir.Index()
	var out []Choice
	if command == "network" {
		p := directory.Fold(typed)
		for _, g := range x.Regions() {
			name := x.RegionName(g.ID, lang)
			if p == "" || strings.Contains(directory.Fold(name), p) || strings.Contains(directory.Fold(g.Name), p) {
				out = append(out, Choice{Name: name, Value: name})
			}
		}
		return out
	}
	// Names in the person's language come first ("Alle" in French offers
	// Allemagne). Platforms' limits on a choice's length are the adapters'
	// to apply.
	l, _ := i18n.Match(lang)
	for _, n := range x.AutocompleteIn(typed, l, 25) {
		out = append(out, Choice{Name: n, Value: n})
	}
	return out
}
