package directory

import "time"

// LinkState is what the link checker last found about one of an entry's
// websites or social links. Cards show it as freshness; nothing ranks or
// hides entries by it.
type LinkState struct {
	// Checked is when the link was last checked; zero means never.
	Checked time.Time
	// OK reports whether the last check got an answer.
	OK bool
	// LastOK is when the link last answered; zero means never.
	LastOK time.Time
	// DownSince is the first failed check of the current run of failures;
	// zero while the link answers.
	DownSince time.Time
}
