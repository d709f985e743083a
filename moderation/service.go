package moderation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/store"
)

// Store is what moderation keeps: items as documents, reference numbers and
// rate limits as counters, the audit log, the delivery queue, and guided
// conversations as expiring values.
type Store interface {
	store.Docs
	store.Counters
	store.Log
	store.Queue
	store.KV
}

// Directory is the live directory moderation reads and changes.
type Directory interface {
	Index() *directory.Index
	Apply(ctx context.Context, c directory.Change) error
}

// Store names.
const (
	itemsColl  = "items"
	queueTopic = "moderation"
	auditLog   = "audit"
)

// Options tune the service; zero values take the defaults in brackets.
type Options struct {
	ApprovalsRequired int           // approvals an entry needs [1]
	PerHour, PerDay   int           // suggestions and reports per person [3, 10]
	MaxPending        int           // items waiting at once [500]
	Retention         time.Duration // how long decided items are kept [30 days]
	// AuditRetention is how long audit log entries are kept; the daily
	// sweep deletes older ones (UNIONBOT_AUDIT_DAYS) [365 days].
	AuditRetention time.Duration
	// Consumer names this process among those delivering cards; it must
	// differ between live processes [host-pid].
	Consumer string
	// ClaimIdle is how long a card may stay unacknowledged before another
	// process delivers it again [1 minute].
	ClaimIdle time.Duration
	// Block is how long a delivery worker waits for new items per round
	// [5 seconds].
	Block time.Duration
	// DialogTTL is how long a guided /suggest waits for the next answer
	// [15 minutes].
	DialogTTL time.Duration
	// OutcomeTTL is how long an outcome that could not be sent privately
	// is held for its sender, to be shown when they next write to the bot
	// in private or ask with /status [30 days].
	OutcomeTTL time.Duration
	// RetryBase is the first pause before posting a card again after a
	// channel refused it, doubling up to RetryMax, for RetryAttempts tries
	// in a row [1 second, 5 minutes, 8].
	RetryBase, RetryMax time.Duration
	RetryAttempts       int
	// Lang is the language of the cards posted to moderators' channels, a
	// BCP 47 tag (UNIONBOT_LANG) [en]. Replies to a moderator's own
	// commands come in that moderator's language.
	Lang string
	// People keys every record about a person (NewApp passes the core's,
	// bot.Bot.People, derived from the deployment secret). Nil uses a
	// fixed public key that protects nothing: tests only.
	People *bot.People
	Now    func() time.Time
}

func (o *Options) defaults() {
	if o.ApprovalsRequired < 1 {
		o.ApprovalsRequired = 1
	}
	if o.PerHour < 1 {
		o.PerHour = 3
	}
	if o.PerDay < 1 {
		o.PerDay = 10
	}
	if o.MaxPending < 1 {
		o.MaxPending = 500
	}
	if o.Retention <= 0 {
		o.Retention = 30 * 24 * time.Hour
	}
	if o.AuditRetention <= 0 {
		o.AuditRetention = 365 * 24 * time.Hour
	}
	if o.Consumer == "" {
		o.Consumer = "unionbot"
	}
	if o.ClaimIdle <= 0 {
		o.ClaimIdle = time.Minute
	}
	if o.Block <= 0 {
		o.Block = 5 * time.Second
	}
	if o.DialogTTL <= 0 {
		o.DialogTTL = 15 * time.Minute
	}
	if o.RetryBase <= 0 {
		o.RetryBase = time.Second
	}
	if o.RetryMax < o.RetryBase {
		o.RetryMax = max(o.RetryBase, 5*time.Minute)
	}
	if o.RetryAttempts < 1 {
		o.RetryAttempts = 8
	}
	if o.OutcomeTTL <= 0 {
		o.OutcomeTTL = 30 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Lang, _ = i18n.Match(o.Lang)
}

// Channel is a moderators' channel: where cards are posted. Key names it in
// the store ("telegram:-100123") and must stay the same across restarts, so
// a card is never posted twice to one channel.
type Channel struct {
	Key    string
	To     bot.Address
	Sender bot.Sender
}

// Service runs moderation.
type Service struct {
	st   Store
	dir  Directory
	log  *slog.Logger
	opts Options

	mu       sync.RWMutex
	channels []Channel
	senders  map[string]bot.Sender // by platform, to tell suggesters
	noReview string                // why suggestions can reach no moderator

	hmu    sync.Mutex
	health map[string]*ChannelHealth // by channel key

	heldIdx heldIndex // who has an outcome waiting (heldindex.go)
}

// New returns a service. Channels and senders are added before Run.
func New(st Store, dir Directory, log *slog.Logger, opts Options) *Service {
	opts.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, dir: dir, log: log, opts: opts, senders: map[string]bot.Sender{}, health: map[string]*ChannelHealth{}}
}

