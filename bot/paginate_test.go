package bot

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// refPages is how pages are cut, written the plain way: entries fill a
// page of size, the headings before an entry go with it, and the headings
// after the last entry close the last page.
func refPages(blocks []Block, size int) [][]Block {
	var pages [][]Block
	var cur, heads []Block
	count := 0
	for _, b := range blocks {
		if b.Heading {
			heads = append(heads, b)
			continue
		}
		if count == size {
			pages, cur, count = append(pages, cur), nil, 0
		}
		cur = append(append(cur, heads...), b)
		heads = nil
		count++
	}
	return append(pages, append(cur, heads...))
}

// paginate's page, found by index without building every page, is the
// page refPages cuts, for random runs of headings and entries.
func TestPaginateCutsPagesAsDefined(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		blocks := make([]Block, rng.IntN(60))
		for i := range blocks {
			blocks[i] = Block{Heading: rng.IntN(3) == 0, Spans: []Span{T(strconv.Itoa(i))}}
		}
		size := 1 + rng.IntN(6)
		want := refPages(blocks, size*CompactFactor)
		m := &Message{Text: "/find x", Lang: "en", PageSize: size}
		for page := 1; page <= len(want); page++ {
			got := paginate(&Reply{Compact: true, Blocks: blocks}, m, page).Blocks
			if len(want) > 1 {
				got = got[:len(got)-1] // the "page n of m" line
			}
			if len(got) != len(want[page-1]) {
				t.Fatalf("trial %d, size %d, page %d of %d: %d blocks, want %d", trial, size, page, len(want), len(got), len(want[page-1]))
			}
			for i := range got {
				if got[i].Spans[0].Text != want[page-1][i].Spans[0].Text {
					t.Fatalf("trial %d, page %d: block %d is %q, want %q", trial, page, i, got[i].Spans[0].Text, want[page-1][i].Spans[0].Text)
				}
			}
		}
	}
}
