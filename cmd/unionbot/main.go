// Command unionbot runs the bot: on Discord and Telegram when their tokens
// are set, otherwise in the terminal.
//
//	unionbot                    run (console when no platform token is set)
//	unionbot ask "/find Canada" answer one command and exit
//	unionbot console            one command per line from standard input
//	unionbot export             write the current directory as seed YAML
//	unionbot import [file]      read such YAML back into the store (a backup's restore)
//	unionbot check              check the configuration, the store and the platforms
//	unionbot links [-json] [-check]  report what the link checker found (links.go)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/redis/go-redis/v9"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/config"
)

func main() {
	// go-redis prints every failed dial to stderr by itself, unstructured;
	// the app reports store trouble in its own log. Keep go-redis's lines
	// for debugging only: the level is the configuration's (flag, then
	// variable, then default), known once run has read it. The logger is
	// go-redis's process-wide one, so only main installs it.
	rl := &redisLog{}
	redis.SetLogger(rl)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runWith(ctx, os.Args[1:], os.Getenv, os.Environ(), os.Stdin, os.Stdout, os.Stderr, func(cfg config.Config) {
		rl.on.Store(cfg.LogLevel == "debug")
	})
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit code, so tests can
// call it. 0 is success, 1 a failure at run time, 2 a usage or configuration
// error (every one names its variable). environ is the environment as
// os.Environ gives it, to warn of UNIONBOT_* variables the bot does not
// read.
func run(ctx context.Context, args []string, getenv func(string) string, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(ctx, args, getenv, environ, stdin, stdout, stderr, nil)
}

// runWith is run that also hands the configuration, once read from the
// flags and the environment, to configured (when not nil) before anything
// else uses it: main sets process-wide state from it.
func runWith(ctx context.Context, args []string, getenv func(string) string, environ []string, stdin io.Reader, stdout, stderr io.Writer, configured func(config.Config)) int {
	fs := flag.NewFlagSet("unionbot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	redisURL := fs.String("redis", "", "Redis URL (overrides UNIONBOT_REDIS_URL)")
	dataDir := fs.String("data", "", "embedded store directory (overrides UNIONBOT_DATA_DIR)")
	logLevel := fs.String("log-level", "", "debug, info, warn or error (overrides UNIONBOT_LOG_LEVEL)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: unionbot [flags] [ask \"/command\" | console | export | import [-delist-missing | -as-suggestions] [file] | check | links [-json] [-check]]\n\nflags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nConfiguration comes from UNIONBOT_* environment variables; see README.md.\n")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	env := func(name string) string {
		switch {
		case name == "UNIONBOT_REDIS_URL" && *redisURL != "":
			return *redisURL
		case name == "UNIONBOT_DATA_DIR" && *dataDir != "":
			return *dataDir
		case name == "UNIONBOT_LOG_LEVEL" && *logLevel != "":
			return *logLevel
		}
		return getenv(name)
	}
	cfg, err := config.LoadFor(env, i18n.Default().Languages())
	if configured != nil {
		configured(cfg)
	}
	unknown := config.Unknown(environ)
	if fs.Arg(0) == "check" && fs.NArg() == 1 {
		// check reports configuration problems along with the rest.
		return runCheck(ctx, cfg, err, unknown, stdout)
	}
	for _, w := range unknown {
		fmt.Fprintf(stderr, "unionbot: warning: %s\n", w)
	}
	if err != nil {
		fmt.Fprintf(stderr, "unionbot: configuration problem:\n%v\n", err)
		return 2
	}
	mode, rest := "run", fs.Args()
	if len(rest) > 0 {
		mode, rest = rest[0], rest[1:]
	}
	var imp importFlags
	var linksJSON, linksCheck bool
	switch mode {
	case "run", "console", "export", "check":
		if len(rest) > 0 {
			fmt.Fprintf(stderr, "unionbot: %s takes no arguments\n", mode)
			return 2
		}
	case "import":
		var err error
		if imp, stdin, err = importArgs(rest, stdin, stderr); err != nil {
			return 2
		}
		if c, ok := stdin.(io.Closer); ok && stdin != os.Stdin {
			defer c.Close()
		}
	case "links":
		var err error
		if linksJSON, linksCheck, err = linksArgs(rest, stderr); err != nil {
			return 2
		}
	case "ask":
		if len(rest) != 1 {
			fmt.Fprintln(stderr, `unionbot: ask takes one command in quotes, for example: unionbot ask "/find Canada"`)
			return 2
		}
	default:
		fs.Usage()
		return 2
	}
	app, err := NewApp(ctx, cfg, Streams{In: stdin, Out: stdout, Err: stderr, Interactive: mode == "run", ConsoleOnly: mode != "run"})
	if err != nil {
		fmt.Fprintf(stderr, "unionbot: %v\n", err)
		return 1
	}
	defer app.Close()
	switch mode {
	case "ask":
		err = app.Ask(ctx, rest[0])
	case "console":
		err = app.Console(ctx)
	case "export":
		err = app.Export(ctx, stdout)
	case "import":
		err = app.runImport(ctx, stdin, stdout, imp)
	case "links":
		err = app.Links(ctx, stdout, stderr, linksJSON, linksCheck)
	default:
		err = app.Run(ctx)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "unionbot: %v\n", err)
		return 1
	}
	return 0
}

// redisLog is go-redis's logger: standard error when on, else nothing.
type redisLog struct{ on atomic.Bool }

func (l *redisLog) Printf(_ context.Context, format string, v ...any) {
	if l.on.Load() {
		fmt.Fprintf(os.Stderr, "redis: "+format+"\n", v...)
	}
}
