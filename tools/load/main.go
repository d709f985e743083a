// Command load measures the bot, not Telegram's pacing: it builds the real
// unionbot binary, runs it against the fake Telegram Bot API and the fake
// Discord the tests use (both on 127.0.0.1, in this process), and drives a
// closed-loop workload through them: N people each send M commands, a mix
// of /find, /network and inline queries, each waiting for its answer before
// sending the next; then a burst of Discord interactions delivered at once.
// Pacing is lifted (UNIONBOT_TELEGRAM_RATE and the per-chat and per-group
// rates set to 0).
//
// An open loop follows the closed one: updates arrive at a fixed rate
// (-rate a second for -duration) whether or not the earlier ones have been
// answered, and each one's time runs from when it was due, so a bot that
// falls behind shows it in its percentiles instead of slowing the sender.
//
// The same Telegram workloads are then answered by a minimal client in
// this process: a loop that long-polls the same kind of fake, decodes each
// update and sends back the bot's own answer to that command, recorded
// during the bot's closed loop (the same method, text, entities, buttons
// and inline results), so that the fake checks the same answers on both
// sides. The ratio between the two is what the bot costs over the least
// any bot could do on this machine.
//
// The bot's resident memory, heap and goroutines (from its /metrics) are
// printed when connected, after the Telegram load, after the first Discord
// burst and after the last one (-rounds bursts), so that growth with the
// number of interactions served shows.
//
//	go run ./tools/load                 # 50 people x 40 commands, 1,000 updates/s for 5 s, 10 x 500 interactions
//	go run ./tools/load -users 100 -commands 20 -rate 2000 -discord 500 -rounds 20 -timeout 3m
//
// It bounds itself: every wait has a deadline, the whole run stops after
// -timeout, and it sends nothing anywhere but 127.0.0.1.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot/discord/discordtest"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
	"github.com/unionbot/unionbot/internal/benchtest"
)

const token = "123456:LOAD-token"

// options are the run's bounds, from the flags.
type options struct {
	bin             string
	users, commands int
	rate            int
	duration        time.Duration
	burst, rounds   int
}

func main() {
	var o options
	flag.IntVar(&o.users, "users", 50, "closed loop: people sending commands at the same time (1-1000)")
	// 2,000 commands: at 8 each (400) the loop lasted a fifth of a second,
	// and one scheduling hiccup of the shared machine swayed its rate 2x.
	flag.IntVar(&o.commands, "commands", 40, "closed loop: commands each person sends, one after the other (1-1000)")
	flag.IntVar(&o.rate, "rate", 1000, "open loop: updates a second (0 for none, at most 5000)")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "open loop: how long updates arrive at -rate (at most 1m)")
	flag.IntVar(&o.burst, "discord", 500, "Discord interactions delivered at once (0-2000)")
	flag.IntVar(&o.rounds, "rounds", 10, "Discord bursts, one after the other (1-100)")
	timeout := flag.Duration("timeout", 3*time.Minute, "stop the whole run after this long")
	flag.StringVar(&o.bin, "bin", "", "the unionbot binary to run (default: go build ./cmd/unionbot into a temporary directory)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of this process (the fakes, the driver, the minimal client) to this file")
	flag.Parse()
	if o.users < 1 || o.users > 1000 || o.commands < 1 || o.commands > 1000 || o.rate < 0 || o.rate > 5000 ||
		(o.rate > 0 && (o.duration <= 0 || o.duration > time.Minute)) ||
		o.burst < 0 || o.burst > 2000 || o.rounds < 1 || o.rounds > 100 || *timeout <= 0 || *timeout > 30*time.Minute {
		fmt.Fprintln(os.Stderr, "load: -users and -commands must be 1-1000, -rate 0-5000, -duration at most 1m, -discord 0-2000, -rounds 1-100, -timeout at most 30m")
		os.Exit(2)
	}
	tb := &shim{}
	code := 0
	func() {
		defer tb.cleanup()
		if *cpuprofile != "" {
			f, err := os.Create(*cpuprofile)
			if err != nil {
				tb.Fatalf("%v", err)
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				tb.Fatalf("%v", err)
			}
			defer pprof.StopCPUProfile()
		}
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(fatal); !ok {
					panic(r)
				}
				code = 1
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), *timeout)
		defer cancel()
		run(ctx, tb, o)
	}()
	os.Exit(code)
}

