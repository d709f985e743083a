package main

import (
	"context"
	"fmt"
	"io"

	"github.com/unionbot/unionbot/directory"
)

// runImport is `unionbot import [-delist-missing] [file]`: the directory
// does the work (directory.Live.Import); this only reports it.
func (a *App) runImport(ctx context.Context, in io.Reader, out io.Writer, delist bool) error {
	res, err := a.dir.Import(ctx, in, directory.ImportOptions{Delist: delist})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "imported: %d added, %d changed, %d already as in the file", res.Added, res.Changed, res.Unchanged)
	if delist {
		fmt.Fprintf(out, ", %d delisted", res.Delisted)
	}
	fmt.Fprintln(out)
	if res.Missing > 0 {
		fmt.Fprintf(out, "%d listed entries are not in the file and stay listed (use -delist-missing to delist them)\n", res.Missing)
	}
	return nil
}