// AddChannel adds a moderators' channel; its Sender also becomes the way to
// reach users on its platform unless one was set with AddSender.
func (s *Service) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels = append(s.channels, c)
	s.hmu.Lock()
	s.health[c.Key] = &ChannelHealth{Key: c.Key, OK: true}
	s.hmu.Unlock()
	if _, ok := s.senders[c.To.Platform]; !ok {
		s.senders[c.To.Platform] = c.Sender
	}
}

// AddSender sets how to reach users of a platform, to tell them outcomes.
func (s *Service) AddSender(platform string, snd bot.Sender) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.senders[platform] = snd
}

func (s *Service) channelList() []Channel {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]Channel(nil), s.channels...)
}

func (s *Service) sender(platform string) bot.Sender {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.senders[platform]
}

// Register adds the moderation commands to the router.
func (s *Service) Register(r *bot.Router) {
	ref := bot.Option{Name: "ref", Required: true, Key: "option.ref"}
	r.RegisterFunc(bot.Command{Name: "suggest", Args: "Name | City, Country | website | what they do", Description: "Suggest a peer-run group that is missing"}, s.suggest)
	r.RegisterFunc(bot.Command{Name: "report", Args: "<group> <what is wrong>", Description: "Tell us about a mistake in a listing",
		Options: []bot.Option{{Name: "organisation", Required: true, Complete: true, Key: "option.report.organisation"},
			{Name: "problem", Required: true, Key: "option.report.problem"}}}, s.report)
	r.RegisterFunc(bot.Command{Name: "status", Args: "<ref>", Description: "What became of your suggestion or report",
		Options: []bot.Option{ref}}, s.status)
	r.RegisterFunc(bot.Command{Name: "cancel", Description: "Stop a suggestion in progress", Hidden: true}, s.cancel)
	r.RegisterFunc(bot.Command{Name: "queue", Description: "List suggestions and reports waiting for a decision", Moderator: true}, s.queue)
	r.RegisterFunc(bot.Command{Name: "approve", Args: "<ref>", Description: "Approve a suggestion or report", Moderator: true,
		Options: []bot.Option{ref}}, s.approve)
	r.RegisterFunc(bot.Command{Name: "reject", Args: "<ref> <reason>", Description: "Reject a suggestion or report", Moderator: true,
		Options: []bot.Option{ref, {Name: "reason", Key: "option.reject.reason"}}}, s.reject)
	r.RegisterFunc(bot.Command{Name: "edit", Args: "<ref> <field> <value>", Description: "Correct a suggestion before approving it", Moderator: true,
		Options: []bot.Option{ref, {Name: "field", Required: true, Key: "option.edit.field"}, {Name: "value", Required: true, Key: "option.edit.value"}}}, s.edit)
	r.RegisterFunc(bot.Command{Name: "remove", Args: "<group> [delete]", Description: "Mark a group closed; add \"delete\" to delete a wrong entry", Moderator: true,
		Options: []bot.Option{{Name: "organisation", Required: true, Complete: true, Key: "option.remove.organisation"}}}, s.remove)
	r.RegisterFunc(bot.Command{Name: "audit", Description: "Recent moderation actions", Moderator: true}, s.audit)
	s.registerVerify(r) // verify.go
	r.Dialog(bot.HandlerFunc(s.dialog))
}

