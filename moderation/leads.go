package moderation

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/store"
)

// A lead is an organisation that a public page names but that no one has
// yet shown belongs in the directory: the research notes' rows whose
// peer_run is "unclear", say. An operator imports a file of leads with
// `unionbot import --as-suggestions FILE`; each becomes a suggestion in the
// moderation queue that carries its sources and says why it is uncertain,
// and moderators approve, edit or reject it as any other.

// Why codes say why a lead is uncertain; the card says it in the
// moderator's language (whyKeys).
const (
	WhyUnclear = "unclear" // the source does not say it is run by people who use drugs
	WhyNotPeer = "no"      // the source says it is not
	WhyPeer    = "yes"     // the source says it is, but no moderator has checked
	WhyFile    = "file"    // imported from a directory file, unchecked
)

// whyKeys are the messages that say each Why code.
var whyKeys = map[string]string{
	WhyUnclear: "lead.why_unclear",
	WhyNotPeer: "lead.why_no",
	WhyPeer:    "lead.why_yes",
	WhyFile:    "lead.why_file",
}

// LeadInfo is what an Item from a lead carries beyond a suggestion.
type LeadInfo struct {
	// Key identifies the lead across imports (see LeadKey).
	Key string `json:"key"`
	// Why is one of the Why codes.
	Why string `json:"why"`
	// UnknownCity is the city the source names that the directory does
	// not know yet, so the entry could not hold it: the card says so.
	UnknownCity string `json:"unknown_city,omitempty"`
}

// Lead is one lead to queue.
type Lead struct {
	Org         directory.Organisation
	Why         string // one of the Why codes
	UnknownCity string // see LeadInfo
}

// LeadKey is a lead's stable identity: the same organisation, country and
// main source give the same key, however often the file is imported.
func LeadKey(o *directory.Organisation) string {
	country := ""
	if len(o.Countries) > 0 {
		country = o.Countries[0]
	}
	src := o.MainSource()
	h := sha256.Sum256([]byte(directory.Fold(o.Name) + "\n" + country + "\n" + src.URL + "\n" + src.Title))
	return hex.EncodeToString(h[:12])
}

// LeadResult says what became of one lead.
type LeadResult struct {
	Name string
	// Ref is the queue item: new, or the one an earlier import made.
	Ref string
	// New is true when this import queued it.
	New bool
	// Listed names the directory entry it duplicates when it is
	// certainly already listed (then nothing is queued).
	Listed string
}

// leadItemsColl maps a lead's key to the reference of its item, so that a
// lead is queued once, ever.
const leadItemsColl = "leaditems"

// leadActor is who the audit log says queued a lead.
const leadActor = "import"

