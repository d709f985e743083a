package moderation

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/clean"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
)

func (s *Service) queue(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	if err := s.refuse(ctx, m, "queue", ""); err != nil {
		return nil, err
	}
	pend, err := s.pending(ctx)
	if err != nil {
		return nil, storeErr(err)
	}
	if len(pend) == 0 {
		return bot.Text(i18n.Tr(m.Lang, "mod.queue_empty")), nil
	}
	r := &bot.Reply{Private: true}
	r.Heading(i18n.Tr(m.Lang, "mod.queue_heading", len(pend)))
	for _, it := range pend {
		r.Blocks = append(r.Blocks, bot.Block{Spans: s.summary(it, m.Lang)})
	}
	r.Add(bot.Rich(m.Lang, "mod.queue_help", pend[0].Ref)...)
	return r, nil
}

// summary is an item in one or two lines, for /queue.
func (s *Service) summary(it *Item, lang string) []bot.Span {
	spans := []bot.Span{bot.B(it.Ref), bot.T(" ")}
	switch it.Kind {
	case KindSuggestion:
		spans = append(spans, bot.T(i18n.Tr(lang, "mod.summary_suggestion", it.Org.Name, it.Place)))
	case KindReport:
		spans = append(spans, bot.T(i18n.Tr(lang, "mod.summary_report", it.Org.Name, it.Problem)))
	}
	if it.Lead != nil {
		spans = append(spans, bot.T("\n"+leadSummary(it, lang)))
	}
	if len(it.Duplicates) > 0 {
		spans = append(spans, bot.T("\n"+i18n.Tr(lang, "mod.summary_duplicates", strings.Join(it.Duplicates, ", "))))
	}
	if n := len(it.Approvals); n > 0 && it.Status == Pending {
		spans = append(spans, bot.T("\n"+i18n.Tr(lang, "mod.summary_approvals", n, s.opts.ApprovalsRequired)))
	}
	return spans
}

// when writes a moment for moderators in lang ("2 Jan 2006 15:04 MST").
func when(t time.Time, lang string) string {
	return t.Format(i18n.Tr(lang, "mod.time_layout"))
}

func (s *Service) approve(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	_, args, _ := m.Command()
	ref, ok := parseRef(args)
	if err := s.refuse(ctx, m, "approve", ref); err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorf(invalid, "mod.approve_which")
	}
	return s.decide(ctx, m, ref, Approved, "")
}

func (s *Service) reject(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	_, args, _ := m.Command()
	first, reason, _ := strings.Cut(args, " ")
	ref, ok := parseRef(first)
	if err := s.refuse(ctx, m, "reject", ref); err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorf(invalid, "mod.reject_which")
	}
	if m.Form != nil {
		reason = m.Form["reason"]
	}
	reason = truncate(Clean(reason), 300)
	if reason == "" && m.Form == nil && (m.CanForm || m.Pressed) {
		// Ask for the reason: in a form where the platform has them
		// (Discord's modal), else as a one-field form the adapter asks for
		// its own way (Telegram: a ForceReply prompt whose answer comes
		// back as this form's submission). Either way it comes back here
		// as "/reject S-12" with Form["reason"]; typing
		// "/reject S-12 <reason>" does the same in one go.
		r := bot.Text(i18n.Tr(m.Lang, "mod.reject_why", ref))
		r.Form = &bot.Form{ID: "/reject " + ref, Title: i18n.Tr(m.Lang, "mod.reject_title", ref), Fields: []bot.Field{
			{Name: "reason", Label: i18n.Tr(m.Lang, "mod.reject_reason"), Required: true, Long: true, MaxLen: 300},
		}}
		return r, nil
	}
	return s.decide(ctx, m, ref, Rejected, reason)
}