func run(ctx context.Context, tb *shim, o options) {
	dir, err := os.MkdirTemp("", "unionbot-load-")
	if err != nil {
		tb.Fatalf("%v", err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	bin := o.bin
	if bin == "" {
		bin = benchtest.BuildBinary(tb, "./cmd/unionbot")
	}
	fmt.Printf("load: closed loop %d people x %d commands; open loop %d updates/s for %v; %d x %d Discord interactions at once; pacing off\n\n",
		o.users, o.commands, o.rate, o.duration, o.rounds, o.burst)

	// ---- the bot ----
	tg := telegramtest.New(tb, token)
	obs := newObserver(tg)
	dc := discordtest.New(tb)
	metricsAddr := freeAddr(tb)
	stderr := &logBuffer{}
	cmd := exec.Command(bin)
	cmd.Env = append(minimalEnv(),
		"HOME="+dir,
		"UNIONBOT_DATA_DIR="+filepath.Join(dir, "data"),
		"UNIONBOT_LOG_LEVEL=warn",
		// One line per collection on stderr, with the heap still live
		// after it: the one figure of the heap that garbage does not blur.
		"GODEBUG=gctrace=1",
		"UNIONBOT_HTTP_ADDR="+metricsAddr,
		"UNIONBOT_TELEGRAM_TOKEN="+token,
		"UNIONBOT_TELEGRAM_API_ENDPOINT="+tg.Endpoint(),
		"UNIONBOT_TELEGRAM_RATE=0", "UNIONBOT_TELEGRAM_CHAT_RATE=0", "UNIONBOT_TELEGRAM_GROUP_RATE=0",
		"UNIONBOT_DISCORD_TOKEN=load-discord-token",
		"UNIONBOT_DISCORD_API_BASE="+dc.APIBase(),
		"UNIONBOT_DISCORD_GUILD="+discordtest.GuildID,
	)
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	tb.Cleanup(stop)
	waitUntil(ctx, tb, "the bot to long-poll the fake Telegram", func() bool { return tg.Polling() > 0 }, stderr)
	if _, ok := dc.Await(discordtest.Identify(), 20*time.Second); !ok {
		tb.Fatalf("the bot did not connect to the fake Discord gateway\n%s", stderr.String())
	}
	bot := process{pid: cmd.Process.Pid, metrics: "http://" + metricsAddr + "/metrics", log: stderr}
	mem := []memAt{bot.mem("connected, idle")}

	answers := &replies{form: map[string]string{}}
	botClosed := bot.measure(func() stats { return closedLoop(ctx, tb, tg, obs, answers, o.users, o.commands) })
	var botOpen stats
	if o.rate > 0 {
		botOpen = bot.measure(func() stats { return openLoop(ctx, tb, tg, obs, o.rate, o.duration) })
	}
	mem = append(mem, bot.mem("after the Telegram load"))
	var dcFirst, dcLast stats
	for r := range o.rounds {
		if o.burst == 0 {
			break
		}
		took := bot.measure(func() stats { return stats{took: discordBurst(ctx, tb, dc, o.burst)} })
		switch r {
		case 0:
			dcFirst = took
			mem = append(mem, bot.mem(fmt.Sprintf("after %d interactions", o.burst)))
		case o.rounds - 1:
			dcLast = took
			mem = append(mem, bot.mem(fmt.Sprintf("after %d interactions", o.burst*o.rounds)))
		}
	}
	// Idle again: the workers that answered the load have ended (they wait
	// for more work for two seconds), so what remains is what the load
	// left behind. The heap is not collected on purpose: this is what a
	// host sees.
	time.Sleep(3 * time.Second)
	mem = append(mem, bot.mem("idle again, 3 s later"))
	stop()

	// ---- the minimal client, on a fresh fake of the same kind ----
	tg2 := telegramtest.New(tb, token)
	obs2 := newObserver(tg2)
	mctx, mcancel := context.WithCancel(ctx)
	done := make(chan struct{})
	mc := &minimal{answers: answers}
	go func() { defer close(done); mc.run(mctx, tg2.URL()) }()
	waitUntil(ctx, tb, "the minimal client to long-poll", func() bool { return tg2.Polling() > 0 }, nil)
	self := process{}
	minClosed := self.measure(func() stats { return closedLoop(ctx, tb, tg2, obs2, nil, o.users, o.commands) })
	var minOpen stats
	if o.rate > 0 {
		minOpen = self.measure(func() stats { return openLoop(ctx, tb, tg2, obs2, o.rate, o.duration) })
	}
	mcancel()
	<-done

	fmt.Println("Telegram, closed loop (from the update queued to its answer received by the fake):")
	header()
	botClosed.print("unionbot")
	minClosed.print("minimal client")
	compare(botClosed, minClosed)
	if o.rate > 0 {
		fmt.Printf("\nTelegram, open loop, %d updates/s for %v (from the moment each update was due):\n", o.rate, o.duration)
		header()
		botOpen.print("unionbot")
		minOpen.print("minimal client")
		compare(botOpen, minOpen)
	}
	fmt.Println("  (cpu/answer: the bot's process per answer, for unionbot; for the minimal client, which runs in this")
	fmt.Println("   process, the same as tool cpu: this process's — the fake, the driver and the client)")
	fmt.Printf("  (the minimal client sent the bot's recorded answers to %d kinds of command of %d", answers.kinds(), len(workload))
	if n := mc.fixed.Load(); n > 0 {
		fmt.Printf("; %d answers to commands the bot's closed loop did not send were a fixed short reply", n)
	}
	fmt.Println(")")
	if o.burst > 0 {
		fmt.Printf("\nDiscord, %d interactions delivered at once (dispatch to acknowledgement):\n", o.burst)
		printBurst("first burst", dcFirst)
		if o.rounds > 1 {
			printBurst(fmt.Sprintf("burst %d", o.rounds), dcLast)
		}
	}
	fmt.Println("\nunionbot memory (VmRSS; heap in use and goroutines from its /metrics; live heap from its gctrace):")
	for _, m := range mem {
		fmt.Printf("  %-28s RSS %6.1f MB  heap in use %6.1f MB  live after the last GC %6.1f MB  goroutines %d\n", m.when, m.rssMB, m.heapMB, m.liveMB, m.goroutines)
	}
}

func header() {
	fmt.Printf("  %-16s %10s %9s %9s %9s %9s %7s %11s %11s\n", "", "answers/s", "p50", "p95", "p99", "max", "count", "cpu/answer", "tool cpu")
}

// compare prints the ratios. Besides the measured throughput it prints
// the CPU one: the minimal client's CPU per answer (all in this process)
// over the bot's plus this process's per bot answer. It is the throughput
// ratio the two would reach if both were bound by CPU alone on the same
// cores, and it moves less than the measured one when other work shares
// the machine.
func compare(bot, min stats) {
	fmt.Printf("  unionbot / minimal: throughput %.2f, p50 %.1fx, p99 %.1fx; CPU per answer %.2f\n",
		bot.rate()/min.rate(), ratio(bot.q(0.50), min.q(0.50)), ratio(bot.q(0.99), min.q(0.99)),
		ratio(min.perAnswer(min.tool), bot.perAnswer(bot.cpu)+bot.perAnswer(bot.tool)))
}

func printBurst(name string, d stats) {
	late := 0
	for _, t := range d.took {
		if t > 3*time.Second {
			late++
		}
	}
	// The tool's CPU, the fake's and the driver's, shares the bot's cores:
	// printed so a reader can tell which of the two a slow burst waited on.
	fmt.Printf("  %-12s p50 %v  p95 %v  p99 %v  max %v  later than Discord's 3 s: %d  cpu/interaction: bot %v, tool %v\n",
		name, d.q(0.50), d.q(0.95), d.q(0.99), d.q(1), late, d.perAnswer(d.cpu), d.perAnswer(d.tool))
}

// ---- Telegram workload ----

// workload is what each person sends in turn; "@" marks an inline query.
var workload = []string{"/find Canada", "@vancouver", "/network", "/find drug users union", "@Kenya", "/find Deutschland"}

type stats struct {
	took []time.Duration
	wall time.Duration
	cpu  time.Duration // CPU time of the process measured (see process.measure)
	tool time.Duration // CPU time of this process meanwhile
	// served is how many answers the CPU times cover: the timed ones and
	// the warm-up's, which are not timed but cost the same.
	served int
}

func (s stats) rate() float64 { return float64(len(s.took)) / s.wall.Seconds() }

func (s stats) q(p float64) time.Duration {
	if len(s.took) == 0 {
		return 0
	}
	t := slices.Clone(s.took)
	slices.Sort(t)
	return t[int(p*float64(len(t)-1))].Round(10 * time.Microsecond)
}

// perAnswer is d (a CPU time the stats cover) per answer served.
func (s stats) perAnswer(d time.Duration) time.Duration {
	n := max(s.served, len(s.took))
	if n == 0 {
		return 0
	}
	return (d / time.Duration(n)).Round(time.Microsecond)
}

func (s stats) print(name string) {
	fmt.Printf("  %-16s %10.0f %9v %9v %9v %9v %7d %11v %11v\n", name, s.rate(), s.q(0.50), s.q(0.95), s.q(0.99), s.q(1), len(s.took), s.perAnswer(s.cpu), s.perAnswer(s.tool))
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// closedLoop runs the closed loop: each person sends a command, waits for
// its answer, then sends the next. A first command per person, not
// measured, warms the path.
//
// With rec not nil, the first answer to each command of the workload is
// kept in it, for the minimal client.
func closedLoop(ctx context.Context, tb *shim, tg *telegramtest.Server, obs *observer, rec *replies, users, commands int) stats {
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	errs := make(chan error, users)
	before := obs.sends()
	start := time.Now()
	for u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who := telegramtest.User{ID: int64(700000 + u), FirstName: "P" + strconv.Itoa(u), LanguageCode: "en"}
			mine := make([]time.Duration, 0, commands)
			for k := -1; k < commands; k++ {
				w := workload[(u+max(k, 0))%len(workload)]
				var key string
				var up telegramtest.Update
				if q, ok := strings.CutPrefix(w, "@"); ok {
					up = telegramtest.InlineUpdate(who, q)
					up.InlineQuery.ID = fmt.Sprintf("load-%d-%d", u, k+1)
					key = "iq:" + up.InlineQuery.ID
				} else {
					up = telegramtest.TextUpdate(who, telegramtest.PrivateChat(who), w)
					key = "chat:" + strconv.FormatInt(who.ID, 10)
				}
				ch := obs.expect(key)
				t0 := time.Now()
				tg.PushUpdate(up)
				select {
				case p := <-ch:
					if rec != nil {
						rec.keep(w, p)
					}
				case <-ctx.Done():
					errs <- fmt.Errorf("person %d, command %q: no answer before the time limit", u, w)
					return
				case <-time.After(30 * time.Second):
					errs <- fmt.Errorf("person %d, command %q: no answer within 30 s", u, w)
					return
				}
				if k >= 0 {
					mine = append(mine, time.Since(t0))
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	// One answer per command, or the closed loop would have moved on early.
	texts := 0
	for u := range users {
		for k := -1; k < commands; k++ {
			if !strings.HasPrefix(workload[(u+max(k, 0))%len(workload)], "@") {
				texts++
			}
		}
	}
	if got := obs.sends() - before; got != texts {
		tb.Fatalf("%d sendMessage calls for %d commands: the answers are not one message each, so the loop timing is wrong", got, texts)
	}
	close(errs)
	if err := <-errs; err != nil {
		tb.Fatalf("%v", err)
	}
	return stats{took: all, wall: wall, served: users * (commands + 1)}
}

// openLoop sends rate updates a second for d, each when it is due whatever
// the answers to the earlier ones, and times each from when it was due (so
// that a late sender or a slow answer both count). The updates come from
// a pool of one second's worth of people, each sending in turn, a mix of
// the workload; the pool's first round, one command each, warms the path
// and is not measured.
func openLoop(ctx context.Context, tb *shim, tg *telegramtest.Server, obs *observer, rate int, d time.Duration) stats {
	pool := rate
	n := int(float64(rate) * d.Seconds())
	total := pool + n
	took := make([]time.Duration, total)
	failed := make(chan error, total)
	var wg sync.WaitGroup
	texts := 0
	before := obs.sends()
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	var measured time.Time
	for k := range total {
		due := start.Add(time.Duration(k) * interval)
		if k == pool {
			measured = due
		}
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		if ctx.Err() != nil {
			tb.Fatalf("open loop: time limit reached at update %d", k)
		}
		u := k % pool
		who := telegramtest.User{ID: int64(800000 + u), FirstName: "Q" + strconv.Itoa(u), LanguageCode: "en"}
		w := workload[(u+k/pool)%len(workload)]
		var key string
		var up telegramtest.Update
		if q, ok := strings.CutPrefix(w, "@"); ok {
			up = telegramtest.InlineUpdate(who, q)
			up.InlineQuery.ID = "open-" + strconv.Itoa(k)
			key = "iq:" + up.InlineQuery.ID
		} else {
			up = telegramtest.TextUpdate(who, telegramtest.PrivateChat(who), w)
			key = "chat:" + strconv.FormatInt(who.ID, 10)
			texts++
		}
		ch := obs.expect(key)
		tg.PushUpdate(up)
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTimer(30 * time.Second)
			defer t.Stop()
			select {
			case <-ch:
				took[k] = time.Since(due)
			case <-t.C:
				failed <- fmt.Errorf("open loop: update %d (%q) not answered within 30 s", k, w)
			case <-ctx.Done():
				failed <- fmt.Errorf("open loop: update %d (%q) not answered before the time limit", k, w)
			}
		}()
	}
	wg.Wait()
	close(failed)
	if err := <-failed; err != nil {
		tb.Fatalf("%v", err)
	}
	if got := obs.sends() - before; got != texts {
		tb.Fatalf("open loop: %d sendMessage calls for %d commands", got, texts)
	}
	// The measured updates' answers span from the first one's due time to
	// the last answer.
	var end time.Time
	for k := pool; k < total; k++ {
		end = later(end, start.Add(time.Duration(k)*interval).Add(took[k]))
	}
	return stats{took: took[pool:], wall: end.Sub(measured), served: total}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// ---- the processes measured ----

// process is the bot's process (pid and its /metrics) or, with pid 0,
// this one.
type process struct {
	pid     int
	metrics string
	log     *logBuffer // its stderr, with GODEBUG=gctrace=1
}

// measure runs f and adds the process's CPU time during it to f's stats,
// and this process's (the fakes and the driver) as tool.
func (p process) measure(f func() stats) stats {
	c0, t0 := p.cpu(), benchtest.CPUNow()
	s := f()
	s.cpu, s.tool = p.cpu()-c0, benchtest.CPUNow()-t0
	return s
}

// cpu is the process's user and system CPU time so far.
func (p process) cpu() time.Duration {
	if p.pid == 0 {
		return benchtest.CPUNow()
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name (which is in parentheses and may hold
	// spaces): state is the 3rd field, utime the 14th, stime the 15th, in
	// clock ticks (100 a second on Linux).
	_, rest, _ := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

type memAt struct {
	when          string
	rssMB, heapMB float64
	liveMB        float64 // live heap after the last collection (0: none yet)
	goroutines    int
}

// mem reads the process's VmRSS and, from its /metrics, the heap in use
// and the number of goroutines.
func (p process) mem(when string) memAt {
	m := memAt{when: when, rssMB: float64(rssKB(p.pid)) / 1024}
	if p.log != nil {
		m.liveMB = p.log.lastLiveHeapMB()
	}
	resp, err := http.Get(p.metrics)
	if err != nil {
		return m
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		name, v, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		x, _ := strconv.ParseFloat(v, 64)
		switch name {
		case "go_memstats_heap_inuse_bytes":
			m.heapMB = x / (1 << 20)
		case "go_goroutines":
			m.goroutines = int(x)
		}
	}
	return m
}

// freeAddr is a free port on 127.0.0.1 for the bot's /metrics.
func freeAddr(tb *shim) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("%v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// ---- Discord burst ----

func discordBurst(ctx context.Context, tb *shim, dc *discordtest.Server, n int) []time.Duration {
	places := []string{"Vancouver", "Canada", "Allemagne", "Kenya"}
	sent := make([]time.Time, n)
	ids := make([]string, n)
	// The interactions are made and encoded before the first is sent, as
	// Discord makes them on its own machines: encoding each as it is sent
	// took the fake, on the bot's cores, a tenth of the burst's CPU.
	payloads := make([][]byte, n)
	for k := range n {
		in := discordtest.Command("find", discordtest.String("place", places[k%len(places)]))
		ids[k], _ = dc.Prepare(in)
		b, err := json.Marshal(in.Payload())
		if err != nil {
			tb.Fatalf("Discord burst: %v", err)
		}
		payloads[k] = b
	}
	for k := range n {
		sent[k] = time.Now()
		dc.DispatchJSON(tb, "INTERACTION_CREATE", payloads[k])
	}
	// One pass over the fake's calls for the whole burst: waiting for each
	// callback in turn would scan every call recorded so far once per
	// interaction, and that work, on the same cores, would slow the bot.
	pending := make(map[string]int, n)
	for k, id := range ids {
		pending[id] = k
	}
	took := make([]time.Duration, n)
	_, ok := dc.Await(func(c discordtest.Call) bool {
		if c.Method != http.MethodPost || !strings.HasSuffix(c.Path, "/callback") {
			return false
		}
		// …/interactions/<id>/<token>/callback
		parts := strings.Split(c.Path, "/")
		if len(parts) < 4 || parts[len(parts)-4] != "interactions" {
			return false
		}
		k, mine := pending[parts[len(parts)-3]]
		if !mine {
			return false
		}
		delete(pending, parts[len(parts)-3])
		took[k] = c.At.Sub(sent[k])
		return len(pending) == 0
	}, 30*time.Second)
	if !ok || ctx.Err() != nil {
		tb.Fatalf("Discord burst: %d of %d interactions not acknowledged within 30 s", len(pending), n)
	}
	return took
}

// ---- the minimal client ----

// replies are the bot's answers, one per command of the workload, as it
// sent them, kept from its closed loop for the minimal client to send
// back: each the form it posted, less the chat or the query it answered.
type replies struct {
	mu   sync.Mutex
	form map[string]string // by the workload's command ("@query" for an inline query)
}

func (r *replies) keep(command string, p url.Values) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.form[command]; ok || p == nil {
		return
	}
	q := maps.Clone(p)
	delete(q, "chat_id")
	delete(q, "inline_query_id")
	r.form[command] = q.Encode()
}

func (r *replies) get(command string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f, ok := r.form[command]
	return f, ok
}

func (r *replies) kinds() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.form)
}

// minimal is the least a bot can do: long-poll getUpdates, decode each
// update, and send the answer the bot sent to the same command (its form
// as recorded, with this chat or query spliced in), each update on its own
// goroutine as the bot's workers would. A command the bot's closed loop
// never answered (a run too short to go through the workload) gets a
// fixed short reply instead, counted in fixed.
type minimal struct {
	answers *replies
	fixed   atomic.Int64
}

func (m *minimal) run(ctx context.Context, base string) {
	api := base + "/bot" + token + "/"
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	post := func(method, form string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, api+method, strings.NewReader(form))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	}
	answer := func(command, key, id, fixed string) string {
		if form, ok := m.answers.get(command); ok {
			return key + "=" + url.QueryEscape(id) + "&" + form
		}
		m.fixed.Add(1)
		return key + "=" + url.QueryEscape(id) + "&" + fixed
	}
	offset := 0
	for ctx.Err() == nil {
		body, err := post("getUpdates", "offset="+strconv.Itoa(offset)+"&timeout=5")
		if err != nil {
			continue
		}
		var r struct {
			Result []telegramtest.Update `json:"result"`
		}
		if json.Unmarshal(body, &r) != nil {
			continue
		}
		for _, u := range r.Result {
			offset = max(offset, u.UpdateID+1)
			go func() {
				switch {
				case u.Message != nil:
					_, _ = post("sendMessage", answer(u.Message.Text, "chat_id", strconv.FormatInt(u.Message.Chat.ID, 10), "text=ok"))
				case u.InlineQuery != nil:
					_, _ = post("answerInlineQuery", answer("@"+u.InlineQuery.Query, "inline_query_id", u.InlineQuery.ID, "results=%5B%5D"))
				}
			}()
		}
	}
}

// ---- seeing the answers ----

// observer watches a fake Telegram's calls (telegramtest's OnCall, on the
// goroutine that served each) and tells a waiting person when their answer
// (sendMessage to their chat, or the answer to their inline query) has
// been accepted by the fake, handing them its parameters. The fake keeps
// no calls: the observer counts what the loops check.
type observer struct {
	mu      sync.Mutex
	waiting map[string][]chan url.Values // first come, first told
	sent    int                          // sendMessage calls, answered or refused
}

func newObserver(tg *telegramtest.Server) *observer {
	o := &observer{waiting: map[string][]chan url.Values{}}
	tg.KeepCalls(false)
	tg.OnCall(o.seen)
	return o
}

func (o *observer) seen(c telegramtest.Call) {
	var key string
	switch c.Method {
	case "sendMessage":
		o.mu.Lock()
		o.sent++
		o.mu.Unlock()
		key = "chat:" + c.Get("chat_id")
	case "answerInlineQuery":
		key = "iq:" + c.Get("inline_query_id")
	default:
		return
	}
	if c.OK() {
		o.done(key, c.Params)
	}
}

// expect returns a channel told when key's next answer arrives. Several
// may wait on one key (a person whose earlier command, in the open loop,
// is still unanswered): the answers go to them in the order they asked.
func (o *observer) expect(key string) <-chan url.Values {
	ch := make(chan url.Values, 1)
	o.mu.Lock()
	o.waiting[key] = append(o.waiting[key], ch)
	o.mu.Unlock()
	return ch
}

func (o *observer) done(key string, p url.Values) {
	o.mu.Lock()
	var ch chan url.Values
	if q := o.waiting[key]; len(q) > 0 {
		ch = q[0]
		if len(q) == 1 {
			delete(o.waiting, key)
		} else {
			o.waiting[key] = q[1:]
		}
	}
	o.mu.Unlock()
	if ch != nil {
		ch <- p
	}
}

func (o *observer) sends() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.sent
}

// ---- plumbing ----

// minimalEnv passes on what go and the binary need from this environment,
// and no UNIONBOT_ setting: the run configures the bot itself.
func minimalEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "UNIONBOT_") && !strings.HasPrefix(kv, "HOME=") {
			out = append(out, kv)
		}
	}
	return out
}

func waitUntil(ctx context.Context, tb *shim, what string, cond func() bool, log *logBuffer) {
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			msg := ""
			if log != nil {
				msg = log.String()
			}
			tb.Fatalf("timed out waiting for %s\n%s", what, msg)
		}
		<-tick.C
	}
}

