package console

import (
	"io"
	"os"
)

// ioPipe is a reader that blocks until written to or closed, like a
// terminal with nobody typing.
func ioPipe() (io.Reader, io.WriteCloser) {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	return r, w
}
