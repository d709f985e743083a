package bot

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/unionbot/unionbot/directory"
)

// Bot is the platform-neutral core: it owns the router with the directory
// commands, and the middleware every message passes through.
type Bot struct {
	dir    Directory
	log    *slog.Logger
	router *Router
	mods   Moderators
	h      Handler
}

// Options configure the core.
type Options struct {
	Directory  Directory
	Log        *slog.Logger
	Moderators Moderators
	Observer   Observer // optional
}

// New builds the core with the directory commands registered. Other parts
// (moderation) register theirs on Router() before the first message.
func New(o Options) *Bot {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bot{dir: o.Directory, log: log, router: NewRouter(), mods: o.Moderators}
	r := b.router
	r.RegisterFunc(Command{Name: "start", Description: "Welcome, and what this bot does"}, b.start)
	r.RegisterFunc(Command{Name: "help", Description: "How to use the bot"}, b.help)
	r.RegisterFunc(Command{Name: "find", Args: "<place or name>", Description: "Find peer-run groups by place or name"}, b.find)
	r.RegisterFunc(Command{Name: "network", Args: "[region]", Description: "Regional networks of people who use drugs"}, b.network)
	r.RegisterFunc(Command{Name: "about", Description: "Where the data comes from, and credits"}, b.about)
	r.RegisterFunc(Command{Name: "privacy", Description: "What the bot stores, and for how long"}, b.privacy)
	r.Fallback(HandlerFunc(b.text))
	b.h = Chain(r, Recover(log), Errors(log), Logging(log, o.Observer), o.Moderators.Middleware())
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
		return b.near(m, *m.Location, ""), nil
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
		o, found := x.Org(id)
		if !found {
			return nil, Errorf(NotFound, "That group isn't in the directory any more. Try /find with its name or place.")
		}
		r := &Reply{}
		r.Blocks = append(r.Blocks, b.card(x, directory.Hit{Org: o, Km: -1}, m.Lang))
		return r, nil
	}
	r := &Reply{}
	r.Add(B("Hello! I help people who use drugs find the peer-run groups that speak for them:"),
		T(" drug user unions, peer networks and user-led organisations, anywhere in the world."))
	r.Add(T("Try "), C("/find Canada"), T(", "), C("/find Vancouver"), T(" or "), C("/network Asia"), T(". "),
		T("Know a group that's missing? "), C("/suggest"), T(" it."))
	r.Add(T("I keep as little as I can about you: see /privacy. /help lists everything I can do."))
	r.Location = m.Chat.Private
	return r, nil
}

func (b *Bot) help(ctx context.Context, m *Message) (*Reply, error) {
	r := &Reply{}
	r.Heading("What I can do")
	for _, c := range b.router.Commands() {
		if c.Hidden || (c.Moderator && !m.Moderator) {
			continue
		}
		line := "/" + c.Name
		if c.Args != "" {
			line += " " + c.Args
		}
		r.Add(C(line), T(" — "+c.Description))
	}
	r.Add(T("Examples: "), C("/find Holland"), T(", "), C("/find VANDU"), T(", "), C("/find Victoria, BC"), T(", "), C("/network Latin America"), T("."))
	return r, nil
}

func (b *Bot) network(ctx context.Context, m *Message) (*Reply, error) {
	_, q, _ := m.Command()
	x := b.dir.Index()
	if q == "" {
		r := &Reply{}
		r.Heading("Regions")
		for _, g := range x.Regions() {
			reg, _ := x.Networks(g.ID)
			names := make([]string, 0, len(reg))
			for _, o := range reg {
				names = append(names, nameWithAcronym(o))
			}
			line := "no regional network listed yet"
			if len(names) > 0 {
				line = strings.Join(names, ", ")
			}
			r.Add(B(g.Name), T(" — "+line))
		}
		r.Add(T("Ask about one with "), C("/network Asia"), T(", or about a country with "), C("/network Kenya"), T("."))
		return r, nil
	}
	if len(q) > maxQuery {
		return nil, Errorf(Invalid, "That's a long name. Please give a region such as Asia or Europe.")
	}
	regions := x.FindRegion(q)
	if len(regions) == 0 {
		names := make([]string, 0)
		for _, g := range x.Regions() {
			names = append(names, g.Name)
		}
		sort.Strings(names)
		return Text(fmt.Sprintf("I don't know a region called “%s”. The regions are: %s.", q, strings.Join(names, ", "))), nil
	}
	r := &Reply{}
	var intl []*directory.Organisation
	for _, g := range regions {
		reg, in := x.Networks(g.ID)
		intl = in
		r.Heading(g.Name)
		if len(reg) == 0 {
			r.Add(T(fmt.Sprintf("No regional network is listed for %s yet. Know one? Tell us with /suggest.", g.Name)))
		}
		for _, o := range reg {
			r.Blocks = append(r.Blocks, b.card(x, directory.Hit{Org: o, Km: -1}, m.Lang))
		}
	}
	if len(intl) > 0 {
		r.Heading("International network")
		for _, o := range intl {
			r.Blocks = append(r.Blocks, b.card(x, directory.Hit{Org: o, Km: -1}, m.Lang))
		}
	}
	return r, nil
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
	r.Heading("About unionbot")
	r.Add(T(fmt.Sprintf("A directory of %d peer-run organisations of people who use drugs: unions, networks and user-led groups. ", x.Len())),
		T("Nothing about us without us."))
	r.Add(B("Sources: "), T("the list “Drug User Unions Worldwide: An Evolving List” (created August 2014, thanks to "),
		L("INPUD", "https://inpud.net"), T("), its readers' comments, the list of peer-run organisations in Canada, and suggestions from this bot's users checked by volunteer moderators."))
	r.Add(B("Contribute: "), C("/suggest Name | City, Country | https://website | what they do"), T(" adds a group; "),
		C("/report <group> <what is wrong>"), T(" flags a mistake."))
	r.Add(B("Credits: "), T("country names from the Unicode CLDR (Unicode licence) through golang.org/x/text; place coordinates are public facts compiled for this project."))
	return r, nil
}

func (b *Bot) privacy(ctx context.Context, m *Message) (*Reply, error) {
	r := &Reply{}
	r.Heading("Your privacy")
	r.Add(T("Searching stores nothing about you: what you look up is not kept or logged, and a shared location is used for one answer and forgotten."))
	r.Add(T("When you /suggest or /report, we keep your platform id only until a moderator decides, so we can tell you the outcome; then it is deleted. " +
		"The suggestion itself, and the moderators' decisions, are kept as the directory's history."))
	r.Add(T("To stop abuse we count how many suggestions each person makes, under a one-way hash of their id, for a day at most."))
	r.Add(T("Replies to /find in servers are shown only to you where the platform allows."))
	return r, nil
}

// Complete suggests places, regions and group names for /find and regions
// for /network while a person types.
func (b *Bot) Complete(ctx context.Context, command, option, typed, lang string) []Choice {
	x := b.dir.Index()
	var out []Choice
	if command == "network" {
		p := directory.Fold(typed)
		for _, g := range x.Regions() {
			if p == "" || strings.Contains(directory.Fold(g.Name), p) {
				out = append(out, Choice{Name: g.Name, Value: g.Name})
			}
		}
		return out
	}
	for _, n := range x.Complete(typed, 25) {
		v := n
		if len(v) > 100 { // Discord caps choice values at 100 characters
			v = v[:100]
		}
		out = append(out, Choice{Name: n, Value: v})
	}
	return out
}
