package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/moderation"
)

// importFlags are the flags of `unionbot import`.
type importFlags struct {
	// delist removes the entries the file leaves out.
	delist bool
	// asSuggestions queues the file's rows as suggestions (leads) for
	// moderators instead of writing them to the directory.
	asSuggestions bool
}

// importArgs parses `import [-delist-missing | -as-suggestions] [file]`;
// the file defaults to standard input.
func importArgs(args []string, stdin io.Reader, stderr io.Writer) (f importFlags, in io.Reader, err error) {
	fs := flag.NewFlagSet("unionbot import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&f.delist, "delist-missing", false, "delist the entries that the file leaves out")
	fs.BoolVar(&f.asSuggestions, "as-suggestions", false, "put each row in the moderation queue as a suggestion (a lead) instead of the directory: a TSV file with the research table's columns, or a file in the export format")
	if err := fs.Parse(args); err != nil {
		return f, nil, err
	}
	if f.delist && f.asSuggestions {
		fmt.Fprintln(stderr, "unionbot: import: -delist-missing and -as-suggestions cannot be used together")
		return f, nil, errors.New("usage")
	}
	switch fs.NArg() {
	case 0:
		return f, stdin, nil
	case 1:
		if fs.Arg(0) == "-" {
			return f, stdin, nil
		}
		file, err := os.Open(fs.Arg(0))
		if err != nil {
			fmt.Fprintf(stderr, "unionbot: import: %v\n", err)
			return f, nil, err
		}
		return f, file, nil
	default:
		fmt.Fprintln(stderr, "unionbot: import takes at most one file (or reads standard input)")
		return f, nil, errors.New("usage")
	}
}

// runImport is `unionbot import`: the directory (directory.Live.Import) or
// moderation (SubmitLeads) does the work; this only reports it.
func (a *App) runImport(ctx context.Context, in io.Reader, out io.Writer, f importFlags) error {
	if f.asSuggestions {
		return a.importLeads(ctx, in, out)
	}
	res, err := a.dir.Import(ctx, in, directory.ImportOptions{Delist: f.delist})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "imported: %d added, %d changed, %d already as in the file", res.Added, res.Changed, res.Unchanged)
	if f.delist {
		fmt.Fprintf(out, ", %d delisted", res.Delisted)
	}
	fmt.Fprintln(out)
	if res.Missing > 0 {
		fmt.Fprintf(out, "%d listed entries are not in the file and stay listed (use -delist-missing to delist them)\n", res.Missing)
	}
	return nil
}

// importLeads is `unionbot import -as-suggestions FILE`.
func (a *App) importLeads(ctx context.Context, in io.Reader, out io.Writer) error {
	// The duplicate check needs the community's entries too.
	if err := a.dir.Refresh(ctx); err != nil {
		return fmt.Errorf("cannot read the directory from the store: %w", err)
	}
	leads, err := moderation.ReadLeads(in, a.dir.Index())
	if err != nil {
		return err
	}
	results, err := a.mod.SubmitLeads(ctx, leads)
	var added, queued, listed int
	for _, r := range results {
		switch {
		case r.Listed != "":
			listed++
			fmt.Fprintf(out, "%-6s %-15s %s (listed: %s)\n", "-", "already listed", r.Name, r.Listed)
		case r.New:
			added++
			fmt.Fprintf(out, "%-6s %-15s %s\n", r.Ref, "queued", r.Name)
		default:
			queued++
			fmt.Fprintf(out, "%-6s %-15s %s\n", r.Ref, "already queued", r.Name)
		}
	}
	fmt.Fprintf(out, "leads: %d queued for moderators, %d queued before, %d already listed\n", added, queued, listed)
	if err != nil {
		return fmt.Errorf("%w (importing again carries on where this stopped)", err)
	}
	return nil
}
