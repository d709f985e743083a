package moderation

import (
	"fmt"
	"strings"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
)

// card is what moderators' channels show for an item, in lang: everything
// a moderator needs to decide, and (while pending) the buttons.
//
//   - A suggestion: what was suggested, the likely duplicates with a /org
//     link to each, the look-alike warnings, and how many suggestions and
//     reports its sender made that day (never who they are).
//   - A report: what is wrong, the listing as it is, and the change that
//     approving would make.
//
// Each part is a block of text (every platform) and the same content as a
// bot.Card on the first block, for platforms that show rich cards.
func (s *Service) card(x *directory.Index, it *Item, lang string) *bot.Reply {
	var (
		title string
		body  []bot.Span // the text form, paragraph after paragraph
		c     = &bot.Card{Kind: string(it.Kind)}
	)
	para := func(spans ...bot.Span) {
		if len(body) > 0 {
			body = append(body, bot.T("\n\n"))
		}
		body = append(body, spans...)
	}
	switch it.Kind {
	case KindSuggestion:
		title = i18n.Tr(lang, "card.new_suggestion", it.Ref)
		para(orgBlock(it.Org, it.Place, lang).Spans...)
		c.Title = nameOf(it.Org)
		c.Description = it.Org.Description
		c.Fields = append(c.Fields, bot.CardField{Name: i18n.Tr(lang, "card.field_place"), Value: it.Place, Inline: true})
		if links := linkLines(it.Org); links != "" {
			c.Fields = append(c.Fields, bot.CardField{Name: i18n.Tr(lang, "card.field_links"), Value: links})
		}
		if it.Lead != nil {
			// An imported lead says where it comes from and why it is uncertain.
			lead := leadSpans(it, lang)
			para(lead...)
			c.Fields = append(c.Fields, bot.CardField{Name: i18n.Tr(lang, "card.field_source"), Value: bot.PlainText(bot.Block{Spans: lead})})
		}
	case KindReport:
		cur, ok := x.Org(it.Target)
		title = i18n.Tr(lang, "card.report", it.Ref, it.Org.Name)
		para(bot.Rich(lang, "card.whats_wrong", it.Problem)...)
		c.Title = nameOf(it.Org)
		c.Description = it.Problem
		if ok {
			// The place, not the group's name again.
			para(bot.B(i18n.Tr(lang, "card.current")), bot.T("\n"))
			body = append(body, orgBlock(cur, placeOf(x, cur, lang), lang).Spans...)
			c.Fields = append(c.Fields, bot.CardField{Name: i18n.Tr(lang, "card.current"), Value: listing(x, cur, lang)})
		} else {
			para(bot.I(i18n.Tr(lang, "card.gone")))
			c.Fields = append(c.Fields, bot.CardField{Name: i18n.Tr(lang, "card.current"), Value: i18n.Tr(lang, "card.gone")})
		}
		change := i18n.Tr(lang, "card.no_change")
		if ok && it.Edited {
			if d := changes(x, cur, it.Org, lang); len(d) > 0 {
				change = strings.Join(d, "\n")
			}
		}
		para(bot.B(i18n.Tr(lang, "card.approving")), bot.T("\n"+change))
		c.Fields = append(c.Fields, bot.CardField{Name: i18n.Tr(lang, "card.approving"), Value: change})
	}
	if len(it.Duplicates) > 0 {
		var names []string
		for _, d := range it.Duplicates {
			if o, ok := x.Org(d); ok {
				names = append(names, describe(x, o, lang)+" (/org "+o.ID+")")
			} else {
				names = append(names, i18n.Tr(lang, "card.duplicate_waiting", d))
			}
		}
		para(bot.Rich(lang, "card.duplicates", strings.Join(names, "; "))...)
		c.Fields = append(c.Fields, bot.CardField{Name: i18n.Tr(lang, "card.field_duplicates"), Value: strings.Join(names, "\n")})
	}
	var warnings []string
	for _, l := range it.Lookalikes {
		sp := lookalikeSpans(l, lang)
		para(sp...)
		warnings = append(warnings, plain(sp))
	}
	if len(warnings) > 0 {
		c.Fields = append(c.Fields, bot.CardField{Name: i18n.Tr(lang, "card.field_warnings"), Value: strings.Join(warnings, "\n")})
	}
	if it.SenderToday > 0 {
		para(bot.I(i18n.Tr(lang, "card.sender_today", it.SenderToday)))
		c.Fields = append(c.Fields, bot.CardField{Name: i18n.Tr(lang, "card.field_sender"), Value: fmt.Sprint(it.SenderToday), Inline: true})
	}
	if it.Status == Pending {
		for _, a := range it.Approvals {
			line := i18n.Tr(lang, "card.approved_by", a.By, len(it.Approvals), s.opts.ApprovalsRequired)
			para(bot.I(line))
			c.Fields = append(c.Fields, bot.CardField{Name: i18n.Tr(lang, "card.field_decision"), Value: line})
		}
	}
	r := &bot.Reply{Lang: lang}
	decided := ""
	switch it.Status {
	case Pending:
		r.Buttons = [][]bot.Button{{
			{Label: i18n.Tr(lang, "card.approve"), Data: "/approve " + it.Ref, Style: bot.ButtonSuccess},
			{Label: i18n.Tr(lang, "card.reject"), Data: "/reject " + it.Ref, Style: bot.ButtonDanger},
		}}
	default:
		d := it.Decision
		var line string
		if d.Action == Approved {
			line = i18n.Tr(lang, "card.decided_approved", d.By, when(d.At, lang))
		} else {
			line = i18n.Tr(lang, "card.decided_rejected", d.By, when(d.At, lang))
		}
		if d.Reason != "" {
			line += ": " + d.Reason
		}
		decided = line
	}
	// The title is the message's own line (Discord: its content, above
	// the embed); the rest is one block, whose Card is its structured form.
	// No title link: a suggested website is not vouched for, so it is shown
	// as text with its punycode, not as the card's headline link.
	// A decision comes right under the title, where it is seen first.
	if decided != "" {
		r.Add(bot.B(title), bot.T("\n"), bot.B(decided))
	} else {
		r.Add(bot.B(title))
	}
	r.Blocks = append(r.Blocks, bot.Block{Spans: body, Card: c})
	return r
}

