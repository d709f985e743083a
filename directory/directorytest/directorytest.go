// Package directorytest holds test support for code that reads the
// directory: the index of the embedded seed, built once per test binary. It
// imports testing, so only _test.go files may import it.
package directorytest

import (
	"github.com/unionbot/unionbot/bot/i18n"
	"sync"
	"testing"

	"github.com/unionbot/unionbot/directory"
)

// Dir always answers from one index. It has the method set of the core's
// bot.Directory (this package does not import the core, so that the core's
// own tests can use it).
type Dir struct{ X *directory.Index }

// Index returns the fixed index.
func (d Dir) Index() *directory.Index { return d.X }

// seedIndex builds the index of the embedded seed once per test binary:
// building it is the slow part of starting a core, and the seed never
// changes while tests run.
var seedIndex = sync.OnceValues(func() (*directory.Index, error) {
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		return nil, err
	}
	return directory.Build(seed, seed.Organisations), nil
})

// MustSeedIndex returns the index of the embedded seed, shared by every
// caller in the test binary (treat it as read-only).
func MustSeedIndex(t testing.TB) *directory.Index {
	t.Helper()
	x, err := seedIndex()
	if err != nil {
		t.Fatalf("directorytest: load seed: %v", err)
	}
	return x
}

// MustSeed returns the seed's Dir.
func MustSeed(t testing.TB) Dir {
	t.Helper()
	return Dir{MustSeedIndex(t)}
}