// logBuffer is the bot's stderr, written by exec's copying goroutine and
// read by this one: its log lines, kept for a failure's message, and the
// live heap of the last collection its gctrace lines reported.
type logBuffer struct {
	mu      sync.Mutex
	partial string   // a line not ended yet
	lines   []string // the lines that are not gctrace's
	liveMB  float64
}

// gcLine finds the heap sizes of a gctrace line: "… 4->4->1 MB, …" is the
// heap at the collection's start, at its end, and still live (marked).
var gcLine = regexp.MustCompile(`^gc \d+ .*?(\d+)->(\d+)->(\d+) MB`)

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	text := l.partial + string(p)
	for {
		line, rest, ended := strings.Cut(text, "\n")
		if !ended {
			l.partial = text
			return len(p), nil
		}
		text = rest
		if m := gcLine.FindStringSubmatch(line); m != nil {
			l.liveMB, _ = strconv.ParseFloat(m[3], 64)
		} else {
			l.lines = append(l.lines, line)
		}
	}
}

// String is the log so far, without the gctrace lines.
func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(append(l.lines, l.partial), "\n")
}

// lastLiveHeapMB is the live heap of the last collection logged so far
// (0 before the first).
func (l *logBuffer) lastLiveHeapMB() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.liveMB
}

// rssKB reads a process's resident memory (VmRSS, in kB) from /proc.
func rssKB(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb
		}
	}
	return 0
}

// shim lets the fakes, written for tests, run in a tool: they need only
// Helper, Cleanup and the failure methods of testing.TB. Any other method
// would panic on the nil embedded interface, which is the point: the fakes
// must not grow a dependency on a real test.
type shim struct {
	testing.TB
	mu       sync.Mutex
	cleanups []func()
}

type fatal struct{}

func (s *shim) Helper() {}
func (s *shim) Cleanup(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanups = append(s.cleanups, f)
}
func (s *shim) Logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
func (s *shim) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "load: "+format+"\n", args...)
}
func (s *shim) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "load: "+format+"\n", args...)
	panic(fatal{})
}
func (s *shim) Fatal(args ...any) { s.Fatalf("%s", fmt.Sprint(args...)) }

// Skipf fails: a tool has nothing to skip to.
func (s *shim) Skipf(format string, args ...any) { s.Fatalf(format, args...) }
func (s *shim) cleanup() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
}
