package discord

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// discordgo's RateLimiter keeps a bucket for every bucket key it has seen,
// forever, and its interaction calls (the callback, follow-ups, deleting
// the original) use the URL as the key; each interaction has a URL of its
// own, so the session's limiter would grow with every interaction served
// (discordgo issue #1333). Discord limits these calls per interaction
// token, so the adapter gives each exchange a limiter of its own: the
// token's buckets keep their exact meaning while the interaction is
// answered, and go with the exchange when it ends. Interaction calls are
// not bound by the global rate limit, which the session's limiter keeps
// for every other call.

// newExchange starts answering interaction i; respond sends the first
// response (nil for the gateway's: a callback over REST).
func (a *Adapter) newExchange(i *discordgo.Interaction, respond func(ctx context.Context, resp any) error) *exchange {
	x := &exchange{a: a, i: i, rl: discordgo.NewRatelimiter()}
	x.respondFn = respond
	if respond == nil {
		x.respondFn = func(ctx context.Context, resp any) error {
			return x.request(ctx, "POST", discordgo.EndpointInteractionResponse(i.ID, i.Token), resp)
		}
	}
	return x
}

// request makes a REST call on the interaction's token (data nil for
// none), rate-limited by the exchange's own limiter, with discordgo's
// retries on 429 and 502.
func (x *exchange) request(ctx context.Context, method, url string, data any) error {
	var body []byte
	if data != nil {
		b, err := discordgo.Marshal(data)
		if err != nil {
			return err
		}
		body = b
	}
	key, _, _ := strings.Cut(url, "?")
	_, err := x.a.s.RequestWithLockedBucket(method, url, "application/json", body, x.rl.LockBucket(key), 0, discordgo.WithContext(ctx))
	return err
}