// SubmitLeads queues each lead as a suggestion, in order. It is idempotent:
// a lead queued before (by key, from any process) is not queued again, and
// one already listed in the directory is not queued at all. It stops at the
// first store error or when the queue is full; the results so far are
// returned with the error, and importing again carries on.
func (s *Service) SubmitLeads(ctx context.Context, leads []Lead) ([]LeadResult, error) {
	var out []LeadResult
	for _, l := range leads {
		r, err := s.submitLead(ctx, l)
		if err != nil {
			return out, fmt.Errorf("lead %q: %w", l.Org.Name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *Service) submitLead(ctx context.Context, l Lead) (LeadResult, error) {
	org := l.Org
	res := LeadResult{Name: org.Name}
	key := LeadKey(&org)
	ref, err := s.leadRef(ctx, key)
	if err != nil {
		return res, err
	}
	if ref != "" {
		if _, err := s.Get(ctx, ref); err == nil {
			res.Ref = ref
			return res, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return res, err
		}
		// The reference was taken but the item never written (the
		// process stopped in between): write it now, under it.
	}
	x := s.dir.Index()
	pend, err := s.pending(ctx)
	if err != nil {
		return res, err
	}
	dup, listed, _ := duplicates(x, &org, pend)
	if listed != "" {
		res.Listed = listed
		return res, nil
	}
	if ref == "" {
		if len(pend) >= s.opts.MaxPending {
			return res, bot.Errorf(bot.Limited, "mod.queue_full")
		}
		n, err := s.st.Incr(ctx, "seq:S", 0)
		if err != nil {
			return res, err
		}
		mine := fmt.Sprintf("S-%d", n)
		if ref, err = s.claimRef(ctx, leadItemsColl, key, mine); err != nil {
			return res, err
		}
		if ref != mine {
			res.Ref = ref // another import queued it at the same moment
			return res, nil
		}
	}
	for _, lk := range lookalikes(x, &org) {
		if lk.Like != "" {
			dup = appendUnique(dup, lk.Like)
		}
	}
	it := &Item{Ref: ref, Kind: KindSuggestion, Org: &org, Place: leadPlace(x, &org, s.opts.Lang), Duplicates: dup,
		Lead: &LeadInfo{Key: key, Why: l.Why, UnknownCity: l.UnknownCity}, Lang: s.opts.Lang}
	if err := s.enqueue(ctx, it); err != nil {
		return res, err
	}
	s.recordAudit(ctx, AuditEntry{Actor: leadActor, Action: "queued a lead", Ref: ref, Detail: org.Name})
	res.Ref, res.New = ref, true
	return res, nil
}

// leadPlace describes where a lead is, for its card.
func leadPlace(x *directory.Index, o *directory.Organisation, lang string) string {
	switch {
	case o.Kind == directory.KindInternational:
		return i18n.Tr(lang, "lead.place_international")
	case len(o.Countries) == 0:
		return strings.Join(o.Regions, ", ")
	}
	name := x.CountryName(o.Countries[0], lang)
	if o.City != "" {
		return o.City + ", " + name
	}
	return name
}

func (s *Service) leadRef(ctx context.Context, key string) (string, error) {
	b, err := s.st.Get(ctx, leadItemsColl, key)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var li linkItem
	if err := json.Unmarshal(b, &li); err != nil {
		return "", err
	}
	return li.Ref, nil
}

// leadSpans is what a lead's card adds: why it is uncertain, what its
// source gives that the entry could not hold, and its sources.
func leadSpans(it *Item, lang string) []bot.Span {
	if it.Lead == nil {
		return nil
	}
	var spans []bot.Span
	spans = append(spans, bot.Rich(lang, "card.lead_why", i18n.Tr(lang, whyKey(it.Lead.Why)))...)
	if it.Lead.UnknownCity != "" {
		spans = append(spans, bot.T("\n"+i18n.Tr(lang, "card.lead_unknown_city", it.Lead.UnknownCity)))
	}
	for _, src := range it.Org.Sources {
		spans = append(spans, bot.T("\n"+i18n.Tr(lang, "card.lead_source", describeSource(src))))
	}
	return spans
}

// leadSummary is a lead's line in /queue: why it is uncertain and its
// main source.
func leadSummary(it *Item, lang string) string {
	return i18n.Tr(lang, whyKey(it.Lead.Why)) + " — " + i18n.Tr(lang, "card.lead_source", describeSource(it.Org.MainSource()))
}

func whyKey(why string) string {
	if k, ok := whyKeys[why]; ok {
		return k
	}
	return whyKeys[WhyUnclear]
}

func describeSource(s directory.Source) string {
	parts := []string{}
	for _, p := range []string{s.Title, s.URL, s.Date, s.Note} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

// researchColumns are the columns of the research table
// (shared/research/organisations-2026-12.tsv) that ReadLeads reads.
var researchColumns = []string{"name", "acronym", "kind", "country_iso2", "city", "website", "source_url", "source_date", "peer_run"}

// ReadLeads reads a file of leads: a TSV file with the research table's
// columns (name, acronym, kind, country_iso2, city, website, source_url,
// source_date, peer_run), or a YAML file in the format of `unionbot
// export`. Each lead is checked against x as the directory checks its
// entries; a city the directory does not know is left out of the entry
// and named on the card (UnknownCity) rather than dropped or guessed. All problems are reported together,
// and no lead is returned unless every one is valid.
func ReadLeads(r io.Reader, x *directory.Index) ([]Lead, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var leads []Lead
	if firstLine(b) == strings.Join(researchColumns, "\t") {
		leads, err = readLeadsTSV(b)
	} else {
		var orgs []directory.Organisation
		orgs, err = directory.DecodeOrganisations(bytes.NewReader(b))
		for _, o := range orgs {
			why := WhyFile
			if o.Ally {
				why = WhyUnclear
			}
			leads = append(leads, Lead{Org: o, Why: why})
		}
	}
	if err != nil {
		return nil, err
	}
	var problems []string
	for i := range leads {
		if _, listed, _ := duplicates(x, &leads[i].Org, nil); listed != "" {
			continue // SubmitLeads reports it as listed and queues nothing
		}
		if err := checkLead(x, &leads[i]); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", leads[i].Org.Name, err))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("nothing was queued; these leads cannot be entries as they are:\n%s", strings.Join(problems, "\n"))
	}
	return leads, nil
}

func firstLine(b []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if l := strings.TrimRight(sc.Text(), "\r"); l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return ""
}

func readLeadsTSV(b []byte) ([]Lead, error) {
	var leads []Lead
	header := true
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if header {
			header = false
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != len(researchColumns) {
			return nil, fmt.Errorf("line %d: %d columns, want %d (%s)", n+1, len(c), len(researchColumns), strings.Join(researchColumns, ", "))
		}
		for i := range c {
			c[i] = strings.TrimSpace(c[i])
		}
		o := directory.Organisation{Name: c[0], Acronym: c[1], Kind: directory.Kind(c[2]), City: c[4]}
		if c[3] != "" {
			o.Countries = []string{strings.ToUpper(c[3])}
		}
		if c[5] != "" {
			o.Websites = []string{c[5]}
		}
		date, note := leadDate(c[7])
		o.Sources = []directory.Source{{Title: hostOf(c[6]), URL: c[6], Date: date, Note: note}}
		o.Verified = date
		why := WhyUnclear
		switch c[8] {
		case "yes":
			why = WhyPeer
		case "no":
			why, o.Ally = WhyNotPeer, true
		default:
			o.Ally = true // until a moderator decides otherwise
		}
		leads = append(leads, Lead{Org: o, Why: why})
	}
	return leads, nil
}

var leadDatePrefix = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?`)

// leadDate turns the research table's dates ("2013-03", "n.d.", "c. 2014",
// "2018, annual report 2017") into a source date and, when it said more
// than the date holds, a note that keeps what it said.
func leadDate(s string) (date, note string) {
	switch {
	case directory.ValidDate(s):
		return s, ""
	case strings.HasPrefix(s, "c. ") && directory.ValidDate(strings.TrimPrefix(s, "c. ")):
		return strings.TrimPrefix(s, "c. "), "date approximate (" + s + ")"
	}
	if d := leadDatePrefix.FindString(s); d != "" {
		// The longest valid prefix: "2012-13" is the year 2012.
		for _, n := range []int{10, 7, 4} {
			if len(d) >= n && directory.ValidDate(d[:n]) {
				return d[:n], "date given as " + s
			}
		}
	}
	if s == "" || s == "n.d." {
		return directory.Undated, ""
	}
	return directory.Undated, "date given as " + s
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return strings.TrimPrefix(u.Host, "www.")
}

// checkLead makes sure the lead can become an entry on approval: its kind
// and places are known, and it has a source.
func checkLead(x *directory.Index, l *Lead) error {
	o := &l.Org
	if strings.TrimSpace(o.Name) == "" {
		return errors.New("no name")
	}
	if len(o.Sources) == 0 || (o.Sources[0].URL == "" && o.Sources[0].Title == "") {
		return errors.New("no source")
	}
	check := *o
	check.ID, check.Coordinates = "lead", nil // approval gives the real id
	if o.City != "" && len(o.Countries) > 0 {
		if err := x.Check(check); err != nil && strings.Contains(err.Error(), "unknown city") {
			l.UnknownCity, o.City, check.City = o.City, "", ""
		}
	}
	return x.Check(check)
}