// userKey is a keyed one-way hash of a platform user (bot.People, under the
// deployment secret), for rate limits, held outcomes and to tell moderators
// apart, so that no platform id is kept for those purposes and no one
// without the secret can test an id against the store.
func (s *Service) userKey(m *bot.Message) string {
	return s.opts.People.Key("user", m.Platform, m.User.ID)
}

// legacyUserKey is the unkeyed hash that releases before keyed hashes
// used. Only held outcomes and approvals made before an upgrade are looked
// up under it (both end within OutcomeTTL and Retention); rate-limit
// windows and guided suggestions simply restart.
func legacyUserKey(m *bot.Message) string {
	h := sha256.Sum256([]byte("unionbot:" + m.Platform + ":" + m.User.ID))
	return hex.EncodeToString(h[:12])
}

func actor(m *bot.Message) string {
	name := Clean(m.User.Name)
	if name == "" {
		name = "someone"
	}
	return m.Platform + ":" + truncate(name, 40)
}

// storeErr turns a store failure into the answer users get for it.
func storeErr(err error) error {
	if err == nil {
		return nil
	}
	// Moderation's own errors, and the core's (which helpers moderation
	// calls may return), already say what users should read.
	var me *Error
	var be *bot.Error
	if errors.As(err, &me) || errors.As(err, &be) {
		return err
	}
	if errors.Is(err, store.ErrUnavailable) {
		return &Error{code: unavailable, key: "mod.unavailable", err: err}
	}
	return &Error{code: internal, err: err}
}

func (s *Service) recordAudit(ctx context.Context, e AuditEntry) {
	e.At = s.opts.Now().UTC()
	b, _ := json.Marshal(e)
	if err := s.st.Append(ctx, auditLog, b); err != nil {
		s.log.Error("audit log append failed", "action", e.Action, "err", err)
	}
}

// trimAudit deletes audit entries older than AuditRetention. Entries are
// appended in time order, so trimming stops at the first recent one.
func (s *Service) trimAudit(ctx context.Context) {
	cutoff := s.opts.Now().Add(-s.opts.AuditRetention)
	n, err := s.st.TrimOldest(ctx, auditLog, func(b []byte) bool {
		var e AuditEntry
		// An unreadable entry has no time and goes too.
		_ = json.Unmarshal(b, &e)
		return e.At.Before(cutoff)
	})
	if err != nil {
		s.log.Warn("could not trim the audit log", "err", err)
	} else if n > 0 {
		s.log.Info("trimmed the audit log", "entries", n)
	}
}

// limit counts a submission against the person's hourly and daily limits.
// It returns how many they have sent in the day's window, this one
// included, for moderators' cards.
func (s *Service) limit(ctx context.Context, m *bot.Message) (int, error) {
	k := s.userKey(m)
	h, err := s.st.Incr(ctx, "limit:hour:"+k, time.Hour)
	if err != nil {
		return 0, storeErr(err)
	}
	d, err := s.st.Incr(ctx, "limit:day:"+k, 24*time.Hour)
	if err != nil {
		return 0, storeErr(err)
	}
	if h > int64(s.opts.PerHour) {
		return int(d), errorf(limited, "mod.limit_hour", s.opts.PerHour)
	}
	if d > int64(s.opts.PerDay) {
		return int(d), errorf(limited, "mod.limit_day", s.opts.PerDay)
	}
	return int(d), nil
}

func (s *Service) items(ctx context.Context) ([]*Item, error) {
	docs, err := s.st.List(ctx, itemsColl)
	if err != nil {
		return nil, err
	}
	out := make([]*Item, 0, len(docs))
	for ref, b := range docs {
		var it Item
		if err := json.Unmarshal(b, &it); err != nil {
			s.log.Warn("skipping unreadable moderation item", "ref", ref, "err", err)
			continue
		}
		out = append(out, &it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SubmittedAt.Before(out[j].SubmittedAt) })
	return out, nil
}