// decide takes a moderator's decision atomically: however many moderators,
// processes or platforms act at once, exactly one transition from pending
// happens, and everyone else is told who decided and when.
func (s *Service) decide(ctx context.Context, m *bot.Message, ref string, action Status, reason string) (*bot.Reply, error) {
	now := s.opts.Now().UTC()
	d := Decision{By: actor(m), ByKey: s.userKey(m), Action: action, Reason: reason, At: now}
	var final bool
	it, err := s.update(ctx, ref, func(it *Item) error {
		final = false
		if it.Status != Pending {
			if it.Status == Approved {
				return errorf(conflict, "mod.already_approved", it.Ref, it.Decision.By, when(it.Decision.At, m.Lang))
			}
			return errorf(conflict, "mod.already_rejected", it.Ref, it.Decision.By, when(it.Decision.At, m.Lang))
		}
		if action == Approved {
			for _, a := range it.Approvals {
				if a.ByKey == d.ByKey || a.ByKey == legacyUserKey(m) {
					return errorf(conflict, "mod.approved_twice", it.Ref)
				}
			}
			it.Approvals = append(it.Approvals, d)
			if len(it.Approvals) < s.opts.ApprovalsRequired {
				return nil
			}
		}
		it.Status = action
		dd := d
		it.Decision = &dd
		it.Telling = now // this process tells the sender (see retellOutcomes)
		final = true
		return nil
	})
	if err != nil {
		return nil, storeErr(err)
	}
	x := s.dir.Index()
	if !final {
		s.recordAudit(ctx, AuditEntry{Actor: d.By, Action: "approved (first of two)", Ref: ref})
		s.updateCards(ctx, it)
		r := bot.Text(i18n.Tr(m.Lang, "mod.noted", ref, len(it.Approvals), s.opts.ApprovalsRequired))
		r.Notice = r.Blocks[0].Spans[0].Text
		return r, nil
	}
	var outcome string
	if action == Approved {
		id, err := s.applyApproval(ctx, x, it, d)
		if err != nil {
			// The decision stands; the directory change is retried by a
			// moderator re-running /approve, which reports it as decided,
			// so log loudly for the operator.
			s.log.Error("approved item could not be added to the directory", "ref", ref, "err", err)
			return nil, storeErr(err)
		}
		if id != "" {
			outcome = i18n.Tr(m.Lang, "mod.approved_listed", ref, firstNonEmpty(it.Org.Acronym, it.Org.Name))
		} else {
			outcome = i18n.Tr(m.Lang, "mod.approved", ref)
		}
	} else {
		outcome = i18n.Tr(m.Lang, "mod.rejected", ref)
	}
	s.recordAudit(ctx, AuditEntry{Actor: d.By, Action: string(action), Ref: ref, Detail: reason})
	s.updateCards(ctx, it)
	s.tellSubmitter(ctx, it)
	r := bot.Text(outcome)
	r.Notice = outcome
	return r, nil
}

// applyApproval changes the directory for an approved item: a suggestion
// becomes a new entry; a report applies the corrected entry if a moderator
// edited it. It returns the entry's id, or "" when nothing changed.
func (s *Service) applyApproval(ctx context.Context, x *directory.Index, it *Item, d Decision) (string, error) {
	if it.Kind == KindReport && !it.Edited {
		return "", nil
	}
	o := *it.Org
	if it.Kind == KindSuggestion {
		o.ID = newID(x, &o)
		if len(o.Sources) == 0 {
			o.Sources = []directory.Source{{Title: communitySource}}
		}
		// The suggestion's own source (a lead's page, say) stays first;
		// an undated community suggestion is dated by its approval.
		if o.Sources[0].Title == communitySource && (o.Sources[0].Date == "" || o.Sources[0].Date == directory.Undated) {
			o.Sources = append([]directory.Source(nil), o.Sources...)
			o.Sources[0].Date = d.At.Format("2006-01-02")
		}
	}
	markVerified(&o, d.At, "approved "+it.Ref) // verify.go: an approval confirms the entry
	return o.ID, s.dir.Apply(ctx, directory.Change{ID: o.ID, Org: &o, At: d.At, By: d.By})
}

var slugChars = regexp.MustCompile(`[^a-z0-9]+`)

// newID makes a stable, unused slug from the acronym or name.
func newID(x *directory.Index, o *directory.Organisation) string {
	base := slugChars.ReplaceAllString(directory.Fold(firstNonEmpty(o.Acronym, o.Name)), "-")
	base = strings.Trim(base, "-")
	if base == "" {
		base = "group"
	}
	if len(base) > 40 {
		base = strings.Trim(base[:40], "-")
	}
	if len(o.Countries) > 0 {
		if _, taken := x.Org(base); taken {
			base += "-" + strings.ToLower(o.Countries[0])
		}
	}
	id := base
	for n := 2; ; n++ {
		if _, taken := x.Org(id); !taken {
			return id
		}
		id = fmt.Sprintf("%s-%d", base, n)
	}
}

