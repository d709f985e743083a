package discord

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
)

// exchange is one interaction being answered. respond sends the first
// response (the callback over REST, or the HTTP answer); everything after
// it goes through the interaction's webhook.
type exchange struct {
	a         *Adapter
	i         *discordgo.Interaction
	respondFn func(ctx context.Context, resp any) error
	responded bool
	rl        *discordgo.RateLimiter // this interaction's buckets (ratelimit.go)
}

// autocompleteResponse is written by hand because discordgo's response data
// drops an empty choices list, and Discord wants the list.
type autocompleteResponse struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data struct {
		Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	} `json:"data"`
}

func (x *exchange) respond(ctx context.Context, resp any) error {
	x.responded = true
	err := x.respondFn(ctx, resp)
	if err != nil {
		x.a.log.Warn("discord: answering an interaction failed", "err", redact(err.Error(), x.a.token))
	}
	return err
}

// gatewayInteraction answers an interaction that came over the gateway.
func (a *Adapter) gatewayInteraction(base context.Context, h bot.Handler, i *discordgo.Interaction) {
	if i == nil || !a.begin() {
		return
	}
	defer a.end()
	a.newExchange(i, nil).serve(base, h)
}

// serve answers the interaction within the adapter's timeout. It is where
// the adapter's own goroutines begin (discordgo runs event handlers, and
// the HTTP endpoint its exchanges, without recover), so it is the one
// place a panic in the adapter is caught: logged, and answered with the
// core's apology in the person's language if nothing was sent yet.
func (x *exchange) serve(base context.Context, h bot.Handler) {
	ctx, cancel := context.WithTimeout(base, x.a.timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			x.a.log.Error("discord: answering an interaction panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !x.responded {
				x.respond(ctx, x.apologyResponse())
			}
		}
	}()
	x.handle(ctx, h)
}

// lang is the language of the person who sent the interaction, for the
// few things the adapter must say without the core: "" when Discord's
// locale matches none of the catalog's (then English).
func (x *exchange) lang() string {
	l, _ := i18n.Match(string(x.i.Locale))
	return l
}

// failed is the core's message for an error, in the person's language.
func (x *exchange) failed(err error) string { return bot.UserMessageIn(err, x.lang()) }

// errTimeout and errAdapter are the failures the adapter itself meets; the
// core words them (an apology) for the person.
var (
	errTimeout = errors.New("discord: the handler did not answer in time")
	errAdapter = errors.New("discord: the adapter failed")
)

// handle answers the interaction by its type.
func (x *exchange) handle(ctx context.Context, h bot.Handler) {
	// Each kind of interaction carries its own kind of data; discordgo's
	// accessors panic on the wrong one, and data it could not parse is nil,
	// so the type is checked and the data asserted with ok.
	switch x.i.Type {
	case discordgo.InteractionApplicationCommandAutocomplete:
		data, ok := x.i.Data.(discordgo.ApplicationCommandInteractionData)
		if !ok {
			x.respond(ctx, x.choices(nil))
			return
		}
		x.autocomplete(ctx, h, data)
	case discordgo.InteractionApplicationCommand:
		data, ok := x.i.Data.(discordgo.ApplicationCommandInteractionData)
		if !ok || data.Name == "" {
			x.unreadable(ctx)
			return
		}
		m := x.message()
		c, _ := x.a.declared(data.Name)
		m.Text = commandText(data, c.Options)
		x.reply(ctx, h, m, x.ephemeral(data.Name))
	case discordgo.InteractionMessageComponent:
		data, ok := x.i.Data.(discordgo.MessageComponentInteractionData)
		if !ok || data.CustomID == "" {
			x.unreadable(ctx)
			return
		}
		m := x.message()
		m.Text = data.CustomID
		m.Pressed = true
		if x.i.Message != nil {
			m.Offered = offered(x.i.Message.Components)
		}
		x.press(ctx, h, m)
	case discordgo.InteractionModalSubmit:
		data, ok := x.i.Data.(discordgo.ModalSubmitInteractionData)
		if !ok || data.CustomID == "" {
			x.unreadable(ctx)
			return
		}
		m := x.message()
		m.Text = data.CustomID
		m.Form = formValues(data.Components)
		name, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(data.CustomID), "/"), " ")
		x.reply(ctx, h, m, x.ephemeral(name))
	default:
		x.a.log.Debug("discord: interaction of an unknown type ignored", "type", int(x.i.Type))
	}
}

