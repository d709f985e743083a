package bot

// CompactFactor and MaxCompactPage size the pages of a compact reply (a
// list of one- or two-line entries): CompactFactor entries take the room of
// one card, and a page holds at most MaxCompactPage. With the platforms'
// page sizes that is 24 entries on Telegram (6 cards), which fit its 4,096
// characters, and 20 on Discord (5 cards), whose buttons then take four
// rows of five beside the row of page buttons: Discord allows five rows.
const (
	CompactFactor  = 4
	MaxCompactPage = 24
)

// buttonsPerRow is how many block buttons share a row.
const buttonsPerRow = 5

// withBlockButtons returns rep with the buttons of blocks appended to its
// Buttons, in rows of buttonsPerRow, and rep itself when blocks have none.
// Paging calls it with the blocks of the page shown, so a page offers the
// buttons of what it shows and nothing else.
func withBlockButtons(rep *Reply, blocks []Block) *Reply {
	n := 0
	for i := range blocks {
		n += len(blocks[i].Buttons)
	}
	if n == 0 {
		return rep
	}
	// One array for all the rows, each row capped so that appending to
	// one cannot run into the next.
	all := make([]Button, 0, n)
	for i := range blocks {
		all = append(all, blocks[i].Buttons...)
	}
	out := *rep
	out.Buttons = make([][]Button, len(rep.Buttons), len(rep.Buttons)+(n+buttonsPerRow-1)/buttonsPerRow)
	copy(out.Buttons, rep.Buttons)
	for len(all) > 0 {
		k := min(buttonsPerRow, len(all))
		out.Buttons = append(out.Buttons, all[:k:k])
		all = all[k:]
	}
	return &out
}
