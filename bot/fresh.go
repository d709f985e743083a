package bot

import (
	"regexp"
	"strings"
	"time"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
)

// LinkStatus tells what the link checker last found about a link. It must
// answer from memory and at once: every card of an answer asks it, and an
// answer makes no store call. directory/linkcheck's Snapshot is one.
type LinkStatus interface {
	Link(url string) (directory.LinkState, bool)
}

// noLinks is the LinkStatus of a bot without a checker: nothing known.
type noLinks struct{}

func (noLinks) Link(string) (directory.LinkState, bool) { return directory.LinkState{}, false }

// freshness is a card's line saying where its facts come from and how old
// they are, in lang (the full card's "Listed" field; answers' fullCard
// calls it): "listed 2014 (INPUD list) · website reachable on
// 2026-11-28", or "… · website unreachable since 2026-10-02". Parts that
// are not known are left out; it is "" when none is. It is shown, never
// used to rank or hide an entry.
func (b *Bot) freshness(o *directory.Organisation, lang string) string {
	var parts []string
	title, year := listing(o)
	switch {
	case title != "" && year != "":
		parts = append(parts, i18n.Tr(lang, "fresh.listed", year, title))
	case year != "":
		parts = append(parts, i18n.Tr(lang, "fresh.year", year))
	case title != "":
		parts = append(parts, i18n.Tr(lang, "fresh.undated", title))
	}
	// Only a person's confirmation (/verify, an edit or an approval) is
	// shown as one; a verified date that repeats a source's own date is
	// the listing's age, said above.
	if day, ok := o.Confirmed(); ok {
		parts = append(parts, i18n.Tr(lang, "fresh.verified", day))
	}
	if u := primaryLink(o); u != "" {
		if st, ok := b.links.Link(u); ok {
			switch {
			case st.OK:
				parts = append(parts, i18n.Tr(lang, "fresh.reachable", day(st.LastOK)))
			case !st.DownSince.IsZero():
				parts = append(parts, i18n.Tr(lang, "fresh.unreachable", day(st.DownSince)))
			}
		}
	}
	return strings.Join(parts, " · ")
}

var (
	fullDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	yearIn   = regexp.MustCompile(`\b(19|20)\d{2}\b`)
	yearAt   = regexp.MustCompile(`^(19|20)\d{2}\b`)
)

// listing is the main source's title and year: "INPUD list", "2014". A
// title holding several sources ("INPUD list, Aug 2014; Canadian peer-run
// list") is cut to the first, and a date at its end (", Aug 2014") is left
// to the year. The year is the source's date's, else one in its title,
// else the verified date's; none for an undated source.
func listing(o *directory.Organisation) (title, year string) {
	var date string
	if len(o.Sources) > 0 {
		title, date = o.Sources[0].Title, o.Sources[0].Date
	} else {
		title = o.Source // an old record not yet moved into Sources
	}
	title = strings.TrimSpace(title)
	if i := strings.Index(title, ";"); i >= 0 {
		title = strings.TrimSpace(title[:i])
	}
	inTitle := ""
	if i := strings.LastIndex(title, ","); i >= 0 && yearIn.MatchString(title[i:]) {
		inTitle = yearIn.FindString(title[i:])
		title = strings.TrimSpace(title[:i])
	}
	switch {
	case date == directory.Undated:
		return title, ""
	case yearAt.MatchString(date):
		return title, date[:4]
	case inTitle != "":
		return title, inTitle
	case yearAt.MatchString(o.Verified):
		return title, o.Verified[:4]
	}
	return title, ""
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// primaryLink is the link the freshness line speaks of: the first website,
// else the first social link.
func primaryLink(o *directory.Organisation) string {
	if len(o.Websites) > 0 {
		return o.Websites[0]
	}
	if len(o.Social) > 0 {
		return o.Social[0]
	}
	return ""
}

// unreachable reports whether the checker found u not answering at its
// last check.
func (b *Bot) unreachable(u string) bool {
	st, ok := b.links.Link(u)
	return ok && !st.OK
}

// reachFirst is the entry's websites and social links with the ones not
// known to be unreachable first, each group in its listed order. A dead
// link stays (marked by the card), but a card or button that shows one
// link shows one that answers when the entry has one.
func (b *Bot) reachFirst(o *directory.Organisation) []string {
	all := append(append([]string(nil), o.Websites...), o.Social...)
	out := make([]string, 0, len(all))
	var dead []string
	for _, u := range all {
		if b.unreachable(u) {
			dead = append(dead, u)
		} else {
			out = append(out, u)
		}
	}
	return append(out, dead...)
}

// appendLinkSpans appends the spans that show a link, marked when it is unreachable: "vandu.org
// (unreachable)". u must be one SafeURL accepts.
func (b *Bot) appendLinkSpans(spans []Span, u, lang string) []Span {
	spans = append(spans, checkedLink(displayURL(u), u))
	if b.unreachable(u) {
		spans = append(spans, I(" ("+i18n.Tr(lang, "card.unreachable")+")"))
	}
	return spans
}
