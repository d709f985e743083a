package main

// Start-up and memory, for issue 15's targets:
//
//	go test -run XXX -bench 'Start|Heap|IdleRSS' -benchtime 5x ./cmd/unionbot/
//
// BenchmarkStartToFirstAnswer is NewApp as main calls it, the first /find
// answered, then Close: its time and allocations per op are a start-up.
// BenchmarkHeapAfterStart reports the live heap one started app holds.
// BenchmarkIdleRSSConsole runs the real binary's console and reads its
// resident memory from /proc once it has answered.

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/unionbot/unionbot/config"
)

func benchApp(b *testing.B, dir string, out io.Writer) *App {
	b.Helper()
	env := map[string]string{"UNIONBOT_DATA_DIR": dir, "UNIONBOT_LOG_LEVEL": "error"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	app, err := NewApp(b.Context(), cfg, Streams{In: strings.NewReader(""), Out: out, Err: io.Discard, ConsoleOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	return app
}

func BenchmarkStartToFirstAnswer(b *testing.B) {
	dir := b.TempDir()
	b.ReportAllocs()
	start := cpuUsed()
	for b.Loop() {
		var out bytes.Buffer
		app := benchApp(b, dir, &out)
		if err := app.Ask(b.Context(), "/find Canada"); err != nil {
			b.Fatal(err)
		}
		if !strings.Contains(out.String(), "Canada") {
			b.Fatalf("no answer: %q", out.String())
		}
		app.Close()
	}
	// The machine is shared: CPU time is the work, wall time the wait too.
	b.ReportMetric(float64((cpuUsed()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// cpuUsed is the CPU time this process has used, user and system.
func cpuUsed() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkHeapAfterStart(b *testing.B) {
	dir := b.TempDir()
	var inuse, live float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		app := benchApp(b, dir, io.Discard)
		if err := app.Ask(b.Context(), "/find Canada"); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		inuse = float64(after.HeapInuse-before.HeapInuse) / (1 << 20)
		live = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
		runtime.KeepAlive(app)
		app.Close()
	}
	b.ReportMetric(inuse, "heap-inuse-MB")
	b.ReportMetric(live, "heap-live-MB")
}

func BenchmarkIdleRSSConsole(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "unionbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	dir := b.TempDir()
	var rss float64
	for b.Loop() {
		ctx, cancel := context.WithTimeout(b.Context(), 30*time.Second)
		cmd := exec.CommandContext(ctx, bin, "console")
		cmd.Env = append(os.Environ(), "UNIONBOT_DATA_DIR="+dir, "HOME="+dir, "UNIONBOT_LOG_LEVEL=error")
		in, _ := cmd.StdinPipe()
		outp, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		if _, err := io.WriteString(in, "/find Canada\n"); err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(outp)
		answered := false
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Canada") {
				answered = true
				break
			}
		}
		if !answered {
			b.Fatal("the console did not answer /find Canada")
		}
		rss = vmRSS(b, cmd.Process.Pid)
		in.Close()
		go io.Copy(io.Discard, outp)
		if err := cmd.Wait(); err != nil {
			b.Fatalf("console: %v", err)
		}
		cancel()
	}
	b.ReportMetric(rss, "rss-MB")
}

// vmRSS is a process's resident memory in MB, from /proc/<pid>/status.
func vmRSS(b *testing.B, pid int) float64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatal("no VmRSS line")
	return 0
}