// editable fields and how /edit sets them.
func (s *Service) edit(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	ref, field, value, err := s.editRequest(ctx, m)
	if err != nil {
		return nil, err
	}
	// Check the value before touching the item, so the update is pure.
	apply, err := s.editFor(field, value, m.Lang)
	if err != nil {
		return nil, err
	}
	it, err := s.update(ctx, ref, func(it *Item) error { return applyEdit(it, apply) })
	if err != nil {
		return nil, storeErr(err)
	}
	s.recordAudit(ctx, AuditEntry{Actor: actor(m), Action: "edited " + field, Ref: ref, Detail: truncate(value, 80)})
	s.updateCards(ctx, it)
	r := bot.Text(i18n.Tr(m.Lang, "mod.edited", ref))
	r.Blocks = append(r.Blocks, orgBlock(it.Org, it.Place, m.Lang))
	return r, nil
}

// editRequest reads "/edit <ref> <field> <value>". A non-moderator is
// refused (and the attempt audited) before the form is checked.
func (s *Service) editRequest(ctx context.Context, m *bot.Message) (ref, field, value string, err error) {
	_, args, _ := m.Command()
	parts := strings.SplitN(args, " ", 3)
	ok := false
	if len(parts) > 0 {
		ref, ok = parseRef(parts[0])
	}
	if err := s.refuse(ctx, m, "edit", ref); err != nil {
		return "", "", "", err
	}
	if !ok || len(parts) < 3 {
		return "", "", "", errorf(invalid, "mod.edit_usage")
	}
	return ref, strings.ToLower(parts[1]), Clean(parts[2]), nil
}

// editFor checks value for field (a place is read in lang, the
// moderator's language) and returns the change to make to the suggested
// organisation. The change returns the item's new place label when it moves
// the organisation, else "".
func (s *Service) editFor(field, value, lang string) (func(o *directory.Organisation) string, error) {
	x := s.dir.Index()
	switch field {
	case "name":
		if n := len([]rune(value)); n < MinName || n > MaxName {
			return nil, errorf(invalid, "mod.edit_name_length", MinName, MaxName)
		}
		return func(o *directory.Organisation) string { o.Name = value; return "" }, nil
	case "acronym":
		if len([]rune(value)) > 15 {
			return nil, errorf(invalid, "mod.edit_acronym_length", 15)
		}
		return func(o *directory.Organisation) string { o.Acronym = value; return "" }, nil
	case "place", "city", "country":
		p, err := resolvePlace(x, value, lang)
		if err != nil {
			return nil, err
		}
		return func(o *directory.Organisation) string {
			o.City, o.Province, o.Countries, o.Kind = p.city, p.province, []string{p.country}, p.kind
			pt := p.point
			o.Coordinates = &pt
			return p.label(x, s.opts.Lang)
		}, nil
	case "website", "websites", "link":
		links, err := parseLinks(value)
		if err != nil {
			return nil, err
		}
		return func(o *directory.Organisation) string {
			o.Websites, o.Social = nil, nil
			for _, l := range links {
				if isSocial(l) {
					o.Social = append(o.Social, l)
				} else {
					o.Websites = append(o.Websites, l)
				}
			}
			return ""
		}, nil
	case "description":
		if len([]rune(value)) > MaxDescription {
			return nil, errorf(invalid, "mod.edit_description_length", MaxDescription)
		}
		return func(o *directory.Organisation) string { o.Description = value; return "" }, nil
	case "status":
		// A report that a group closed (or reopened): applied on approval,
		// so the group leaves answers but stays in the export and history.
		st := directory.Status(strings.ToLower(value))
		if st != directory.StatusActive && st != directory.StatusClosed {
			return nil, errorf(invalid, "mod.edit_status")
		}
		return func(o *directory.Organisation) string {
			o.Status = st
			if st == directory.StatusActive {
				o.Status = ""
			}
			return ""
		}, nil
	case "kind":
		k := directory.Kind(strings.ToLower(value))
		if k != directory.KindLocal && k != directory.KindNational {
			return nil, errorf(invalid, "mod.edit_kind")
		}
		return func(o *directory.Organisation) string { o.Kind = k; return "" }, nil
	default:
		return nil, errorf(invalid, "mod.edit_field", clean.Echo(field, 20))
	}
}

