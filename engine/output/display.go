package output

import (
	"io"
	"os"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/term"

	"octopus/engine/pyfmt"
)

// Ansible's colour names and their ANSI codes.
var colorCodes = map[string]string{
	"black": "0;30", "bright gray": "0;37", "blue": "0;34", "white": "1;37",
	"green": "0;32", "bright blue": "1;34", "cyan": "0;36", "bright green": "1;32",
	"red": "0;31", "bright cyan": "1;36", "purple": "0;35", "bright red": "1;31",
	"yellow": "0;33", "bright purple": "1;35", "dark gray": "1;30", "bright yellow": "1;33",
	"magenta": "0;35", "bright magenta": "1;35", "normal": "0",
}

// Colour roles with ansible-core's default colours.
const (
	ColorOK          = "green"
	ColorChanged     = "yellow"
	ColorSkip        = "cyan"
	ColorError       = "red"
	ColorUnreachable = "bright red"
	ColorWarn        = "bright purple"
	ColorDeprecate   = "purple"
	ColorDebug       = "dark gray"
	ColorVerbose     = "blue"
	ColorHighlight   = "white"
	ColorDiffAdd     = "green"
	ColorDiffRemove  = "red"
	ColorDiffLines   = "cyan"
)

// Display writes lines to stdout/stderr as ansible's Display class does:
// every message gets a trailing newline, colours when enabled, banners
// padded with stars, warnings wrapped and de-duplicated.
type Display struct {
	Out, Err  io.Writer
	Color     bool
	Columns   int // text width; ansible uses max(79, tty width - 1)
	Verbosity int

	mu    sync.Mutex
	warns map[string]bool
	deps  map[string]bool
}

// NewDisplay returns a Display on os.Stdout/os.Stderr with ansible's colour
// rules (colour on a TTY; ANSIBLE_NOCOLOR / NO_COLOR disable it,
// ANSIBLE_FORCE_COLOR forces it) and column width.
func NewDisplay(verbosity int) *Display {
	d := &Display{Out: os.Stdout, Err: os.Stderr, Verbosity: verbosity, Columns: 79}
	tty := term.IsTerminal(int(os.Stdout.Fd()))
	d.Color = tty
	if truthy(os.Getenv("ANSIBLE_FORCE_COLOR")) {
		d.Color = true
	}
	if truthy(os.Getenv("ANSIBLE_NOCOLOR")) || os.Getenv("NO_COLOR") != "" {
		d.Color = false
	}
	if tty {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w-1 > 79 {
			d.Columns = w - 1
		}
	}
	return d
}

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on", "y", "t":
		return true
	}
	return false
}

// Colorize wraps each line of text in the ANSI code of color when colour is on.
func (d *Display) Colorize(text, color string) string {
	if !d.Color || color == "" {
		return text
	}
	code, ok := colorCodes[color]
	if !ok {
		code = "0"
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = "\x1b[" + code + "m" + l + "\x1b[0m"
	}
	return strings.Join(lines, "\n")
}

// Print writes msg (plus a newline unless it ends with one) in color to
// stdout, or stderr when toErr.
func (d *Display) Print(msg, color string, toErr bool) {
	// One trailing newline stays outside the colour, as Ansible's display
	// does, so a message ending in a newline gets no coloured empty line.
	msg = d.Colorize(strings.TrimSuffix(msg, "\n"), color) + "\n"
	d.mu.Lock()
	defer d.mu.Unlock()
	w := d.Out
	if toErr {
		w = d.Err
	}
	if w != nil {
		io.WriteString(w, msg)
	}
}

// V prints msg in the verbose colour when verbosity is at least level.
func (d *Display) V(level int, msg string) {
	if d.Verbosity >= level {
		d.Print(msg, ColorVerbose, false)
	}
}

// Banner prints "\n<msg> ****" with stars up to the column width (at least 3).
func (d *Display) Banner(msg, color string) {
	msg = strings.TrimSpace(msg)
	n := d.cols() - TextWidth(msg)
	if n <= 3 {
		n = 3
	}
	d.Print("\n"+msg+" "+strings.Repeat("*", n), color, false)
}

func (d *Display) cols() int {
	if d.Columns <= 0 {
		return 79
	}
	return d.Columns
}

// Warning prints "[WARNING]: msg" wrapped to the column width on stderr, once.
func (d *Display) Warning(msg string) {
	text := strings.Join(pyfmt.TextWrap("[WARNING]: "+msg, d.cols(), true), "\n") + "\n"
	d.mu.Lock()
	if d.warns == nil {
		d.warns = map[string]bool{}
	}
	seen := d.warns[text]
	d.warns[text] = true
	d.mu.Unlock()
	if !seen {
		d.Print(text, ColorWarn, true)
	}
}

// WarningEvery prints a "[WARNING]: ..." message on stderr each time it is
// called: the form of warnings Ansible raises inside a task's worker.
func (d *Display) WarningEvery(msg string) {
	d.Print(strings.Join(pyfmt.TextWrap("[WARNING]: "+msg, d.cols(), true), "\n")+"\n", ColorWarn, true)
}

// Deprecated prints a "[DEPRECATION WARNING]: ..." message on stderr, once.
// version may be empty ("in a future release").
func (d *Display) Deprecated(msg, version string) {
	msg = strings.TrimSpace(msg)
	if msg != "" && !strings.ContainsAny(msg[len(msg)-1:], "!?.") {
		msg += "."
	}
	when := "in a future release."
	if version != "" {
		when = "in version " + version + "."
	}
	text := "[DEPRECATION WARNING]: " + msg + " This feature will be removed " + when +
		" Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg."
	text = strings.Join(pyfmt.TextWrap(text, d.cols(), false), "\n") + "\n"
	d.mu.Lock()
	if d.deps == nil {
		d.deps = map[string]bool{}
	}
	seen := d.deps[text]
	d.deps[text] = true
	d.mu.Unlock()
	if !seen {
		d.Print(strings.TrimSpace(text), ColorDeprecate, true)
	}
}

// TextWidth is the display width of s (East Asian wide characters count 2).
func TextWidth(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case r == 0 || unicode.Is(unicode.Mn, r):
		case r >= 0x1100 && (r <= 0x115f || r == 0x2329 || r == 0x232a ||
			(r >= 0x2e80 && r <= 0xa4cf && r != 0x303f) || (r >= 0xac00 && r <= 0xd7a3) ||
			(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe6f) ||
			(r >= 0xff00 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6) ||
			(r >= 0x1f300 && r <= 0x1f64f) || (r >= 0x20000 && r <= 0x3fffd)):
			w += 2
		default:
			w++
		}
	}
	return w
}

// Error prints "ERROR! msg" in red on stderr, as ansible's Display.error.
func (d *Display) Error(msg string) {
	d.Print("ERROR! "+msg, ColorError, true)
}