func (x *exchange) inGuild() bool { return x.i.GuildID != "" }

// ephemeral reports whether the answer to the command is shown only to the
// person who asked: in a server, for every command the core does not
// declare Public.
func (x *exchange) ephemeral(command string) bool {
	return x.inGuild() && !x.a.public[strings.ToLower(command)]
}

// message is the platform-neutral part of a message: who, where, language.
func (x *exchange) message() *bot.Message {
	i := x.i
	m := &bot.Message{
		Platform: Platform,
		Lang:     string(i.Locale),
		PageSize: x.a.pageSize,
		CanForm:  true,
		Chat:     bot.Chat{ID: i.ChannelID, Private: i.GuildID == "", Space: i.GuildID},
	}
	loc := i.Locale
	m.CommandName = func(c bot.Command) string { return shownName(c, loc) }
	u := i.User
	if i.Member != nil {
		if i.Member.User != nil {
			u = i.Member.User
		}
		m.User.Roles = append([]string(nil), i.Member.Roles...)
		m.User.Admin = i.GuildID != "" && i.Member.Permissions&(discordgo.PermissionManageGuild|discordgo.PermissionAdministrator) != 0
	}
	if u != nil {
		m.User.ID = u.ID
		m.User.Name = u.GlobalName
		if m.User.Name == "" {
			m.User.Name = u.Username
		}
	}
	return m
}

