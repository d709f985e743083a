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
	var row []Button
	var rows [][]Button
	for _, b := range blocks {
		for _, btn := range b.Buttons {
			row = append(row, btn)
			if len(row) == buttonsPerRow {
				rows, row = append(rows, row), nil
			}
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return rep
	}
	out := *rep
	out.Buttons = append(append([][]Button(nil), rep.Buttons...), rows...)
	return &out
}
