package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/store"
)

// suggestFields are the fields of the form a platform with forms shows
// for /suggest, labelled in lang.
func suggestFields(lang string) []bot.Field {
	return []bot.Field{
		{Name: "name", Label: i18n.Tr(lang, "form.name"), Placeholder: "Vancouver Area Network of Drug Users (VANDU)", Required: true, MaxLen: MaxName},
		{Name: "place", Label: i18n.Tr(lang, "form.place"), Placeholder: i18n.Tr(lang, "form.place_example"), Required: true, MaxLen: MaxPlace},
		{Name: "website", Label: i18n.Tr(lang, "form.website"), Placeholder: "https://www.vandu.org", MaxLen: MaxLink},
		{Name: "description", Label: i18n.Tr(lang, "form.description"), Long: true, MaxLen: MaxDescription},
	}
}

func (s *Service) suggest(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	if !s.Reviewed() {
		// No false promise: nobody would see it.
		return bot.Text(i18n.Tr(m.Lang, "mod.review_off")), nil
	}
	_, args, _ := m.Command()
	var p Proposal
	switch {
	case m.Form != nil:
		p = Proposal{Name: m.Form["name"], Place: m.Form["place"], Links: m.Form["website"], Description: m.Form["description"]}
	case args != "":
		p = ParseLine(args)
	case m.CanForm:
		r := bot.Text(i18n.Tr(m.Lang, "form.intro"))
		r.Form = &bot.Form{ID: "/suggest", Title: i18n.Tr(m.Lang, "form.title"), Fields: suggestFields(m.Lang)}
		return r, nil
	case m.Chat.Private:
		return s.startDialog(ctx, m)
	default:
		r := &bot.Reply{}
		r.Add(bot.Rich(m.Lang, "mod.suggest_how")...)
		r.Add(bot.T(i18n.Tr(m.Lang, "mod.suggest_how_more")))
		return r, nil
	}
	return s.submitSuggestion(ctx, m, p)
}

func (s *Service) submitSuggestion(ctx context.Context, m *bot.Message, p Proposal) (*bot.Reply, error) {
	// The limit counts first, before any validation or the duplicate
	// check, so that a flood of invalid or duplicate suggestions costs the
	// bot (and the store) as little as a flood of valid ones.
	today, err := s.limit(ctx, m)
	if err != nil {
		return nil, err
	}
	x := s.dir.Index()
	org, place, err := buildOrg(x, p, m.Lang)
	if err != nil {
		return nil, err
	}
	pend, err := s.pending(ctx)
	if err != nil {
		return nil, storeErr(err)
	}
	dup, listed, waiting := duplicates(x, org, pend)
	looks := lookalikes(x, org)
	for _, l := range looks {
		if l.Like != "" {
			dup = appendUnique(dup, l.Like)
		}
	}
	switch {
	case listed != "":
		return bot.Text(i18n.Tr(m.Lang, "mod.already_listed", listed, org.Name)), nil
	case waiting != "":
		return bot.Text(i18n.Tr(m.Lang, "mod.already_waiting", waiting, org.Name)), nil
	}
	if len(pend) >= s.opts.MaxPending {
		return nil, errorf(limited, "mod.queue_full")
	}
	// Whether a moderator will see it, as things stand before it is queued.
	reachable := s.reachable()
	it := &Item{Kind: KindSuggestion, Org: org, Place: place.label(x, s.opts.Lang), Duplicates: dup, Lookalikes: looks, SenderToday: today, Submitter: submitter(m), Owner: s.userKey(m), Lang: m.Lang}
	if err := s.enqueue(ctx, it); err != nil {
		return nil, err
	}
	s.recordAudit(ctx, AuditEntry{Actor: "user", Action: "suggested", Ref: it.Ref, Detail: org.Name})
	s.probeLater(ctx, it) // its card shows whether the website answers
	r := &bot.Reply{}
	r.Add(bot.B(i18n.Tr(m.Lang, "mod.suggested", it.Ref)))
	if !reachable {
		// No channel took the last card: promise no moderator yet.
		r.Add(bot.T(i18n.Tr(m.Lang, "mod.suggested_unreached")))
	} else if m.Chat.Private {
		r.Add(bot.T(i18n.Tr(m.Lang, "mod.suggested_next", org.Name, place.label(x, m.Lang))))
	} else {
		r.Add(bot.T(i18n.Tr(m.Lang, "mod.suggested_next_group", org.Name, place.label(x, m.Lang), it.Ref)))
	}
	return r, nil
}

// submitter is where to tell the outcome privately: the same chat when it
// is a private one, else the sender's direct messages (Direct), never the
// group or channel it came from. Its ids are deleted once the outcome has
// been sent or held (outcome.go).
func submitter(m *bot.Message) *Recipient {
	if m.Chat.Private {
		return &Recipient{Platform: m.Platform, ChatID: m.Chat.ID, UserID: m.User.ID}
	}
	return &Recipient{Platform: m.Platform, UserID: m.User.ID, Direct: true}
}