// commandText is "/name" and the options' values in their declared order
// (then any others, as sent), joined by spaces: "/reject S-12 spam".
// declared are the command's options as the core declares them.
func commandText(d discordgo.ApplicationCommandInteractionData, declared []bot.Option) string {
	parts := []string{"/" + strings.ToLower(d.Name)}
	opts := d.Options
	for len(opts) == 1 && opts[0] != nil &&
		(opts[0].Type == discordgo.ApplicationCommandOptionSubCommand || opts[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup) {
		parts = append(parts, opts[0].Name)
		opts = opts[0].Options
	}
	byName := map[string]*discordgo.ApplicationCommandInteractionDataOption{}
	for _, o := range opts {
		if o != nil {
			byName[o.Name] = o
		}
	}
	add := func(o *discordgo.ApplicationCommandInteractionDataOption) {
		if v := optionValue(o); v != "" {
			parts = append(parts, v)
		}
		delete(byName, o.Name)
	}
	for _, spec := range declared {
		if o := byName[spec.Name]; o != nil {
			add(o)
		}
	}
	for _, o := range opts {
		if o != nil && byName[o.Name] == o {
			add(o)
		}
	}
	return strings.Join(parts, " ")
}

// optionValue reads an option's value whatever its type. The typed
// accessors (IntValue and friends) panic when the type differs, as it does
// during autocomplete, where every value is the string typed so far.
func optionValue(o *discordgo.ApplicationCommandInteractionDataOption) string {
	switch v := o.Value.(type) {
	case string:
		return strings.Join(strings.Fields(v), " ")
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// offered lists the custom ids of the buttons on a message, as Discord
// reports the message a press came from, so the core can refuse a press
// of anything it did not offer there. It is never nil for a message, even
// one without buttons.
func offered(comps []discordgo.MessageComponent) []string {
	out := []string{}
	eachComponent(comps, func(c discordgo.MessageComponent) {
		switch v := c.(type) {
		case *discordgo.Button:
			if v != nil && v.CustomID != "" {
				out = append(out, v.CustomID)
			}
		case discordgo.Button:
			if v.CustomID != "" {
				out = append(out, v.CustomID)
			}
		}
	})
	return out
}

// formValues collects a modal's text inputs by custom id.
func formValues(comps []discordgo.MessageComponent) map[string]string {
	out := map[string]string{}
	eachComponent(comps, func(c discordgo.MessageComponent) {
		switch v := c.(type) {
		case *discordgo.TextInput:
			if v != nil && v.CustomID != "" {
				out[v.CustomID] = v.Value
			}
		case discordgo.TextInput:
			if v.CustomID != "" {
				out[v.CustomID] = v.Value
			}
		}
	})
	return out
}

// eachComponent calls fn on every component below the action rows of
// comps, in order. discordgo decodes a row as a pointer and a test may
// build one as a value, so both forms are walked.
func eachComponent(comps []discordgo.MessageComponent, fn func(discordgo.MessageComponent)) {
	for _, c := range comps {
		switch v := c.(type) {
		case *discordgo.ActionsRow:
			if v != nil {
				eachComponent(v.Components, fn)
			}
		case discordgo.ActionsRow:
			eachComponent(v.Components, fn)
		default:
			fn(c)
		}
	}
}

// async runs fn in a goroutine of its own, so that the adapter can answer
// Discord in time whatever fn takes; done runs afterwards with whether fn
// panicked. It is the adapter's other goroutine boundary, so it recovers.
func (x *exchange) async(fn func(), done func(panicked bool)) {
	x.a.spawn(func() {
		panicked := true
		defer func() {
			if p := recover(); p != nil {
				x.a.log.Error("discord: handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			}
			done(panicked)
		}()
		fn()
		panicked = false
	})
}

// call runs the handler and delivers its reply (nil for "say nothing") on
// the channel. The core's Handle turns errors and panics into replies in
// the person's language; a handler that still fails gets the core's
// message for its error.
func (x *exchange) call(ctx context.Context, h bot.Handler, m *bot.Message) <-chan *bot.Reply {
	ch := make(chan *bot.Reply, 1)
	var rep *bot.Reply
	var err error
	x.async(func() { rep, err = h.Handle(ctx, m) }, func(panicked bool) {
		if panicked {
			err = errAdapter
		}
		if err != nil {
			rep = x.failure(err, m.Pressed)
		}
		ch <- rep
	})
	return ch
}

// failure is the reply to a failed interaction: the core's message for
// err, for the asker alone.
func (x *exchange) failure(err error, pressed bool) *bot.Reply {
	msg := x.failed(err)
	r := bot.Text(msg)
	r.Private = true
	if pressed {
		r.Notice = msg
	}
	return r
}

// wait waits for the handler's reply after the interaction was deferred.
func (x *exchange) wait(ctx context.Context, ch <-chan *bot.Reply) (*bot.Reply, bool) {
	select {
	case rep := <-ch:
		return rep, true
	case <-ctx.Done():
		x.a.log.Warn("discord: handler did not answer in time")
		return nil, false
	}
}

func flags(ephemeral bool) discordgo.MessageFlags {
	if ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

func messageResponse(typ discordgo.InteractionResponseType, pg page, comps []discordgo.MessageComponent, ephemeral bool) *discordgo.InteractionResponse {
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	return &discordgo.InteractionResponse{Type: typ, Data: &discordgo.InteractionResponseData{
		Content:         pg.content,
		Embeds:          nonNil(pg.embeds),
		Components:      comps,
		AllowedMentions: noMentions(),
		Flags:           flags(ephemeral),
	}}
}

func (x *exchange) apologyResponse() any {
	if x.i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		return x.choices(nil)
	}
	return messageResponse(discordgo.InteractionResponseChannelMessageWithSource, page{content: escape(x.failed(errAdapter))}, nil, x.inGuild())
}

// unreadable answers an interaction whose data could not be read.
func (x *exchange) unreadable(ctx context.Context) {
	x.a.log.Warn("discord: interaction data unreadable", "type", int(x.i.Type))
	x.respond(ctx, x.apologyResponse())
}

// reply answers a slash command or a modal submission. The handler gets
// deferAfter to answer: then its reply is the response itself (a modal if
// it asks for a form); otherwise the response is deferred, ephemerally
// unless the command is public, and the reply edited in when it comes.
func (x *exchange) reply(ctx context.Context, h bot.Handler, m *bot.Message, ephemeral bool) {
	ch := x.call(ctx, h, m)
	timer := time.NewTimer(x.a.deferAfter)
	defer timer.Stop()
	select {
	case rep := <-ch:
		x.answer(ctx, rep, ephemeral)
		return
	case <-timer.C:
	}
	x.a.log.Debug("discord: handler is slow; deferring the response", "after", x.a.deferAfter)
	deferred := &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: flags(ephemeral), AllowedMentions: noMentions()},
	}
	if x.respond(ctx, deferred) != nil {
		x.wait(ctx, ch) // let the handler finish; its answer has nowhere to go
		return
	}
	rep, ok := x.wait(ctx, ch)
	if !ok {
		rep = x.failure(errTimeout, false)
	}
	out := render(rep)
	switch {
	case out.empty():
		x.deleteOriginal(ctx)
	case !ephemeral && x.inGuild() && rep.Private:
		// Deferred in public, but the answer is for the asker alone.
		x.deleteOriginal(ctx)
		x.followups(ctx, out.pages, out.buttons, true)
	default:
		x.editOriginal(ctx, out, ephemeral)
	}
}

// answer sends a reply that came in time as the interaction's response.
func (x *exchange) answer(ctx context.Context, rep *bot.Reply, ephemeral bool) {
	if rep != nil && rep.Form != nil && x.i.Type != discordgo.InteractionModalSubmit {
		if data, ok := modal(rep.Form); ok {
			x.respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: data})
			return
		}
	}
	out := render(rep)
	if out.empty() {
		// Discord wants a response; this one shows nothing once deleted.
		if x.respond(ctx, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
		}) == nil {
			x.deleteOriginal(ctx)
		}
		return
	}
	ephemeral = ephemeral || (x.inGuild() && rep.Private)
	first := out.buttons
	if len(out.pages) > 1 {
		first = nil
	}
	if x.respond(ctx, messageResponse(discordgo.InteractionResponseChannelMessageWithSource, out.pages[0], first, ephemeral)) != nil {
		return
	}
	if len(out.pages) > 1 {
		x.followups(ctx, out.pages[1:], out.buttons, ephemeral)
	}
}