func (s *Service) pending(ctx context.Context) ([]*Item, error) {
	all, err := s.items(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Item
	for _, it := range all {
		if it.Status == Pending {
			out = append(out, it)
		}
	}
	return out, nil
}

// Get returns an item by reference.
func (s *Service) Get(ctx context.Context, ref string) (*Item, error) {
	b, err := s.st.Get(ctx, itemsColl, ref)
	if err != nil {
		return nil, err
	}
	var it Item
	if err := json.Unmarshal(b, &it); err != nil {
		return nil, err
	}
	return &it, nil
}

// update changes an item atomically: fn sees the current item and may
// refuse with an error. fn may run more than once.
func (s *Service) update(ctx context.Context, ref string, fn func(*Item) error) (*Item, error) {
	var out Item
	_, err := s.st.Update(ctx, itemsColl, ref, func(old []byte) ([]byte, error) {
		if old == nil {
			return nil, errorf(notFound, "mod.no_item", ref)
		}
		var it Item
		if err := json.Unmarshal(old, &it); err != nil {
			return nil, err
		}
		if err := fn(&it); err != nil {
			return nil, err
		}
		out = it
		return json.Marshal(&it)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// enqueue stores a new item and queues it for every moderator channel.
func (s *Service) enqueue(ctx context.Context, it *Item) error {
	prefix := "S"
	if it.Kind == KindReport {
		prefix = "R"
	}
	if it.Ref == "" { // RaiseLink (links.go) brings its own
		n, err := s.st.Incr(ctx, "seq:"+prefix, 0)
		if err != nil {
			return storeErr(err)
		}
		it.Ref = prefix + "-" + strconv.FormatInt(n, 10)
	}
	it.Status = Pending
	it.SubmittedAt = s.opts.Now().UTC()
	b, err := json.Marshal(it)
	if err != nil {
		return err
	}
	if _, err := s.st.Update(ctx, itemsColl, it.Ref, func([]byte) ([]byte, error) { return b, nil }); err != nil {
		return storeErr(err)
	}
	// If publishing fails the item is still listed by /queue, and Run
	// re-publishes pending items that no channel has a card for.
	if _, err := s.st.Publish(ctx, queueTopic, []byte(it.Ref)); err != nil {
		s.log.Warn("could not queue a card; it will be retried", "ref", it.Ref, "err", err)
	}
	return nil
}

func parseRef(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	kind, num, ok := strings.Cut(s, "-")
	if !ok || (kind != "S" && kind != "R") {
		return "", false
	}
	if n, err := strconv.Atoi(num); err != nil || n < 1 {
		return "", false
	}
	return s, true
}

func mustModerate(m *bot.Message) error {
	if !m.Moderator {
		return errorf(notAllowed, "mod.not_moderator")
	}
	return nil
}

// ModeratorsPlace reports whether m comes from where moderators' commands
// may answer: a private chat, or one of the moderators' channels. Their
// answers name suggesters' proposals, reject reasons and moderators, which
// are not for a public group.
func (s *Service) ModeratorsPlace(m *bot.Message) bool {
	if m.Chat.Private {
		return true
	}
	for _, c := range s.channelList() {
		if c.To.Platform == m.Platform && c.To.ChatID == m.Chat.ID && m.Chat.ID != "" {
			return true
		}
	}
	return false
}

// refuse records a non-moderator's attempt and answers it, and points a
// moderator elsewhere when they ask in a chat others read.
func (s *Service) refuse(ctx context.Context, m *bot.Message, action, ref string) error {
	if err := mustModerate(m); err != nil {
		// Who tried is not kept: their name is of no use to moderators
		// and may identify someone who is not one of them.
		s.recordAudit(ctx, AuditEntry{Actor: m.Platform + ":someone", Action: "refused " + action, Ref: ref, Detail: "not a moderator"})
		s.log.Warn("moderation action refused: not a moderator", "platform", m.Platform, "action", action)
		return err
	}
	if !s.ModeratorsPlace(m) {
		return errorf(notAllowed, "mod.wrong_place")
	}
	return nil
}