// duplicates compares a proposal with the directory and with pending items
// by folded name, acronym and website host. listed names an existing entry
// that is certainly the same, waiting a pending item's reference; dup lists
// likely ones.
func duplicates(x *directory.Index, o *directory.Organisation, pending []*Item) (dup []string, listed, waiting string) {
	name := directory.Fold(o.Name)
	acr := directory.Fold(o.Acronym)
	hosts := map[string]bool{}
	for _, u := range append(append([]string(nil), o.Websites...), o.Social...) {
		if h := host(u); h != "" && !isSocial(u) {
			hosts[h] = true
		}
	}
	same := func(c *directory.Organisation) (bool, bool) {
		cn := directory.Fold(c.Name)
		if cn == name {
			return true, false
		}
		for _, n := range c.OtherNames {
			if directory.Fold(n) == name {
				return true, false
			}
		}
		sameCountry := len(c.Countries) > 0 && len(o.Countries) > 0 && c.Countries[0] == o.Countries[0]
		if ca := directory.Fold(c.Acronym); ca != "" && ca == name {
			// "VANDU" suggested where VANDU is listed.
			return sameCountry, !sameCountry
		}
		if acr != "" && directory.Fold(c.Acronym) == acr {
			return sameCountry, !sameCountry
		}
		for _, u := range c.Websites {
			if hosts[host(u)] {
				return true, false
			}
		}
		if name != "" && (strings.Contains(cn, name) || strings.Contains(name, cn)) && sameCountry {
			return false, true
		}
		return false, false
	}
	// The search's own matching (misspellings included) finds likely ones.
	res := x.Search(o.Name)
	if !res.Partial {
		for _, mt := range res.Matches {
			for _, c := range mt.Orgs {
				dup = appendUnique(dup, c.ID)
			}
		}
	}
	var found string
	x.Orgs(func(c *directory.Organisation) bool {
		yes, maybe := same(c)
		if yes {
			found = c.Name
			if c.Acronym != "" {
				found += " (" + c.Acronym + ")"
			}
			return false
		}
		if maybe {
			dup = appendUnique(dup, c.ID)
		}
		return true
	})
	if found != "" {
		return nil, found, ""
	}
	for _, it := range pending {
		if it.Kind != KindSuggestion || it.Org == nil {
			continue
		}
		yes, maybe := same(it.Org)
		if yes {
			return nil, "", it.Ref
		}
		if maybe {
			dup = appendUnique(dup, it.Ref)
		}
	}
	return dup, "", ""
}

