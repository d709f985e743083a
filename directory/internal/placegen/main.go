// Command placegen writes the place index of the seed (data/places.bin),
// which the directory package embeds instead of building it at every
// start. It is run by go generate in the directory package:
//
//	go generate ./directory/
//
// -langs must be the bot's reply languages, i18n.Tags() in their order;
// directory's TestPlacesFileUpToDate fails when they or the seed's place
// files no longer match the file.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"

	"golang.org/x/text/language"

	"github.com/unionbot/unionbot/directory"
)

func main() {
	out := flag.String("o", "data/places.bin", "the file to write")
	langs := flag.String("langs", "", "comma-separated BCP 47 tags: the bot's reply languages, in order")
	flag.Parse()
	if err := run(*out, *langs); err != nil {
		fmt.Fprintln(os.Stderr, "placegen:", err)
		os.Exit(1)
	}
}

func run(out, langs string) error {
	var tags []language.Tag
	for _, l := range strings.Split(langs, ",") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		t, err := language.Parse(l)
		if err != nil {
			return err
		}
		tags = append(tags, t)
	}
	b, err := directory.GeneratePlaces(os.DirFS("."), "data", tags...)
	if err != nil {
		return err
	}
	// An unchanged file is left alone, so its time stamp says when the
	// places last changed.
	if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, b) {
		return nil
	}
	return os.WriteFile(out, b, 0o644)
}