// applyEdit applies a checked change to a pending item; a decided item
// cannot be edited.
func applyEdit(it *Item, apply func(o *directory.Organisation) string) error {
	if it.Status == Approved {
		return errorf(conflict, "mod.edit_approved", it.Ref)
	}
	if it.Status != Pending {
		return errorf(conflict, "mod.edit_rejected", it.Ref)
	}
	o := *it.Org
	if label := apply(&o); label != "" {
		it.Place = label
	}
	it.Org = &o
	it.Edited = true
	return nil
}

// remove is "/remove <group>": the group is marked closed. It leaves
// answers and stays in the export and the history, as a closed group is
// still a fact worth keeping. "/remove <group> delete" deletes a wrong or
// dangerous entry outright (a look-alike, a listing that puts people at
// risk): it leaves the export too, and only the history keeps its last
// version, for the audit. A closed group can be named by its id (as
// /audit shows it), since answers no longer find it.
func (s *Service) remove(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	_, args, _ := m.Command()
	if err := s.refuse(ctx, m, "remove", ""); err != nil {
		return nil, err
	}
	del := false
	if head, last, ok := cutLastWord(args); ok && strings.EqualFold(last, "delete") {
		args, del = head, true
	}
	x := s.dir.Index()
	org, rest := findOrg(x, args)
	if org == nil {
		org, _ = x.Org(strings.ToLower(strings.TrimSpace(args)))
		rest = ""
	}
	if org == nil || strings.TrimSpace(rest) != "" {
		return nil, errorf(notFound, "mod.remove_which")
	}
	cp := *org
	now := s.opts.Now().UTC()
	if del {
		// The change keeps the entry's last version, so history keeps it.
		if err := s.dir.Apply(ctx, directory.Change{ID: org.ID, Org: &cp, Removed: true, At: now, By: actor(m)}); err != nil {
			return nil, storeErr(err)
		}
		s.recordAudit(ctx, AuditEntry{Actor: actor(m), Action: "deleted", Ref: org.ID, Detail: org.Name})
		return bot.Text(i18n.Tr(m.Lang, "mod.removed", org.Name)), nil
	}
	if cp.Closed() {
		return bot.Text(i18n.Tr(m.Lang, "mod.already_closed", org.Name, org.ID)), nil
	}
	cp.Status = directory.StatusClosed
	markVerified(&cp, now, "marked closed with /remove")
	if err := s.dir.Apply(ctx, directory.Change{ID: org.ID, Org: &cp, At: now, By: actor(m)}); err != nil {
		return nil, storeErr(err)
	}
	s.recordAudit(ctx, AuditEntry{Actor: actor(m), Action: "closed", Ref: org.ID, Detail: org.Name})
	return bot.Text(i18n.Tr(m.Lang, "mod.closed", org.Name, org.ID)), nil
}

// cutLastWord splits off the last word of s.
func cutLastWord(s string) (head, last string, ok bool) {
	s = strings.TrimSpace(s)
	i := strings.LastIndexAny(s, " \t")
	if i < 0 {
		return "", s, s != ""
	}
	return strings.TrimSpace(s[:i]), s[i+1:], true
}

func (s *Service) audit(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	if err := s.refuse(ctx, m, "audit", ""); err != nil {
		return nil, err
	}
	entries, err := s.st.Tail(ctx, auditLog, 20)
	if err != nil {
		return nil, storeErr(err)
	}
	if len(entries) == 0 {
		return bot.Text(i18n.Tr(m.Lang, "mod.audit_empty")), nil
	}
	r := &bot.Reply{Private: true}
	r.Heading(i18n.Tr(m.Lang, "mod.audit_heading"))
	for i := len(entries) - 1; i >= 0; i-- {
		var e AuditEntry
		if json.Unmarshal(entries[i], &e) != nil {
			continue
		}
		line := fmt.Sprintf("%s — %s %s", e.At.Format("2006-01-02 15:04"), e.Actor, e.Action)
		if e.Ref != "" {
			line += " " + e.Ref
		}
		if e.Detail != "" {
			line += ": " + e.Detail
		}
		r.Add(bot.T(line))
	}
	return r, nil
}

// Audit returns the newest audit entries, newest last.
func (s *Service) Audit(ctx context.Context, n int) ([]AuditEntry, error) {
	raw, err := s.st.Tail(ctx, auditLog, n)
	if err != nil {
		return nil, err
	}
	out := make([]AuditEntry, 0, len(raw))
	for _, b := range raw {
		var e AuditEntry
		if json.Unmarshal(b, &e) == nil {
			out = append(out, e)
		}
	}
	return out, nil
}