func appendUnique(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

// findOrg resolves the start of args to one organisation: the longest run of
// leading words that names exactly one. It returns the rest of args.
func findOrg(x *directory.Index, args string) (*directory.Organisation, string) {
	words := strings.Fields(args)
	for n := len(words); n >= 1; n-- {
		head := strings.Join(words[:n], " ")
		res := x.Search(head)
		if res.Partial || res.Corrected || len(res.Matches) == 0 || res.Matches[0].Place != nil {
			continue
		}
		if orgs := res.Matches[0].Orgs; len(orgs) == 1 {
			return orgs[0], strings.Join(words[n:], " ")
		}
	}
	return nil, args
}

func (s *Service) report(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	_, args, _ := m.Command()
	var target, problem string
	if m.Form != nil {
		target, problem = m.Form["organisation"], m.Form["problem"]
		args = strings.TrimSpace(target + " " + problem)
	}
	if !s.Reviewed() {
		return bot.Text(i18n.Tr(m.Lang, "mod.review_off")), nil
	}
	if strings.TrimSpace(args) == "" {
		r := &bot.Reply{}
		r.Add(bot.Rich(m.Lang, "mod.report_how")...)
		return r, nil
	}
	// Counted before the report is checked, as suggestions are.
	today, err := s.limit(ctx, m)
	if err != nil {
		return nil, err
	}
	x := s.dir.Index()
	org, rest := findOrg(x, Clean(args))
	if org == nil {
		return nil, errorf(notFound, "mod.report_which")
	}
	problem = Clean(rest)
	if problem == "" {
		return nil, errorf(invalid, "mod.report_what", org.Name, firstNonEmpty(org.Acronym, org.Name))
	}
	if len([]rune(problem)) > MaxProblem {
		return nil, errorf(invalid, "mod.report_too_long", MaxProblem)
	}
	pend, err := s.pending(ctx)
	if err != nil {
		return nil, storeErr(err)
	}
	if len(pend) >= s.opts.MaxPending {
		return nil, errorf(limited, "mod.queue_full_report")
	}
	cp := *org
	reachable := s.reachable()
	it := &Item{Kind: KindReport, Org: &cp, Target: org.ID, Problem: problem, SenderToday: today, Submitter: submitter(m), Owner: s.userKey(m), Lang: m.Lang}
	if err := s.enqueue(ctx, it); err != nil {
		return nil, err
	}
	s.recordAudit(ctx, AuditEntry{Actor: "user", Action: "reported", Ref: it.Ref, Detail: org.ID})
	if !reachable {
		return bot.Text(i18n.Tr(m.Lang, "mod.reported_unreached", org.Name, it.Ref)), nil
	}
	if !m.Chat.Private {
		return bot.Text(i18n.Tr(m.Lang, "mod.reported_group", org.Name, it.Ref)), nil
	}
	return bot.Text(i18n.Tr(m.Lang, "mod.reported", org.Name, it.Ref)), nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// dialog is a guided /suggest in a private chat: name, place, website,
// description, one message each. Its state lives in the store under a hash
// of the chat, and expires.
type dialog struct {
	Step   int      `json:"step"`
	Values []string `json:"values"`
}

// dialogPrompts are the catalog keys of the questions, in order.
var dialogPrompts = []string{"dialog.name", "dialog.place", "dialog.website", "dialog.description"}

// dialogKey is where a guided /suggest waits: a keyed hash of the person
// and the chat, so neither id is stored.
func (s *Service) dialogKey(m *bot.Message) string {
	return "dialog:" + s.opts.People.Key("dialog", m.Platform, m.User.ID+"\x00"+m.Chat.ID)
}

func (s *Service) startDialog(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	b, _ := json.Marshal(dialog{})
	if err := s.st.Put(ctx, s.dialogKey(m), b, s.opts.DialogTTL); err != nil {
		return nil, storeErr(err)
	}
	r := bot.Text(i18n.Tr(m.Lang, "dialog.start"))
	r.Add(bot.T(i18n.Tr(m.Lang, dialogPrompts[0])))
	r.Prompt = true // asking is not suggesting (metrics)
	return r, nil
}

func (s *Service) cancel(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	if err := s.st.Remove(ctx, s.dialogKey(m)); err != nil {
		return nil, storeErr(err)
	}
	return bot.Text(i18n.Tr(m.Lang, "dialog.cancelled")), nil
}

// dialog answers plain text when a guided suggestion is in progress, and
// passes (nil reply) otherwise.
func (s *Service) dialog(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	if !m.Chat.Private || m.Location != nil {
		return nil, nil
	}
	b, err := s.st.Peek(ctx, s.dialogKey(m))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, storeErr(err)
	}
	var d dialog
	if json.Unmarshal(b, &d) != nil || d.Step >= len(dialogPrompts) {
		_ = s.st.Remove(ctx, s.dialogKey(m))
		return nil, nil
	}
	v := strings.TrimSpace(m.Text)
	if d.Step >= 2 && isSkip(v, m.Lang) {
		v = ""
	}
	// Check each answer as it comes, so a mistake is fixed at once.
	x := s.dir.Index()
	switch d.Step {
	case 0:
		if n := len([]rune(Clean(v))); n < MinName || n > MaxName {
			return bot.Text(i18n.Tr(m.Lang, "dialog.name_length", MinName, MaxName)), nil
		}
	case 1:
		if _, err := resolvePlace(x, v, m.Lang); err != nil {
			return bot.Text(bot.UserMessageIn(err, m.Lang)), nil
		}
	case 2:
		if _, err := parseLinks(Clean(v)); err != nil {
			return bot.Text(bot.UserMessageIn(err, m.Lang) + " " + i18n.Tr(m.Lang, "dialog.or_skip")), nil
		}
	}
	d.Values = append(d.Values, v)
	d.Step++
	if d.Step < len(dialogPrompts) {
		nb, _ := json.Marshal(d)
		if err := s.st.Put(ctx, s.dialogKey(m), nb, s.opts.DialogTTL); err != nil {
			return nil, storeErr(err)
		}
		return bot.Text(i18n.Tr(m.Lang, dialogPrompts[d.Step])), nil
	}
	if err := s.st.Remove(ctx, s.dialogKey(m)); err != nil {
		return nil, storeErr(err)
	}
	return s.submitSuggestion(ctx, m, Proposal{Name: d.Values[0], Place: d.Values[1], Links: d.Values[2], Description: d.Values[3]})
}

// isSkip reports whether an answer in the guided /suggest means "skip":
// the English word, or the reader's language's ("passer", "omitir"…).
func isSkip(v, lang string) bool {
	words := i18n.Tr(i18n.Reference, "dialog.skip_words") + "|" + i18n.Tr(lang, "dialog.skip_words")
	f := directory.Fold(v)
	for _, w := range strings.Split(words, "|") {
		if w = directory.Fold(w); w != "" && f == w {
			return true
		}
	}
	return false
}