// press answers a button press: a reply marked Edit replaces the message
// the button is on; any other reply, or a Notice, is a follow-up shown to
// the presser alone (in a server); a form opens as a modal.
func (x *exchange) press(ctx context.Context, h bot.Handler, m *bot.Message) {
	ch := x.call(ctx, h, m)
	timer := time.NewTimer(x.a.deferAfter)
	defer timer.Stop()
	select {
	case rep := <-ch:
		x.pressAnswer(ctx, rep)
		return
	case <-timer.C:
	}
	if x.respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}) != nil {
		x.wait(ctx, ch)
		return
	}
	rep, ok := x.wait(ctx, ch)
	if !ok {
		rep = x.failure(errTimeout, true)
	}
	if rep == nil {
		return
	}
	out := render(rep)
	if rep.Edit && !out.empty() {
		x.editOriginal(ctx, out, x.inGuild())
		x.notice(ctx, rep, out)
		return
	}
	x.followups(ctx, out.pages, out.buttons, x.inGuild())
}

func (x *exchange) pressAnswer(ctx context.Context, rep *bot.Reply) {
	if rep != nil && rep.Form != nil {
		if data, ok := modal(rep.Form); ok {
			x.respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: data})
			return
		}
	}
	out := render(rep)
	if rep != nil && rep.Edit && !out.empty() {
		first := out.buttons
		if len(out.pages) > 1 {
			first = nil
		}
		if x.respond(ctx, messageResponse(discordgo.InteractionResponseUpdateMessage, out.pages[0], first, false)) != nil {
			return
		}
		if len(out.pages) > 1 {
			x.followups(ctx, out.pages[1:], out.buttons, x.inGuild())
		}
		x.notice(ctx, rep, out)
		return
	}
	if x.respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}) != nil {
		return
	}
	x.followups(ctx, out.pages, out.buttons, x.inGuild())
}

// notice sends a reply's Notice after an edit, unless the edit says it.
func (x *exchange) notice(ctx context.Context, rep *bot.Reply, out output) {
	n := strings.TrimSpace(rep.Notice)
	if n == "" || (len(out.pages) > 0 && strings.Contains(out.pages[0].content, escape(n))) {
		return
	}
	x.followups(ctx, []page{{content: escape(n)}}, nil, x.inGuild())
}