// orgBlock is an organisation as a card shows it: its name, its place,
// its links (international hosts with their punycode), its description.
func orgBlock(o *directory.Organisation, place, lang string) bot.Block {
	spans := []bot.Span{bot.B(o.Name)}
	if o.Acronym != "" && !strings.Contains(o.Name, o.Acronym) {
		spans = append(spans, bot.T(" ("+o.Acronym+")"))
	}
	if place != "" {
		spans = append(spans, bot.T("\n"+i18n.Tr(lang, "card.place", place)))
	}
	for _, u := range append(append([]string(nil), o.Websites...), o.Social...) {
		spans = append(spans, bot.T("\n"))
		link, idn := displayLink(u)
		spans = append(spans, bot.Rich(lang, "card.link", link)...)
		if idn != "" {
			spans = append(spans, bot.T("\n"+i18n.Tr(lang, "card.idn", idn)))
		}
	}
	if o.Description != "" {
		spans = append(spans, bot.T("\n"+o.Description))
	}
	return bot.Block{Spans: spans}
}

// nameOf is "Name (ACR)".
func nameOf(o *directory.Organisation) string {
	if o.Acronym != "" && !strings.Contains(o.Name, o.Acronym) {
		return o.Name + " (" + o.Acronym + ")"
	}
	return o.Name
}

// placeOf names where a listed organisation is, in lang: "Vancouver,
// British Columbia, Canada", or its countries for a body with no city.
func placeOf(x *directory.Index, o *directory.Organisation, lang string) string {
	var parts []string
	if o.City != "" {
		parts = append(parts, o.City)
	}
	if o.Province != "" {
		if p := x.SubdivisionOf(o.Province, o.City, lang); p != "" {
			parts = append(parts, p)
		}
	}
	var countries []string
	for _, c := range o.Countries {
		countries = append(countries, x.CountryName(c, lang))
	}
	if len(countries) > 0 {
		parts = append(parts, strings.Join(countries, ", "))
	}
	return strings.Join(parts, ", ")
}

// linkLines lists an organisation's links one a line, each international
// host with its Unicode and punycode forms.
func linkLines(o *directory.Organisation) string {
	var lines []string
	for _, u := range append(append([]string(nil), o.Websites...), o.Social...) {
		link, idn := displayLink(u)
		if idn != "" {
			link += " (" + idn + ")"
		}
		lines = append(lines, link)
	}
	return strings.Join(lines, "\n")
}

// listing is a listed entry in a few lines, for a report card's field.
func listing(x *directory.Index, o *directory.Organisation, lang string) string {
	lines := []string{nameOf(o), i18n.Tr(lang, "card.place", placeOf(x, o, lang))}
	if l := linkLines(o); l != "" {
		lines = append(lines, l)
	}
	if o.Description != "" {
		lines = append(lines, o.Description)
	}
	return strings.Join(lines, "\n")
}

// changes lists, field by field, what approving a corrected entry would
// change in the listing: "Website: http://a.org → https://b.org".
func changes(x *directory.Index, cur, next *directory.Organisation, lang string) []string {
	var out []string
	diff := func(key, a, b string) {
		if a != b {
			if a == "" {
				a = "—"
			}
			if b == "" {
				b = "—"
			}
			out = append(out, i18n.Tr(lang, key)+": "+a+" → "+b)
		}
	}
	diff("card.field_name", cur.Name, next.Name)
	diff("card.field_acronym", cur.Acronym, next.Acronym)
	diff("card.field_place", placeOf(x, cur, lang), placeOf(x, next, lang))
	diff("card.field_links", strings.Join(append(append([]string(nil), cur.Websites...), cur.Social...), " "),
		strings.Join(append(append([]string(nil), next.Websites...), next.Social...), " "))
	diff("card.field_description", cur.Description, next.Description)
	diff("card.field_kind", string(cur.Kind), string(next.Kind))
	return out
}

// plain is spans' text without styles.
func plain(spans []bot.Span) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString(s.Text)
	}
	return b.String()
}