// editOriginal puts the first page (and the buttons, when it is the only
// one) into the original response, and sends the rest as follow-ups,
// ephemeral or not: follow-ups do not inherit the original's flags.
func (x *exchange) editOriginal(ctx context.Context, out output, ephemeral bool) {
	first := out.buttons
	if len(out.pages) > 1 {
		first = nil
	}
	if first == nil {
		first = []discordgo.MessageComponent{}
	}
	content := out.pages[0].content
	embeds := nonNil(out.pages[0].embeds)
	err := x.request(ctx, "PATCH", discordgo.EndpointInteractionResponseActions(x.i.AppID, x.i.Token), &discordgo.WebhookEdit{
		Content:         &content,
		Embeds:          &embeds,
		Components:      &first,
		AllowedMentions: noMentions(),
	})
	if err != nil {
		x.a.log.Warn("discord: editing a response failed", "err", redact(err.Error(), x.a.token))
		return
	}
	if len(out.pages) > 1 {
		x.followups(ctx, out.pages[1:], out.buttons, ephemeral)
	}
}

func (x *exchange) deleteOriginal(ctx context.Context) {
	if err := x.request(ctx, "DELETE", discordgo.EndpointInteractionResponseActions(x.i.AppID, x.i.Token), nil); err != nil {
		x.a.log.Warn("discord: deleting a response failed", "err", redact(err.Error(), x.a.token))
	}
}

// followups sends pages as follow-up messages, the buttons with the last.
func (x *exchange) followups(ctx context.Context, pages []page, comps []discordgo.MessageComponent, ephemeral bool) {
	for n, p := range pages {
		params := &discordgo.WebhookParams{Content: p.content, Embeds: p.embeds, AllowedMentions: noMentions(), Flags: flags(ephemeral)}
		if n == len(pages)-1 {
			params.Components = comps
		}
		if err := x.request(ctx, "POST", discordgo.EndpointFollowupMessage(x.i.AppID, x.i.Token), params); err != nil {
			x.a.log.Warn("discord: sending a follow-up failed", "err", redact(err.Error(), x.a.token))
			return
		}
	}
}

// autocomplete answers with the Completer's choices for the focused option,
// or none when the handler cannot complete or takes too long.
func (x *exchange) autocomplete(ctx context.Context, h bot.Handler, d discordgo.ApplicationCommandInteractionData) {
	c, ok := h.(bot.Completer)
	focused := focusedOption(d.Options)
	if !ok || focused == nil {
		x.respond(ctx, x.choices(nil))
		return
	}
	typed, ok := focused.Value.(string) // what has been typed, whatever the option's type
	if !ok {
		typed = optionValue(focused)
	}
	ch := make(chan []bot.Choice, 1)
	var found []bot.Choice
	x.async(func() { found = c.Complete(ctx, strings.ToLower(d.Name), focused.Name, typed, string(x.i.Locale)) },
		func(bool) { ch <- found }) // a completer that panicked offers nothing
	timer := time.NewTimer(x.a.deferAfter)
	defer timer.Stop()
	var got []bot.Choice
	select {
	case got = <-ch:
	case <-timer.C:
		x.a.log.Warn("discord: autocomplete took too long", "command", d.Name)
	}
	x.respond(ctx, x.choices(got))
}

func focusedOption(opts []*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if o.Focused {
			return o
		}
		if f := focusedOption(o.Options); f != nil {
			return f
		}
	}
	return nil
}

// choices is an autocomplete response: at most 25 choices, names and values
// of 1 to 100 characters.
func (x *exchange) choices(cs []bot.Choice) *autocompleteResponse {
	r := &autocompleteResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult}
	r.Data.Choices = []*discordgo.ApplicationCommandOptionChoice{}
	for _, c := range cs {
		if len(r.Data.Choices) == maxChoices {
			break
		}
		name, value := clip(strings.TrimSpace(c.Name), maxChoiceLen), clipExact(c.Value, maxChoiceLen)
		if name == "" || value == "" {
			continue
		}
		r.Data.Choices = append(r.Data.Choices, &discordgo.ApplicationCommandOptionChoice{Name: name, Value: value})
	}
	return r
}

// clipExact shortens s to n characters without an ellipsis: a value is
// sent back as typed, so it must stay a prefix of the original.
func clipExact(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
